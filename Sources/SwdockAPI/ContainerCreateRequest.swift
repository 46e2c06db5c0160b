#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockOCI

/// The body of `POST /containers/create`: Docker's container `Config` at the top level plus
/// `HostConfig` and `NetworkingConfig`, with Docker's JSON names, as docker CLI 28 (at API
/// 1.41) and docker-py 7.1 send it.
///
/// Every field is optional because clients send different subsets (the CLI sends all keys,
/// docker-py only a few); nil means absent or `null`, which Docker treats alike. Unknown keys
/// (from newer API versions) are ignored; a value of the wrong JSON type is rejected by
/// `decode(_:)` with a message naming the field, as dockerd's Go decoder does.
public struct ContainerCreateRequest: Codable, Sendable, Equatable {
    public var hostname: String?
    public var domainname: String?
    public var user: String?
    public var attachStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var exposedPorts: [String: EmptyObject]?
    public var tty: Bool?
    public var openStdin: Bool?
    public var stdinOnce: Bool?
    public var env: [String]?
    public var cmd: StrSlice?
    public var healthcheck: Healthcheck?
    public var argsEscaped: Bool?
    public var image: String?
    public var volumes: [String: EmptyObject]?
    public var workingDir: String?
    public var entrypoint: StrSlice?
    public var networkDisabled: Bool?
    public var macAddress: String?
    public var onBuild: [String]?
    public var labels: [String: String]?
    public var stopSignal: String?
    public var stopTimeout: Int?
    public var shell: StrSlice?
    public var hostConfig: HostConfig?
    public var networkingConfig: NetworkingConfig?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname", domainname = "Domainname", user = "User", attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout", attachStderr = "AttachStderr", exposedPorts = "ExposedPorts", tty = "Tty"
        case openStdin = "OpenStdin", stdinOnce = "StdinOnce", env = "Env", cmd = "Cmd", healthcheck = "Healthcheck"
        case argsEscaped = "ArgsEscaped", image = "Image", volumes = "Volumes", workingDir = "WorkingDir"
        case entrypoint = "Entrypoint", networkDisabled = "NetworkDisabled", macAddress = "MacAddress", onBuild = "OnBuild"
        case labels = "Labels", stopSignal = "StopSignal", stopTimeout = "StopTimeout", shell = "Shell"
        case hostConfig = "HostConfig", networkingConfig = "NetworkingConfig"
    }

    /// Decodes a request body; malformed JSON and wrong types are 400s with Docker-like text
    /// (`json: cannot unmarshal string into Go struct field HostConfig.Memory of type int64`).
    public static func decode(_ body: [UInt8]) throws(APIError) -> ContainerCreateRequest {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            throw APIError.badRequest("config cannot be empty in order to create a container")
        }
        do {
            return try JSONDecoder().decode(ContainerCreateRequest.self, from: Data(body))
        } catch let error as DecodingError {
            throw APIError.badRequest(JSONDecodingMessage.describe(error, root: "ContainerCreateRequest"))
        } catch {
            throw APIError.badRequest("invalid JSON: \(error)")
        }
    }

    /// `Healthcheck`; durations are nanoseconds.
    public struct Healthcheck: Codable, Sendable, Equatable {
        public var test: StrSlice?
        public var interval: Int64?
        public var timeout: Int64?
        public var startPeriod: Int64?
        public var startInterval: Int64?
        public var retries: Int?
        enum CodingKeys: String, CodingKey {
            case test = "Test", interval = "Interval", timeout = "Timeout", startPeriod = "StartPeriod"
            case startInterval = "StartInterval", retries = "Retries"
        }
    }
}

/// Docker's `strslice.StrSlice`: a JSON array of strings, or one string meaning a one-element list.
public struct StrSlice: Codable, Sendable, Equatable, ExpressibleByArrayLiteral {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public init(arrayLiteral elements: String...) { values = elements }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            values = [text]
        } else {
            values = try container.decode([String].self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}

/// `HostConfig` of a create request.
public struct HostConfig: Codable, Sendable, Equatable {
    public var binds: [String]?
    public var containerIDFile: String?
    public var logConfig: LogConfig?
    public var networkMode: String?
    public var portBindings: [String: [PortBinding]?]?
    public var restartPolicy: RestartPolicy?
    public var autoRemove: Bool?
    public var volumeDriver: String?
    public var volumesFrom: [String]?
    /// `[height, width]`.
    public var consoleSize: [UInt]?
    public var annotations: [String: String]?
    public var capAdd: StrSlice?
    public var capDrop: StrSlice?
    public var cgroupnsMode: String?
    public var dns: [String]?
    public var dnsOptions: [String]?
    public var dnsSearch: [String]?
    public var extraHosts: [String]?
    public var groupAdd: [String]?
    public var ipcMode: String?
    public var cgroup: String?
    public var links: [String]?
    public var oomScoreAdj: Int?
    public var pidMode: String?
    public var privileged: Bool?
    public var publishAllPorts: Bool?
    public var readonlyRootfs: Bool?
    public var securityOpt: [String]?
    public var storageOpt: [String: String]?
    public var tmpfs: [String: String]?
    public var utsMode: String?
    public var usernsMode: String?
    public var shmSize: Int64?
    public var sysctls: [String: String]?
    public var runtime: String?
    public var isolation: String?
    public var cpuShares: Int64?
    public var memory: Int64?
    public var nanoCpus: Int64?
    public var cgroupParent: String?
    public var blkioWeight: UInt16?
    public var blkioWeightDevice: [WeightDevice]?
    public var blkioDeviceReadBps: [ThrottleDevice]?
    public var blkioDeviceWriteBps: [ThrottleDevice]?
    public var blkioDeviceReadIOps: [ThrottleDevice]?
    public var blkioDeviceWriteIOps: [ThrottleDevice]?
    public var cpuPeriod: Int64?
    public var cpuQuota: Int64?
    public var cpuRealtimePeriod: Int64?
    public var cpuRealtimeRuntime: Int64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var devices: [DeviceMapping]?
    public var deviceCgroupRules: [String]?
    public var deviceRequests: [DeviceRequest]?
    public var kernelMemory: Int64?
    public var kernelMemoryTCP: Int64?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?
    public var memorySwappiness: Int64?
    public var oomKillDisable: Bool?
    public var pidsLimit: Int64?
    public var ulimits: [Ulimit]?
    public var cpuCount: Int64?
    public var cpuPercent: Int64?
    public var ioMaximumIOps: UInt64?
    public var ioMaximumBandwidth: UInt64?
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?
    public var mounts: [Mount]?
    public var initProcess: Bool?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case binds = "Binds", containerIDFile = "ContainerIDFile", logConfig = "LogConfig", networkMode = "NetworkMode"
        case portBindings = "PortBindings", restartPolicy = "RestartPolicy", autoRemove = "AutoRemove"
        case volumeDriver = "VolumeDriver", volumesFrom = "VolumesFrom", consoleSize = "ConsoleSize"
        case annotations = "Annotations", capAdd = "CapAdd", capDrop = "CapDrop", cgroupnsMode = "CgroupnsMode"
        case dns = "Dns", dnsOptions = "DnsOptions", dnsSearch = "DnsSearch", extraHosts = "ExtraHosts"
        case groupAdd = "GroupAdd", ipcMode = "IpcMode", cgroup = "Cgroup", links = "Links", oomScoreAdj = "OomScoreAdj"
        case pidMode = "PidMode", privileged = "Privileged", publishAllPorts = "PublishAllPorts"
        case readonlyRootfs = "ReadonlyRootfs", securityOpt = "SecurityOpt", storageOpt = "StorageOpt", tmpfs = "Tmpfs"
        case utsMode = "UTSMode", usernsMode = "UsernsMode", shmSize = "ShmSize", sysctls = "Sysctls", runtime = "Runtime"
        case isolation = "Isolation", cpuShares = "CpuShares", memory = "Memory", nanoCpus = "NanoCpus"
        case cgroupParent = "CgroupParent", blkioWeight = "BlkioWeight", blkioWeightDevice = "BlkioWeightDevice"
        case blkioDeviceReadBps = "BlkioDeviceReadBps", blkioDeviceWriteBps = "BlkioDeviceWriteBps"
        case blkioDeviceReadIOps = "BlkioDeviceReadIOps", blkioDeviceWriteIOps = "BlkioDeviceWriteIOps"
        case cpuPeriod = "CpuPeriod", cpuQuota = "CpuQuota", cpuRealtimePeriod = "CpuRealtimePeriod"
        case cpuRealtimeRuntime = "CpuRealtimeRuntime", cpusetCpus = "CpusetCpus", cpusetMems = "CpusetMems"
        case devices = "Devices", deviceCgroupRules = "DeviceCgroupRules", deviceRequests = "DeviceRequests"
        case kernelMemory = "KernelMemory", kernelMemoryTCP = "KernelMemoryTCP", memoryReservation = "MemoryReservation"
        case memorySwap = "MemorySwap", memorySwappiness = "MemorySwappiness", oomKillDisable = "OomKillDisable"
        case pidsLimit = "PidsLimit", ulimits = "Ulimits", cpuCount = "CpuCount", cpuPercent = "CpuPercent"
        case ioMaximumIOps = "IOMaximumIOps", ioMaximumBandwidth = "IOMaximumBandwidth", maskedPaths = "MaskedPaths"
        case readonlyPaths = "ReadonlyPaths", mounts = "Mounts", initProcess = "Init"
    }

    public struct LogConfig: Codable, Sendable, Equatable {
        public var type: String?
        public var config: [String: String]?
        public init(type: String? = nil, config: [String: String]? = nil) { self.type = type; self.config = config }
        enum CodingKeys: String, CodingKey { case type = "Type", config = "Config" }
    }

    public struct PortBinding: Codable, Sendable, Equatable {
        public var hostIP: String?
        public var hostPort: String?
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
        public init(hostIP: String? = nil, hostPort: String? = nil) {
            self.hostIP = hostIP
            self.hostPort = hostPort
        }
    }

    public struct RestartPolicy: Codable, Sendable, Equatable {
        public var name: String?
        public var maximumRetryCount: Int?
        public init(name: String? = nil, maximumRetryCount: Int? = nil) { self.name = name; self.maximumRetryCount = maximumRetryCount }
        enum CodingKeys: String, CodingKey { case name = "Name", maximumRetryCount = "MaximumRetryCount" }
    }

    public struct WeightDevice: Codable, Sendable, Equatable {
        public var path: String?
        public var weight: UInt16?
        enum CodingKeys: String, CodingKey { case path = "Path", weight = "Weight" }
    }

    public struct ThrottleDevice: Codable, Sendable, Equatable {
        public var path: String?
        public var rate: UInt64?
        enum CodingKeys: String, CodingKey { case path = "Path", rate = "Rate" }
    }

    public struct DeviceMapping: Codable, Sendable, Equatable {
        public var pathOnHost: String?
        public var pathInContainer: String?
        public var cgroupPermissions: String?
        enum CodingKeys: String, CodingKey {
            case pathOnHost = "PathOnHost", pathInContainer = "PathInContainer", cgroupPermissions = "CgroupPermissions"
        }
    }

    public struct DeviceRequest: Codable, Sendable, Equatable {
        public var driver: String?
        public var count: Int?
        public var deviceIDs: [String]?
        public var capabilities: [[String]]?
        public var options: [String: String]?
        enum CodingKeys: String, CodingKey {
            case driver = "Driver", count = "Count", deviceIDs = "DeviceIDs", capabilities = "Capabilities", options = "Options"
        }
    }

    public struct Ulimit: Codable, Sendable, Equatable {
        public var name: String?
        public var soft: Int64?
        public var hard: Int64?
        public init(name: String, soft: Int64, hard: Int64) { self.name = name; self.soft = soft; self.hard = hard }
        enum CodingKeys: String, CodingKey { case name = "Name", soft = "Soft", hard = "Hard" }
    }

    /// One `--mount` (Docker's `mount.Mount`).
    public struct Mount: Codable, Sendable, Equatable {
        public var type: String?
        public var source: String?
        public var target: String?
        public var readOnly: Bool?
        public var consistency: String?
        public var bindOptions: BindOptions?
        public var volumeOptions: VolumeOptions?
        public var tmpfsOptions: TmpfsOptions?
        public init(type: String, source: String? = nil, target: String, readOnly: Bool? = nil) {
            self.type = type
            self.source = source
            self.target = target
            self.readOnly = readOnly
        }
        enum CodingKeys: String, CodingKey {
            case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly", consistency = "Consistency"
            case bindOptions = "BindOptions", volumeOptions = "VolumeOptions", tmpfsOptions = "TmpfsOptions"
        }

        public struct BindOptions: Codable, Sendable, Equatable {
            public var propagation: String?
            public var nonRecursive: Bool?
            public var createMountpoint: Bool?
            enum CodingKeys: String, CodingKey {
                case propagation = "Propagation", nonRecursive = "NonRecursive", createMountpoint = "CreateMountpoint"
            }
        }

        public struct VolumeOptions: Codable, Sendable, Equatable {
            public var noCopy: Bool?
            public var labels: [String: String]?
            public var subpath: String?
            enum CodingKeys: String, CodingKey { case noCopy = "NoCopy", labels = "Labels", subpath = "Subpath" }
        }

        public struct TmpfsOptions: Codable, Sendable, Equatable {
            public var sizeBytes: Int64?
            /// Go's os.FileMode as a number (`0o1777` is sent as 1023).
            public var mode: UInt32?
            public var options: [[String]]?
            enum CodingKeys: String, CodingKey { case sizeBytes = "SizeBytes", mode = "Mode", options = "Options" }
        }
    }
}

/// `NetworkingConfig`: the endpoint per network name (`"default"` for the default network).
public struct NetworkingConfig: Codable, Sendable, Equatable {
    public var endpointsConfig: [String: EndpointSettings?]?
    enum CodingKeys: String, CodingKey { case endpointsConfig = "EndpointsConfig" }
    public init(endpointsConfig: [String: EndpointSettings?]? = nil) { self.endpointsConfig = endpointsConfig }

    public struct EndpointSettings: Codable, Sendable, Equatable {
        public var ipamConfig: IPAMConfig?
        public var links: [String]?
        public var aliases: [String]?
        public var macAddress: String?
        public var driverOpts: [String: String]?
        public var networkID: String?
        public var endpointID: String?
        public var gateway: String?
        public var ipAddress: String?
        public var ipPrefixLen: Int?
        public var ipv6Gateway: String?
        public var globalIPv6Address: String?
        public var globalIPv6PrefixLen: Int?
        enum CodingKeys: String, CodingKey {
            case ipamConfig = "IPAMConfig", links = "Links", aliases = "Aliases", macAddress = "MacAddress"
            case driverOpts = "DriverOpts", networkID = "NetworkID", endpointID = "EndpointID", gateway = "Gateway"
            case ipAddress = "IPAddress", ipPrefixLen = "IPPrefixLen", ipv6Gateway = "IPv6Gateway"
            case globalIPv6Address = "GlobalIPv6Address", globalIPv6PrefixLen = "GlobalIPv6PrefixLen"
        }
        public init(ipamConfig: IPAMConfig? = nil, aliases: [String]? = nil, macAddress: String? = nil) {
            self.ipamConfig = ipamConfig
            self.aliases = aliases
            self.macAddress = macAddress
        }
    }

    public struct IPAMConfig: Codable, Sendable, Equatable {
        public var ipv4Address: String?
        public var ipv6Address: String?
        public var linkLocalIPs: [String]?
        enum CodingKeys: String, CodingKey {
            case ipv4Address = "IPv4Address", ipv6Address = "IPv6Address", linkLocalIPs = "LinkLocalIPs"
        }
        public init(ipv4Address: String? = nil, ipv6Address: String? = nil) {
            self.ipv4Address = ipv4Address
            self.ipv6Address = ipv6Address
        }
    }
}

/// Turns Swift's DecodingError into the one-line message dockerd's Go decoder gives.
enum JSONDecodingMessage {
    static func describe(_ error: DecodingError, root: String) -> String {
        func field(_ path: [any CodingKey]) -> String {
            ([root] + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }).joined(separator: ".")
                .replacing(".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "json: cannot unmarshal \(found(context.debugDescription)) into Go struct field \(field(context.codingPath)) of type \(goType(type))"
        case .valueNotFound(let type, let context):
            return "json: cannot unmarshal null into Go struct field \(field(context.codingPath)) of type \(goType(type))"
        case .keyNotFound(let key, let context):
            return "json: missing field \(field(context.codingPath + [key]))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "invalid JSON: \(context.debugDescription)"
            }
            return "json: cannot unmarshal \(context.debugDescription) into Go struct field \(field(context.codingPath))"
        @unknown default:
            return "invalid JSON: \(error)"
        }
    }

    /// `Expected to decode Int64 but found a string instead.` → `string`.
    static func found(_ text: String) -> String {
        guard let range = text.firstRange(of: "but found ") else { return "value" }
        var rest = text[range.upperBound...]
        for article in ["a ", "an "] where rest.hasPrefix(article) { rest = rest.dropFirst(article.count) }
        let word = rest.prefix { $0.isLetter }
        switch word {
        case "dictionary": return "object"
        case "number": return "number"
        case "string": return "string"
        case "array": return "array"
        case "bool", "boolean": return "bool"
        case "null": return "null"
        default: return word.isEmpty ? "value" : String(word)
        }
    }

    static func goType(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type: return "int64"
        case is Int.Type: return "int"
        case is UInt16.Type: return "uint16"
        case is UInt32.Type: return "uint32"
        case is UInt64.Type: return "uint64"
        case is UInt.Type: return "uint"
        case is Bool.Type: return "bool"
        case is String.Type: return "string"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "array" }
            if name.hasPrefix("Dictionary") { return "map" }
            return name
        }
    }
}
