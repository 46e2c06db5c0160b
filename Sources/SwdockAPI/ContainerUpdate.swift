import Foundation

/// `POST /containers/{id}/update` (`docker update`): the restart policy; resource fields must
/// be absent or zero (resource updates are not implemented: "not supported: …").
public protocol ContainerUpdateBackend: Sendable {
    func updateContainer(_ id: String, restartPolicy: ContainerUpdateRestartPolicy?) async throws -> ContainerUpdateResponse
}

/// `RestartPolicy` of an update body.
public struct ContainerUpdateRestartPolicy: Codable, Sendable, Equatable {
    public var Name: String
    public var MaximumRetryCount: Int?
    public init(Name: String, MaximumRetryCount: Int? = nil) { self.Name = Name; self.MaximumRetryCount = MaximumRetryCount }
}

/// The update's answer.
public struct ContainerUpdateResponse: Codable, Sendable, Equatable {
    public var Warnings: [String]
    public init(Warnings: [String] = []) { self.Warnings = Warnings }
}

extension ContainerUpdateRestartPolicy {
    /// Parses an update body: the restart policy, after checking that every other field (the
    /// resources the CLI always sends) is zero, empty or null.
    public static func parseUpdate(_ body: [UInt8]) throws(APIError) -> ContainerUpdateRestartPolicy? {
        guard !body.isEmpty else { return nil }
        let object: [String: JSONValue]
        do { object = try JSONDecoder().decode([String: JSONValue].self, from: Data(body)) } catch {
            throw .badRequest("invalid update request: \(error)")
        }
        var policy: ContainerUpdateRestartPolicy?
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if key == "RestartPolicy" {
                guard case .object(let fields) = value else { continue }
                var name = ""
                if case .string(let text)? = fields["Name"] { name = text }
                var count: Int?
                if case .number(let n)? = fields["MaximumRetryCount"] { count = Int(n) }
                policy = ContainerUpdateRestartPolicy(Name: name, MaximumRetryCount: count)
                continue
            }
            if !isZero(value) { throw .notSupported("updating \(key) of a container (only RestartPolicy can be updated)") }
        }
        return policy
    }

    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .bool(let v): return !v
        // MemorySwappiness -1 is the CLI's "unset".
        case .number(let v): return v == 0 || v == -1
        case .string(let v): return v.isEmpty
        case .array(let v): return v.isEmpty
        case .object(let v): return v.values.allSatisfy(isZero)
        }
    }
}
