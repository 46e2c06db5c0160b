/// One step of the schema: raises `PRAGMA user_version` from `version - 1` to `version`.
public struct Migration: Sendable {
    public let version: Int
    /// What the step does, for logs and errors.
    public let name: String
    /// The SQL of the step; it runs inside the migration's transaction.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies migrations in order, each in its own transaction together with the new user_version,
/// so a crash mid-migration leaves the previous version intact.
struct Migrator {
    let migrations: [Migration]

    func migrate(_ connection: Connection, path: String) throws {
        for (offset, migration) in migrations.enumerated() where migration.version != offset + 1 {
            throw MetadataError(.migration, "migration \"\(migration.name)\" has version \(migration.version), expected \(offset + 1)")
        }
        let onDisk = Int(try connection.scalarInt("PRAGMA user_version"))
        let latest = migrations.count
        if onDisk > latest {
            throw MetadataError(.migration, "database \(path) has schema version \(onDisk), newer than the \(latest) this swdockd knows; refusing to touch it")
        }
        for migration in migrations where migration.version > onDisk {
            do {
                try Database.transaction(connection) { connection in
                    try connection.executeScript(migration.sql)
                    // user_version cannot be bound as a parameter; the value is our own integer.
                    try connection.executeScript("PRAGMA user_version = \(migration.version)")
                }
            } catch let error as MetadataError {
                throw MetadataError(.migration, "migrate \(path) to schema version \(migration.version) (\(migration.name))",
                                    sqliteCode: error.sqliteCode, cause: error.description)
            }
        }
    }
}
