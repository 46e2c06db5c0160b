import CSQLite

/// One open SQLite connection with a cache of prepared statements.
///
/// A `Connection` is not thread-safe by itself; `Database` hands it out only while holding
/// its lock, for the length of one `read` or `write` block.
public final class Connection {
    let handle: OpaquePointer
    private var cache: [String: Statement] = [:]
    /// True between BEGIN and COMMIT/ROLLBACK of a `Database.write` block.
    var inTransaction = false

    init(handle: OpaquePointer) { self.handle = handle }

    deinit {
        cache.removeAll()  // finalize statements before closing
        sqlite3_close_v2(handle)
    }

    /// A prepared statement for `sql`, compiled once and reused.
    public func prepare(_ sql: String) throws -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try Statement(db: handle, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows (INSERT/UPDATE/DELETE/DDL) with `parameters`.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs several `;`-separated statements without parameters (schema scripts).
    public func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            var error = MetadataError.sqlite("run script", rc, handle, fallback: .step)
            error = MetadataError(error.code, "run script \"\(sql.prefix(80))…\"", sqliteCode: rc, cause: text)
            throw error
        }
    }

    /// Runs a query and maps every row with `transform`.
    public func query<T>(_ sql: String, _ parameters: [any SQLBindable] = [],
                         _ transform: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        var rows: [T] = []
        while try statement.step() { rows.append(try transform(Row(statement: statement))) }
        return rows
    }

    /// The first row mapped with `transform`, or nil when the query returns nothing.
    public func queryOne<T>(_ sql: String, _ parameters: [any SQLBindable] = [],
                            _ transform: (Row) throws -> T) throws -> T? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(parameters)
        guard try statement.step() else { return nil }
        return try transform(Row(statement: statement))
    }

    /// A single integer (`SELECT count(*) …`, `PRAGMA user_version`).
    public func scalarInt(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> Int64 {
        guard let value = try queryOne(sql, parameters, { row in try row.int64(0) }) else {
            throw MetadataError(.notFound, "\"\(sql)\" returned no row")
        }
        return value
    }

    /// A single text value (`PRAGMA journal_mode`).
    public func scalarString(_ sql: String) throws -> String {
        guard let value = try queryOne(sql, [], { row in try row.string(0) }) else {
            throw MetadataError(.notFound, "\"\(sql)\" returned no row")
        }
        return value
    }
}
