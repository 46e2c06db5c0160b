import Crypto

/// A sha256 digest computed over bytes that arrive in pieces (a blob read from a file in
/// chunks), for callers that must not hold the whole blob in memory.
public struct SHA256Digester: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) } }

    /// The digest of everything passed to `update`.
    public func finalize() -> Digest { Digest(sha256Hex: hasher.finalize().hexString) }
}
