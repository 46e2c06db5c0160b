import SwdockMetadata
import SwdockNetwork
import SwdockOS

/// What the store keeps of a network (`networks.config`, JSON), in Docker's words.
public struct NetworkDocument: Codable, Sendable, Equatable {
    /// `bridge`, `host` or `null` (Docker's driver of the `none` network).
    public var Driver: String
    /// The bridge device (bridge driver only).
    public var BridgeName: String?
    public var Subnet: String?
    public var Gateway: String?
    public var IPRange: String?
    public var Internal = false
    public var Labels: [String: String] = [:]
    public var Options: [String: String] = [:]
    /// The default `bridge`, `host`, `none`: created by the daemon, cannot be removed.
    public var Predefined = false
}

/// One network as the engine hands it out (list, inspect).
public struct NetworkInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var created: Timestamp
    public var document: NetworkDocument
    /// Running containers on it: container ID → endpoint.
    public var endpoints: [String: EndpointInfo]
}

/// A container's endpoint on one network, as inspect shows it.
public struct EndpointInfo: Sendable, Equatable {
    public var networkID: String
    public var networkName: String
    public var containerName: String
    public var endpointID: String
    public var ipAddress: String
    public var prefixLength: Int
    public var gateway: String
    public var macAddress: String
    public var aliases: [String]
    public var requestedIPv4: String?
}

/// One published port: what `-p` asked for and, while the container runs, the host port it got.
public struct PublishedPort: Codable, Sendable, Equatable {
    /// `tcp` or `udp`.
    public var proto: String
    public var containerPort: UInt16
    /// `0.0.0.0` for every address.
    public var hostIP: String
    public var hostPort: UInt16
}

/// A container's networking as inspect shows it.
public struct ContainerNetworkInfo: Sendable, Equatable {
    /// The namespace path (`SandboxKey`), empty when not running.
    public var sandboxKey: String
    /// Endpoints by network name.
    public var endpoints: [String: EndpointInfo]
    /// `80/tcp` → its bindings (empty: exposed, not published).
    public var ports: [String: [PublishedPort]]
}

/// A container's membership of one network (`network_endpoints.config`). The runtime fields
/// are set while the container runs (Docker gives a stopped container no address).
struct EndpointDocument: Codable, Sendable, Equatable {
    var Aliases: [String] = []
    var RequestedIPv4: String?
    var RequestedMAC: String?
    var EndpointID: String?
    var Address: UInt32?
    var MAC: String?
    var HostInterface: String?
    var Ports: [PublishedPort] = []
    /// The interface inside the container (`eth0`, `eth1`, …).
    var Interface: String?

    var isActive: Bool { Address != nil }
}

/// What a create request asks of the networks (`NetworkingConfig.EndpointsConfig`, `MacAddress`).
public struct ContainerNetworkRequest: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable {
        public var aliases: [String]
        public var ipv4Address: String?
        public var macAddress: String?
        public init(aliases: [String] = [], ipv4Address: String? = nil, macAddress: String? = nil) {
            self.aliases = aliases
            self.ipv4Address = ipv4Address
            self.macAddress = macAddress
        }
    }
    /// By network name (or `default`).
    public var endpoints: [String: Endpoint]
    /// `Config.MacAddress` (`--mac-address`).
    public var macAddress: String?
    public init(endpoints: [String: Endpoint] = [:], macAddress: String? = nil) {
        self.endpoints = endpoints
        self.macAddress = macAddress
    }
}

/// `POST /networks/create` as the engine takes it.
public struct NetworkCreateOptions: Sendable, Equatable {
    public var name: String
    public var driver: String
    public var subnet: String?
    public var gateway: String?
    public var ipRange: String?
    public var isInternal: Bool
    public var labels: [String: String]
    public var options: [String: String]
    public var checkDuplicate: Bool
    public init(name: String, driver: String = "bridge", subnet: String? = nil, gateway: String? = nil, ipRange: String? = nil,
                isInternal: Bool = false, labels: [String: String] = [:], options: [String: String] = [:], checkDuplicate: Bool = true) {
        self.name = name
        self.driver = driver
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.isInternal = isInternal
        self.labels = labels
        self.options = options
        self.checkDuplicate = checkDuplicate
    }
}

/// Leases in the state store: the UNIQUE (network_id, address) key turns a second lease of an
/// address into `.conflict`, which the allocator takes as "try the next one".
struct SQLiteLeaseStore: IPLeaseStore {
    let database: Database

    func leases(network: String) throws(NetworkError) -> [IPLease] {
        do {
            return try database.read { try $0.leases(networkID: network) }
                .map { IPLease(network: network, address: UInt32(truncatingIfNeeded: $0.address), owner: $0.owner) }
        } catch { throw NetworkError(.system, "read the IP leases of network \(network): \(error)") }
    }

    func insert(_ lease: IPLease) throws(NetworkError) {
        do {
            try database.write { try $0.insertLease(networkID: lease.network, address: Int64(lease.address), owner: lease.owner) }
        } catch let error as MetadataError where error.code == .constraint {
            throw NetworkError(.conflict, "lease \(IPv4Subnet.format(lease.address)) in network \(lease.network): address already in use")
        } catch {
            throw NetworkError(.system, "record the IP lease \(IPv4Subnet.format(lease.address)) in network \(lease.network): \(error)")
        }
    }

    func delete(network: String, address: UInt32) throws(NetworkError) {
        do { try database.write { try $0.deleteLease(networkID: network, address: Int64(address)) } } catch {
            throw NetworkError(.system, "release the IP lease \(IPv4Subnet.format(address)) in network \(network): \(error)")
        }
    }
}
