import CSQLite

/// SQLite wants text and blobs it must copy: SQLITE_TRANSIENT is a macro Swift cannot import.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement: bind, step, read columns, reset.
///
/// Statements belong to one `Connection` and are only used while that connection's lock is
/// held (inside `Database.read`/`write`), so they need no lock of their own.
public final class Statement {
    let handle: OpaquePointer
    private let db: OpaquePointer
    /// The SQL text, for error messages.
    public let sql: String

    init(db: OpaquePointer, sql: String) throws(MetadataError) {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw MetadataError.sqlite("prepare \"\(sql)\"", rc, db, fallback: .prepare)
        }
        self.db = db
        self.handle = stmt
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears earlier bindings and results so the statement can run again.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values` to parameters 1…n.
    public func bind(_ values: [any SQLBindable]) throws(MetadataError) {
        for (offset, value) in values.enumerated() { try bind(value.sqlValue, at: Int32(offset + 1)) }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLValue, at index: Int32) throws(MetadataError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, transientDestructor)
        case .blob(let v):
            rc = v.withUnsafeBytes { raw in
                sqlite3_bind_blob64(handle, index, raw.baseAddress, sqlite3_uint64(raw.count), transientDestructor)
            }
        }
        guard rc == SQLITE_OK else { throw MetadataError.sqlite("bind parameter \(index) of \"\(sql)\"", rc, db, fallback: .step) }
    }

    /// Runs one step: `true` when a row is ready to read, `false` when the statement is done.
    public func step() throws(MetadataError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            // Reset so the statement does not keep a read transaction or lock open.
            let error = MetadataError.sqlite("run \"\(sql)\"", rc, db, fallback: .step)
            sqlite3_reset(handle)
            throw error
        }
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The value of the 0-based column `index` of the current row.
    public func column(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, index) else { return .text("") }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let base = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default: return .null
        }
    }
}

/// One result row, read by column index with the type the caller expects.
public struct Row {
    let statement: Statement

    public func value(_ index: Int32) -> SQLValue { statement.column(index) }

    public func string(_ index: Int32) throws(MetadataError) -> String {
        guard case .text(let v) = statement.column(index) else { throw typeError(index, "text") }
        return v
    }

    public func optionalString(_ index: Int32) throws(MetadataError) -> String? {
        switch statement.column(index) {
        case .null: return nil
        case .text(let v): return v
        default: throw typeError(index, "text or null")
        }
    }

    public func int64(_ index: Int32) throws(MetadataError) -> Int64 {
        guard case .integer(let v) = statement.column(index) else { throw typeError(index, "integer") }
        return v
    }

    public func int(_ index: Int32) throws(MetadataError) -> Int { Int(try int64(index)) }

    public func blob(_ index: Int32) throws(MetadataError) -> [UInt8] {
        switch statement.column(index) {
        case .blob(let v): return v
        case .text(let v): return Array(v.utf8)
        default: throw typeError(index, "blob")
        }
    }

    private func typeError(_ index: Int32, _ expected: String) -> MetadataError {
        MetadataError(.corrupt, "column \(index) of \"\(statement.sql)\" is not \(expected) (got \(statement.column(index)))")
    }
}
