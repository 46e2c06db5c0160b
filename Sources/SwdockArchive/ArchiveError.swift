import SwdockOS

/// The error of the archive layer: what went wrong, a message naming the step and the
/// object (the layer entry, the root directory), and the underlying cause when there is one.
public struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is, for callers that react differently to each.
    public enum Code: String, Sendable {
        /// The bytes are not a readable tar (or compressed tar) stream.
        case invalidArchive
        /// An entry is refused by the safety policy (see `LayerApplier`).
        case unsafeEntry
        /// The sha256 of the uncompressed stream differs from the expected diffID.
        case diffIDMismatch
        /// A file-system operation failed while extracting.
        case io
        /// An entry would replace a directory with a non-directory or the reverse, which the
        /// caller forbade (`noOverwriteDirNonDir`).
        case conflict
        /// The entry or operation is valid but swdock does not support it.
        case notSupported
    }

    public let code: Code
    public let message: String
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}
