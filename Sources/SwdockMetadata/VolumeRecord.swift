/// One row of `volumes`: a volume of the local driver. `labels` and `options` are JSON objects.
public struct VolumeRecord: Sendable, Equatable {
    public var name: String
    public var driver: String
    public var labels: String
    public var options: String
    /// Created for a container (`-v /path`, an image's `Volumes`) rather than by name.
    public var anonymous: Bool
    public var createdNanoseconds: Int64

    public init(name: String, driver: String, labels: String, options: String, anonymous: Bool, createdNanoseconds: Int64) {
        self.name = name
        self.driver = driver
        self.labels = labels
        self.options = options
        self.anonymous = anonymous
        self.createdNanoseconds = createdNanoseconds
    }
}

extension Connection {
    public func insertVolume(_ record: VolumeRecord) throws {
        _ = try execute("INSERT INTO volumes (name, driver, labels, options, anonymous, created_ns) VALUES (?, ?, ?, ?, ?, ?)",
                        [record.name, record.driver, record.labels, record.options, record.anonymous ? 1 : 0, record.createdNanoseconds])
    }

    public func volume(name: String) throws -> VolumeRecord? {
        try queryOne("SELECT name, driver, labels, options, anonymous, created_ns FROM volumes WHERE name = ?", [name], Self.volumeRow)
    }

    public func allVolumes() throws -> [VolumeRecord] {
        try query("SELECT name, driver, labels, options, anonymous, created_ns FROM volumes ORDER BY name", [], Self.volumeRow)
    }

    /// Deletes the row; false when there was none.
    public func deleteVolume(name: String) throws -> Bool {
        try execute("DELETE FROM volumes WHERE name = ?", [name]) > 0
    }

    static func volumeRow(_ row: Row) throws -> VolumeRecord {
        VolumeRecord(name: try row.string(0), driver: try row.string(1), labels: try row.string(2), options: try row.string(3),
                     anonymous: try row.int(4) != 0, createdNanoseconds: try row.int64(5))
    }
}
