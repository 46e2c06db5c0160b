// Wire types of the network endpoints (dockerd 20.10's `types.NetworkResource`,
// `types.NetworkCreateRequest`, …), with the Engine API's JSON keys.

/// `GET /networks`, `GET /networks/{id}` (`types.NetworkResource`).
public struct NetworkResource: Codable, Sendable, Equatable {
    public struct IPAMConfig: Codable, Sendable, Equatable {
        public var Subnet: String?
        public var IPRange: String?
        public var Gateway: String?
        public init(Subnet: String? = nil, IPRange: String? = nil, Gateway: String? = nil) {
            self.Subnet = Subnet
            self.IPRange = IPRange
            self.Gateway = Gateway
        }
    }
    public struct IPAM: Codable, Sendable, Equatable {
        public var Driver = "default"
        public var Options: [String: String]? = nil
        public var Config: [IPAMConfig] = []
        public init() {}
    }
    public struct ConfigReference: Codable, Sendable, Equatable {
        public var Network = ""
        public init() {}
    }
    /// One running container on the network.
    public struct EndpointResource: Codable, Sendable, Equatable {
        public var Name = ""
        public var EndpointID = ""
        public var MacAddress = ""
        /// `172.18.0.2/16`.
        public var IPv4Address = ""
        public var IPv6Address = ""
        public init() {}
    }

    public var Name = ""
    public var Id = ""
    /// RFC 3339 with nanoseconds.
    public var Created = ""
    public var Scope = "local"
    public var Driver = ""
    public var EnableIPv6 = false
    public var IPAM = IPAM()
    public var Internal = false
    public var Attachable = false
    public var Ingress = false
    public var ConfigFrom = ConfigReference()
    public var ConfigOnly = false
    public var Containers: [String: EndpointResource] = [:]
    public var Options: [String: String] = [:]
    public var Labels: [String: String] = [:]
    public init() {}
}

/// `POST /networks/create` body (`types.NetworkCreateRequest`); absent fields are Docker's zero values.
public struct NetworkCreateRequest: Codable, Sendable, Equatable {
    public struct IPAMRequest: Codable, Sendable, Equatable {
        public var Driver: String?
        public var Config: [NetworkResource.IPAMConfig]?
        public var Options: [String: String]?
        public init(Driver: String? = nil, Config: [NetworkResource.IPAMConfig]? = nil, Options: [String: String]? = nil) {
            self.Driver = Driver
            self.Config = Config
            self.Options = Options
        }
    }
    public init() {}
    public var Name: String?
    public var CheckDuplicate: Bool?
    public var Driver: String?
    public var Internal: Bool?
    public var Attachable: Bool?
    public var Ingress: Bool?
    public var EnableIPv6: Bool?
    public var IPAM: IPAMRequest?
    public var Options: [String: String]?
    public var Labels: [String: String]?
}

/// `POST /networks/create` → 201.
public struct NetworkCreateResponse: Codable, Sendable, Equatable {
    public var Id: String
    public var Warning: String
    public init(Id: String, Warning: String) { self.Id = Id; self.Warning = Warning }
}

/// `POST /networks/{id}/connect` body.
public struct NetworkConnectRequest: Codable, Sendable, Equatable {
    public var Container: String?
    public var EndpointConfig: NetworkingConfig.EndpointSettings?
}

/// `POST /networks/{id}/disconnect` body.
public struct NetworkDisconnectRequest: Codable, Sendable, Equatable {
    public var Container: String?
    public var Force: Bool?
}

/// `POST /networks/prune` → 200.
public struct NetworkPruneReport: Codable, Sendable, Equatable {
    public var NetworksDeleted: [String]?
    public init(NetworksDeleted: [String]?) { self.NetworksDeleted = NetworksDeleted }
}
