/// A container as the store keeps it. `state` and `config` are JSON text owned by the engine.
public struct ContainerRecord: Sendable, Equatable {
    /// 64 lowercase hex digits.
    public var id: String
    /// Docker's form, with the leading slash (`/t1`); unique.
    public var name: String
    /// The image ID (`sha256:…`) the container was created from.
    public var image: String
    /// Creation time, nanoseconds since the Unix epoch.
    public var createdNanoseconds: Int64
    /// JSON document: the container's State.
    public var state: String
    /// JSON document: the create request's Config and HostConfig.
    public var config: String

    public init(id: String, name: String, image: String, createdNanoseconds: Int64, state: String, config: String) {
        self.id = id
        self.name = name
        self.image = image
        self.createdNanoseconds = createdNanoseconds
        self.state = state
        self.config = config
    }
}

extension Connection {
    private static let containerColumns = "id, name, image, created_ns, state, config"

    private static func container(_ row: Row) throws -> ContainerRecord {
        ContainerRecord(id: try row.string(0), name: try row.string(1), image: try row.string(2),
                        createdNanoseconds: try row.int64(3), state: try row.string(4), config: try row.string(5))
    }

    /// Inserts a new container; a taken name or ID is a `.constraint` error naming it.
    public func insertContainer(_ record: ContainerRecord) throws {
        do {
            try execute("INSERT INTO containers (\(Self.containerColumns)) VALUES (?, ?, ?, ?, ?, ?)",
                        [record.id, record.name, record.image, record.createdNanoseconds, record.state, record.config])
        } catch let error as MetadataError where error.code == .constraint {
            throw MetadataError(.constraint, "insert container \(record.id) named \"\(record.name)\"",
                                sqliteCode: error.sqliteCode, cause: error.cause)
        }
    }

    /// Replaces the state document of container `id`.
    public func updateContainerState(id: String, state: String) throws {
        let changed = try execute("UPDATE containers SET state = ? WHERE id = ?", [state, id])
        if changed == 0 { throw MetadataError(.notFound, "update state of container \(id): no such container") }
    }

    /// Renames container `id`; a taken name is a `.constraint` error.
    public func renameContainer(id: String, to name: String) throws {
        let changed = try execute("UPDATE containers SET name = ? WHERE id = ?", [name, id])
        if changed == 0 { throw MetadataError(.notFound, "rename container \(id): no such container") }
    }

    /// Deletes container `id`; returns whether a row was removed.
    @discardableResult
    public func deleteContainer(id: String) throws -> Bool {
        try execute("DELETE FROM containers WHERE id = ?", [id]) > 0
    }

    public func container(id: String) throws -> ContainerRecord? {
        try queryOne("SELECT \(Self.containerColumns) FROM containers WHERE id = ?", [id], Self.container)
    }

    public func container(name: String) throws -> ContainerRecord? {
        try queryOne("SELECT \(Self.containerColumns) FROM containers WHERE name = ?", [name], Self.container)
    }

    /// Containers whose ID starts with `prefix` (for Docker's short-ID resolution).
    public func containers(idPrefix prefix: String) throws -> [ContainerRecord] {
        // Hex IDs contain no LIKE wildcards; refuse anything else rather than escaping.
        guard prefix.allSatisfy({ $0.isHexDigit }) else { return [] }
        return try query("SELECT \(Self.containerColumns) FROM containers WHERE id LIKE ? || '%'", [prefix.lowercased()],
                         Self.container)
    }

    /// Every container, oldest first.
    public func allContainers() throws -> [ContainerRecord] {
        try query("SELECT \(Self.containerColumns) FROM containers ORDER BY created_ns, id", [], Self.container)
    }

    /// How many containers have `$.Status` = `status` in their state document (nil: all).
    public func containerCount(status: String? = nil) throws -> Int {
        if let status {
            return Int(try scalarInt("SELECT count(*) FROM containers WHERE json_extract(state, '$.Status') = ?", [status]))
        }
        return Int(try scalarInt("SELECT count(*) FROM containers"))
    }
}
