// Property names are the Engine API's JSON keys, so the types encode and decode the wire format
// without key mapping.

/// `GET /version`: dockerd's `types.Version`.
public struct SystemVersion: Codable, Sendable, Equatable {
    public struct PlatformInfo: Codable, Sendable, Equatable {
        public var Name: String
        public init(Name: String) { self.Name = Name }
    }

    /// One part of the engine (the daemon itself, an OCI runtime, the init).
    public struct Component: Codable, Sendable, Equatable {
        public var Name: String
        public var Version: String
        public var Details: [String: String]?
        public init(Name: String, Version: String, Details: [String: String]? = nil) {
            self.Name = Name
            self.Version = Version
            self.Details = Details
        }
    }

    public var Platform: PlatformInfo
    public var Components: [Component]?
    public var Version: String
    public var ApiVersion: String
    public var MinAPIVersion: String?
    public var GitCommit: String
    public var GoVersion: String
    public var Os: String
    public var Arch: String
    public var KernelVersion: String?
    public var Experimental: Bool?
    public var BuildTime: String?

    public init(Platform: PlatformInfo, Components: [Component]?, Version: String, ApiVersion: String,
                MinAPIVersion: String?, GitCommit: String, GoVersion: String, Os: String, Arch: String,
                KernelVersion: String?, Experimental: Bool?, BuildTime: String?) {
        self.Platform = Platform
        self.Components = Components
        self.Version = Version
        self.ApiVersion = ApiVersion
        self.MinAPIVersion = MinAPIVersion
        self.GitCommit = GitCommit
        self.GoVersion = GoVersion
        self.Os = Os
        self.Arch = Arch
        self.KernelVersion = KernelVersion
        self.Experimental = Experimental
        self.BuildTime = BuildTime
    }
}
