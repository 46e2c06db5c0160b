import CSQLite
import Foundation

/// How hard a commit tries to reach the disk.
public enum Durability: String, Sendable {
    /// `synchronous=NORMAL` in WAL mode: a commit is in the WAL before COMMIT returns, so it
    /// survives the process being killed (kill -9) at any instant; only an OS crash or power
    /// loss can lose the last commits, never corrupt the file. This is the default: after a power
    /// loss no container is running anyway and the engine reconciles its records at start-up,
    /// while an fsync per state change would cost milliseconds on every run/stop/rm.
    case normal
    /// `synchronous=FULL`: additionally fsyncs the WAL on every commit, so commits also survive
    /// power loss.
    case full
}

/// The engine's state database: one SQLite file in WAL mode with a versioned schema.
///
/// Thread safety: one connection guarded by one lock. Every `read`/`write` block holds the
/// lock for its whole length, so a transaction is never interleaved with statements from
/// another thread (SQLite transactions belong to the connection, not to the thread). swdockd's
/// writes are small (one row per state change) and SQLite serialises writers anyway, so a
/// second connection would buy little; a read-only connection for long scans can be added later
/// because WAL lets readers run beside the writer.
public final class Database: @unchecked Sendable {
    // Recursive so a nested `write` inside a block fails as `.misuse` instead of deadlocking.
    private let lock = NSRecursiveLock()
    private let connection: Connection
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`, configures WAL, durability and the busy
    /// timeout, and applies `migrations` that are newer than the file's `user_version`.
    public init(path: String, durability: Durability = .normal, busyTimeoutMilliseconds: Int32 = 5000,
                migrations: [Migration] = Schema.migrations) throws(MetadataError) {
        var handle: OpaquePointer?
        // NOMUTEX: our lock serialises every use of the connection.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let error = MetadataError.sqlite("open database \(path)", rc, handle, fallback: .open)
            sqlite3_close_v2(handle)
            throw error
        }
        sqlite3_extended_result_codes(handle, 1)
        self.connection = Connection(handle: handle)
        self.path = path
        do {
            sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
            let mode = try connection.scalarString("PRAGMA journal_mode=WAL")
            guard mode.lowercased() == "wal" else {
                throw MetadataError(.open, "enable WAL on \(path): journal_mode is \(mode)")
            }
            try connection.executeScript("PRAGMA synchronous=\(durability == .full ? "FULL" : "NORMAL");"
                                         + "PRAGMA foreign_keys=ON;")
            try Migrator(migrations: migrations).migrate(connection, path: path)
        } catch let error as MetadataError {
            throw error
        } catch {
            throw MetadataError(.open, "configure database \(path)", cause: "\(error)")
        }
    }

    /// Runs `body` with the connection and no explicit transaction (each statement is its own).
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back
    /// when it throws (the error is rethrown unchanged), so a write is all or nothing.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try Database.transaction(connection, body)
    }

    /// The transaction protocol, shared with the migrator.
    static func transaction<T>(_ connection: Connection, _ body: (Connection) throws -> T) throws -> T {
        guard !connection.inTransaction else {
            throw MetadataError(.misuse, "begin transaction: a transaction is already open on this connection")
        }
        // IMMEDIATE takes the write lock at BEGIN, so a busy database fails here (after the busy
        // timeout) instead of half-way through the block.
        try connection.executeScript("BEGIN IMMEDIATE")
        connection.inTransaction = true
        defer { connection.inTransaction = false }
        let result: T
        do {
            result = try body(connection)
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
        do {
            try connection.executeScript("COMMIT")
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
        return result
    }

    /// The schema version stored in the file (`PRAGMA user_version`).
    public func schemaVersion() throws -> Int {
        try read { connection in Int(try connection.scalarInt("PRAGMA user_version")) }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file, otherwise SQLite's list of problems.
    public func integrityCheck() throws -> String {
        try read { connection in
            try connection.query("PRAGMA integrity_check", []) { row in try row.string(0) }.joined(separator: "; ")
        }
    }
}
