#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `POST /containers/{id}/update` (`docker update`): the restart policy and the cgroup
/// resources a running container can change. Other non-zero fields are "not supported: …".
public protocol ContainerUpdateBackend: Sendable {
    func updateContainer(_ id: String, request: ContainerUpdateRequest) async throws -> ContainerUpdateResponse
}

/// `RestartPolicy` of an update body.
public struct ContainerUpdateRestartPolicy: Codable, Sendable, Equatable {
    public var Name: String
    public var MaximumRetryCount: Int?
    public init(Name: String, MaximumRetryCount: Int? = nil) { self.Name = Name; self.MaximumRetryCount = MaximumRetryCount }
}

/// The parts of an update body swdock applies; nil or absent: unchanged.
public struct ContainerUpdateRequest: Sendable, Equatable {
    public var restartPolicy: ContainerUpdateRestartPolicy?
    public var memory: Int64?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var cpuShares: Int64?
    public var cpuPeriod: Int64?
    public var cpuQuota: Int64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: Int64?
    public var blkioWeight: Int64?
    public init() {}

    /// The resource keys swdock updates (Docker's names).
    public static let resourceKeys: Set<String> = ["Memory", "MemoryReservation", "MemorySwap", "NanoCpus", "CpuShares",
                                                   "CpuPeriod", "CpuQuota", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight"]

    /// Parses an update body. The CLI always sends every resource field; a zero (or empty,
    /// null, `MemorySwappiness: -1`) means "unchanged", as dockerd reads it.
    public static func parse(_ body: [UInt8]) throws(APIError) -> ContainerUpdateRequest {
        var request = ContainerUpdateRequest()
        guard !body.isEmpty else { return request }
        let object: [String: JSONValue]
        do { object = try JSONDecoder().decode([String: JSONValue].self, from: Data(body)) } catch {
            throw .badRequest("invalid update request: \(error)")
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if key == "RestartPolicy" {
                guard case .object(let fields) = value else { continue }
                var name = ""
                if case .string(let text)? = fields["Name"] { name = text }
                var count: Int?
                if case .number(let n)? = fields["MaximumRetryCount"] { count = Int(n) }
                request.restartPolicy = ContainerUpdateRestartPolicy(Name: name, MaximumRetryCount: count)
                continue
            }
            // MemorySwappiness -1 is the CLI's "unset".
            if isZero(value) || (key == "MemorySwappiness" && value == .number(-1)) { continue }
            guard resourceKeys.contains(key) else {
                throw .notSupported("updating \(key) of a container (RestartPolicy and \(resourceKeys.sorted().joined(separator: ", ")) can be updated)")
            }
            switch (key, value) {
            case ("CpusetCpus", .string(let text)): request.cpusetCpus = text
            case ("CpusetMems", .string(let text)): request.cpusetMems = text
            case (_, .number(let number)):
                let n = Int64(number)
                switch key {
                case "Memory": request.memory = n
                case "MemoryReservation": request.memoryReservation = n
                case "MemorySwap": request.memorySwap = n
                case "NanoCpus": request.nanoCpus = n
                case "CpuShares": request.cpuShares = n
                case "CpuPeriod": request.cpuPeriod = n
                case "CpuQuota": request.cpuQuota = n
                case "PidsLimit": request.pidsLimit = n
                default: request.blkioWeight = n
                }
            default:
                throw .badRequest("invalid value for \(key): \(value)")
            }
        }
        return request
    }

    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .bool(let v): return !v
        case .number(let v): return v == 0
        case .string(let v): return v.isEmpty
        case .array(let v): return v.isEmpty
        case .object(let v): return v.values.allSatisfy(isZero)
        }
    }
}

/// The update's answer.
public struct ContainerUpdateResponse: Codable, Sendable, Equatable {
    public var Warnings: [String]
    public init(Warnings: [String] = []) { self.Warnings = Warnings }
}
