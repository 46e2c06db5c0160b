/// Docker's detach sequence (`--detach-keys`, `detachKeys`): comma-separated keys, each a
/// single character or `ctrl-<c>` with `<c>` one of a-z @ [ \ ] ^ _ (as moby's `term.ToBytes`).
public struct DetachKeys: Sendable, Equatable {
    public var bytes: [UInt8]

    /// ctrl-p ctrl-q.
    public static let standard = DetachKeys(bytes: [0x10, 0x11])

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses `ctrl-p,ctrl-q`; an empty text is the default.
    public init(parsing text: String) throws(APIError) {
        if text.isEmpty { self = .standard; return }
        var bytes: [UInt8] = []
        for key in text.split(separator: ",", omittingEmptySubsequences: false) {
            let lower = key.lowercased()
            if lower.hasPrefix("ctrl-") && lower.utf8.count == 6 {
                let c = lower.utf8.last!
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(c - UInt8(ascii: "a") + 1)
                case UInt8(ascii: "@"): bytes.append(0)
                case UInt8(ascii: "["): bytes.append(27)
                case UInt8(ascii: "\\"): bytes.append(28)
                case UInt8(ascii: "]"): bytes.append(29)
                case UInt8(ascii: "^"): bytes.append(30)
                case UInt8(ascii: "_"): bytes.append(31)
                default: throw APIError.badRequest("Invalid escape keys (\(text)) provided")
                }
            } else if key.utf8.count == 1 {
                bytes.append(key.utf8.first!)
            } else {
                throw APIError.badRequest("Invalid escape keys (\(text)) provided")
            }
        }
        self.bytes = bytes
    }
}

/// Watches a byte stream for the detach sequence, as moby's escape proxy: bytes that could
/// start the sequence are held back; a mismatch releases them, a full match is the detach
/// (the sequence itself is never passed on).
public struct DetachKeyMatcher: Sendable {
    public let keys: DetachKeys
    private var matched = 0

    public init(_ keys: DetachKeys) { self.keys = keys }

    /// The bytes to pass on, and whether the sequence completed (bytes after it are dropped).
    public mutating func feed(_ input: [UInt8]) -> (pass: [UInt8], detached: Bool) {
        let sequence = keys.bytes
        guard !sequence.isEmpty else { return (input, false) }
        var pass: [UInt8] = []
        pass.reserveCapacity(input.count)
        for byte in input {
            if byte == sequence[matched] {
                matched += 1
                if matched == sequence.count {
                    matched = 0
                    return (pass, true)
                }
                continue
            }
            // Release what was held, then see whether this byte starts a new match.
            pass.append(contentsOf: sequence[0..<matched])
            matched = 0
            if byte == sequence[0] {
                matched = 1
                if sequence.count == 1 { return (pass, true) }
            } else {
                pass.append(byte)
            }
        }
        return (pass, false)
    }
}
