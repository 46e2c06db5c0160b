import FoundationEssentials
import Crypto

/// A content digest as OCI writes it: `algorithm:encoded` (`sha256:` and 64 lower-case hex digits).
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let algorithm: String
    public let encoded: String

    /// Parses and validates `sha256:<64 hex>` (and `sha512:<128 hex>`).
    public init(parsing text: String) throws(DigestError) {
        guard let colon = text.firstIndex(of: ":") else { throw .invalid(text) }
        let algorithm = String(text[..<colon])
        let encoded = String(text[text.index(after: colon)...])
        let expectedLength: Int
        switch algorithm {
        case "sha256": expectedLength = 64
        case "sha512": expectedLength = 128
        default: throw .unsupportedAlgorithm(algorithm)
        }
        guard encoded.utf8.count == expectedLength,
              encoded.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { throw .invalid(text) }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// The sha256 digest of `bytes`.
    public static func sha256(of bytes: some DataProtocol) -> Digest {
        Digest(sha256Hex: SHA256.hash(data: bytes).hexString)
    }

    /// A sha256 digest from 64 lower-case hex digits the caller computed (not re-validated).
    public init(sha256Hex: String) {
        algorithm = "sha256"
        encoded = sha256Hex
    }

    public var description: String { "\(algorithm):\(encoded)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Digest(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why a digest string was refused.
public enum DigestError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case unsupportedAlgorithm(String)

    public var description: String {
        switch self {
        case .invalid(let text): return "invalid digest \"\(text)\": want sha256:<64 lower-case hex digits>"
        case .unsupportedAlgorithm(let name): return "unsupported digest algorithm \"\(name)\""
        }
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal text of the bytes.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
