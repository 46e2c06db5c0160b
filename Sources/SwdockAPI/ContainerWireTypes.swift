// Wire types of the container endpoints. Property names are the Engine API's JSON keys
// (dockerd 20.10's `types.Container`, `types.ContainerJSON`, …); every type has an empty
// initializer and settable fields, and the adapter over the engine fills them in.

/// `POST /containers/create` → 201.
public struct ContainerCreateResponse: Codable, Sendable, Equatable {
    public var Id: String
    public var Warnings: [String]
    public init(Id: String, Warnings: [String]) { self.Id = Id; self.Warnings = Warnings }
}

/// A network endpoint as `ps` and inspect show it (all empty until networks exist).
public struct EndpointSettings: Codable, Sendable, Equatable {
    public var IPAMConfig: JSONValue = .null
    public var Links: JSONValue = .null
    public var Aliases: JSONValue = .null
    public var NetworkID = ""
    public var EndpointID = ""
    public var Gateway = ""
    public var IPAddress = ""
    public var IPPrefixLen = 0
    public var IPv6Gateway = ""
    public var GlobalIPv6Address = ""
    public var GlobalIPv6PrefixLen = 0
    public var MacAddress = ""
    public var DriverOpts: JSONValue = .null
    public init() {}
}

/// One entry of `Mounts` (`types.MountPoint`).
public struct ContainerMount: Codable, Sendable, Equatable {
    public var `Type` = ""
    /// Volumes only.
    public var Name: String?
    public var Source = ""
    public var Destination = ""
    /// Volumes only.
    public var Driver: String?
    public var Mode = ""
    public var RW = true
    public var Propagation = ""
    public init() {}
}

/// `GET /containers/json` entry (`types.Container`).
public struct ContainerSummary: Codable, Sendable, Equatable {
    public struct HostConfigSummary: Codable, Sendable, Equatable {
        public var NetworkMode = ""
        public init() {}
    }
    public struct NetworkSummary: Codable, Sendable, Equatable {
        public var Networks: [String: EndpointSettings] = [:]
        public init() {}
    }
    public struct Port: Codable, Sendable, Equatable {
        public var IP: String?
        public var PrivatePort: Int
        public var PublicPort: Int?
        public var `Type`: String
        public init(IP: String? = nil, PrivatePort: Int, PublicPort: Int? = nil, Type: String) {
            self.IP = IP
            self.PrivatePort = PrivatePort
            self.PublicPort = PublicPort
            self.Type = Type
        }
    }

    public var Id = ""
    public var Names: [String] = []
    public var Image = ""
    public var ImageID = ""
    public var Command = ""
    /// Unix seconds.
    public var Created: Int64 = 0
    public var Ports: [Port] = []
    public var SizeRw: Int64?
    public var SizeRootFs: Int64?
    public var Labels: [String: String] = [:]
    public var State = ""
    /// Human text (`Up 5 seconds`, `Exited (3) 13 minutes ago`), printed verbatim by the CLI.
    public var Status = ""
    public var HostConfig = HostConfigSummary()
    public var NetworkSettings = NetworkSummary()
    public var Mounts: [ContainerMount] = []
    public init() {}
}

/// `State` of `GET /containers/{id}/json`.
public struct ContainerStateJSON: Codable, Sendable, Equatable {
    public var Status = ""
    public var Running = false
    public var Paused = false
    public var Restarting = false
    public var OOMKilled = false
    public var Dead = false
    public var Pid: Int32 = 0
    public var ExitCode: Int32 = 0
    public var Error = ""
    public var StartedAt = ""
    public var FinishedAt = ""
    public init() {}
}

/// `GET /containers/{id}/json` (`types.ContainerJSON`). `Config` and `HostConfig` are the
/// engine's documents in Docker's shape, passed through.
public struct ContainerInspect: Codable, Sendable, Equatable {
    public struct GraphDriverData: Codable, Sendable, Equatable {
        public var Data: [String: String]? = nil
        public var Name = ""
        public init() {}
    }
    public struct NetworkSettingsJSON: Codable, Sendable, Equatable {
        public var Bridge = ""
        public var SandboxID = ""
        public var HairpinMode = false
        public var LinkLocalIPv6Address = ""
        public var LinkLocalIPv6PrefixLen = 0
        public var Ports: [String: JSONValue] = [:]
        public var SandboxKey = ""
        public var SecondaryIPAddresses: JSONValue = .null
        public var SecondaryIPv6Addresses: JSONValue = .null
        public var EndpointID = ""
        public var Gateway = ""
        public var GlobalIPv6Address = ""
        public var GlobalIPv6PrefixLen = 0
        public var IPAddress = ""
        public var IPPrefixLen = 0
        public var IPv6Gateway = ""
        public var MacAddress = ""
        public var Networks: [String: EndpointSettings] = [:]
        public init() {}
    }

    public var Id = ""
    /// RFC 3339 with nanoseconds.
    public var Created = ""
    public var Path = ""
    public var Args: [String] = []
    public var State = ContainerStateJSON()
    public var Image = ""
    public var ResolvConfPath = ""
    public var HostnamePath = ""
    public var HostsPath = ""
    public var LogPath = ""
    public var Name = ""
    public var RestartCount = 0
    public var Driver = ""
    public var Platform = "linux"
    public var MountLabel = ""
    public var ProcessLabel = ""
    public var AppArmorProfile = ""
    public var ExecIDs: JSONValue = .null
    public var HostConfig: JSONValue = .object([:])
    public var GraphDriver = GraphDriverData()
    public var SizeRw: Int64?
    public var SizeRootFs: Int64?
    public var Mounts: [ContainerMount] = []
    public var Config: JSONValue = .object([:])
    public var NetworkSettings = NetworkSettingsJSON()
    public init() {}
}

/// `POST /containers/{id}/wait` body: `{"StatusCode":N,"Error":null}` (Error is
/// `{"Message":…}` when the wait failed).
public struct ContainerWaitResponse: Codable, Sendable, Equatable {
    public struct WaitError: Codable, Sendable, Equatable {
        public var Message: String
        public init(Message: String) { self.Message = Message }
    }
    public var StatusCode: Int64
    public var Error: WaitError?

    public init(StatusCode: Int64, Error: WaitError? = nil) {
        self.StatusCode = StatusCode
        self.Error = Error
    }

    enum CodingKeys: String, CodingKey { case StatusCode, Error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(StatusCode, forKey: .StatusCode)
        // Go writes a nil pointer as null: clients read `Error == null` as success.
        if let Error { try container.encode(Error, forKey: .Error) } else { try container.encodeNil(forKey: .Error) }
    }
}

/// `GET /containers/{id}/top`.
public struct ContainerTopResponse: Codable, Sendable, Equatable {
    public var Titles: [String]
    public var Processes: [[String]]
    public init(Titles: [String], Processes: [[String]]) { self.Titles = Titles; self.Processes = Processes }
}

/// `POST /containers/prune`.
public struct ContainerPruneReport: Codable, Sendable, Equatable {
    public var ContainersDeleted: [String]?
    public var SpaceReclaimed: Int64
    public init(ContainersDeleted: [String]?, SpaceReclaimed: Int64) {
        self.ContainersDeleted = ContainersDeleted
        self.SpaceReclaimed = SpaceReclaimed
    }

    enum CodingKeys: String, CodingKey { case ContainersDeleted, SpaceReclaimed }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let ContainersDeleted { try container.encode(ContainersDeleted, forKey: .ContainersDeleted) } else {
            try container.encodeNil(forKey: .ContainersDeleted)
        }
        try container.encode(SpaceReclaimed, forKey: .SpaceReclaimed)
    }
}
