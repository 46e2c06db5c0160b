import CSQLite

/// The error of the metadata layer: what failed (`code`), a message naming the step and the
/// object, and the SQLite result behind it when there is one.
public struct MetadataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, as far as a caller needs to branch on it.
    public enum Code: String, Sendable, Equatable {
        /// Opening or configuring the database file.
        case open
        /// Compiling a statement.
        case prepare
        /// Running a statement (`step`), including I/O errors.
        case step
        /// A UNIQUE / PRIMARY KEY / FOREIGN KEY / CHECK constraint refused the write.
        case constraint
        /// Another process holds the database locked past the busy timeout.
        case busy
        /// The schema on disk is newer than this build, or a migration failed.
        case migration
        /// A row the caller asked for does not exist.
        case notFound
        /// A stored value does not have the type or shape the caller expected.
        case corrupt
        /// A transaction was started inside another one on the same connection.
        case misuse
    }

    public let code: Code
    public let message: String
    /// The SQLite extended result code, when SQLite reported the failure.
    public let sqliteCode: Int32?
    /// SQLite's own text for the failure (`sqlite3_errmsg`), when there is one.
    public let cause: String?

    public init(_ code: Code, _ message: String, sqliteCode: Int32? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    /// Builds the error for a failed SQLite call, classifying the result code.
    static func sqlite(_ step: String, _ result: Int32, _ db: OpaquePointer?, fallback: Code) -> MetadataError {
        let text = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(result))
        let code: Code
        switch result & 0xff {
        case SQLITE_CONSTRAINT: code = .constraint
        case SQLITE_BUSY, SQLITE_LOCKED: code = .busy
        case SQLITE_CORRUPT, SQLITE_NOTADB: code = .corrupt
        default: code = fallback
        }
        return MetadataError(code, step, sqliteCode: result, cause: text)
    }
}
