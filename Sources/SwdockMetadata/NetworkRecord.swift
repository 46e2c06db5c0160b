/// A network as the store keeps it. `config` is JSON text owned by the engine.
public struct NetworkRecord: Sendable, Equatable {
    /// 64 lowercase hex digits.
    public var id: String
    /// Unique (`bridge`, `host`, `none`, or a user network's name).
    public var name: String
    public var createdNanoseconds: Int64
    public var config: String

    public init(id: String, name: String, createdNanoseconds: Int64, config: String) {
        self.id = id
        self.name = name
        self.createdNanoseconds = createdNanoseconds
        self.config = config
    }
}

/// A container's membership of one network (`config`: the engine's JSON document).
public struct NetworkEndpointRecord: Sendable, Equatable {
    public var containerID: String
    public var networkID: String
    public var config: String

    public init(containerID: String, networkID: String, config: String) {
        self.containerID = containerID
        self.networkID = networkID
        self.config = config
    }
}

extension Connection {
    private static func network(_ row: Row) throws -> NetworkRecord {
        NetworkRecord(id: try row.string(0), name: try row.string(1), createdNanoseconds: try row.int64(2), config: try row.string(3))
    }

    /// Inserts a network; a taken name or ID is a `.constraint` error.
    public func insertNetwork(_ record: NetworkRecord) throws {
        do {
            try execute("INSERT INTO networks (id, name, created_ns, config) VALUES (?, ?, ?, ?)",
                        [record.id, record.name, record.createdNanoseconds, record.config])
        } catch let error as MetadataError where error.code == .constraint {
            throw MetadataError(.constraint, "insert network \(record.id) named \"\(record.name)\"",
                                sqliteCode: error.sqliteCode, cause: error.cause)
        }
    }

    public func updateNetworkConfig(id: String, config: String) throws {
        _ = try execute("UPDATE networks SET config = ? WHERE id = ?", [config, id])
    }

    /// Deletes a network with its leases; endpoints must be gone (the engine checks first).
    @discardableResult
    public func deleteNetwork(id: String) throws -> Bool {
        try execute("DELETE FROM networks WHERE id = ?", [id]) > 0
    }

    /// Every network, oldest first.
    public func allNetworks() throws -> [NetworkRecord] {
        try query("SELECT id, name, created_ns, config FROM networks ORDER BY created_ns, id", [], Self.network)
    }

    // MARK: leases

    /// Records a lease; a taken (network, address) is a `.constraint` error.
    public func insertLease(networkID: String, address: Int64, owner: String) throws {
        try execute("INSERT INTO ip_leases (network_id, address, owner) VALUES (?, ?, ?)", [networkID, address, owner])
    }

    public func deleteLease(networkID: String, address: Int64) throws {
        _ = try execute("DELETE FROM ip_leases WHERE network_id = ? AND address = ?", [networkID, address])
    }

    /// (address, owner) of every lease of a network.
    public func leases(networkID: String) throws -> [(address: Int64, owner: String)] {
        try query("SELECT address, owner FROM ip_leases WHERE network_id = ? ORDER BY address", [networkID]) {
            (try $0.int64(0), try $0.string(1))
        }
    }

    /// Every lease: (network, address, owner).
    public func allLeases() throws -> [(networkID: String, address: Int64, owner: String)] {
        try query("SELECT network_id, address, owner FROM ip_leases", []) { (try $0.string(0), try $0.int64(1), try $0.string(2)) }
    }

    // MARK: endpoints

    /// Inserts or replaces the endpoint of (container, network).
    public func putEndpoint(_ record: NetworkEndpointRecord) throws {
        try execute("INSERT OR REPLACE INTO network_endpoints (container_id, network_id, config) VALUES (?, ?, ?)",
                    [record.containerID, record.networkID, record.config])
    }

    public func deleteEndpoint(containerID: String, networkID: String) throws {
        _ = try execute("DELETE FROM network_endpoints WHERE container_id = ? AND network_id = ?", [containerID, networkID])
    }

    public func deleteEndpoints(containerID: String) throws {
        _ = try execute("DELETE FROM network_endpoints WHERE container_id = ?", [containerID])
    }

    public func endpoints(containerID: String) throws -> [NetworkEndpointRecord] {
        try query("SELECT container_id, network_id, config FROM network_endpoints WHERE container_id = ? ORDER BY rowid",
                  [containerID]) { NetworkEndpointRecord(containerID: try $0.string(0), networkID: try $0.string(1), config: try $0.string(2)) }
    }

    public func endpoints(networkID: String) throws -> [NetworkEndpointRecord] {
        try query("SELECT container_id, network_id, config FROM network_endpoints WHERE network_id = ? ORDER BY rowid",
                  [networkID]) { NetworkEndpointRecord(containerID: try $0.string(0), networkID: try $0.string(1), config: try $0.string(2)) }
    }

    public func allEndpoints() throws -> [NetworkEndpointRecord] {
        try query("SELECT container_id, network_id, config FROM network_endpoints ORDER BY rowid", []) {
            NetworkEndpointRecord(containerID: try $0.string(0), networkID: try $0.string(1), config: try $0.string(2))
        }
    }
}
