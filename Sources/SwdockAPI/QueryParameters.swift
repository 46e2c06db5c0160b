/// The query string of a request, decoded as Go's `url.ParseQuery` does (`+` is a space,
/// `%XX` escapes), with dockerd's rules for booleans and integers.
public struct QueryParameters: Sendable, Equatable {
    /// Every (name, value) pair in order; a name may repeat.
    public let pairs: [(String, String)]

    public init(_ query: some StringProtocol) {
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            if !key.isEmpty { pairs.append((key, value)) }
        }
        self.pairs = pairs
    }

    public static func == (a: QueryParameters, b: QueryParameters) -> Bool {
        a.pairs.map { [$0.0, $0.1] } == b.pairs.map { [$0.0, $0.1] }
    }

    /// Percent-decodes `text`, turning `+` into a space; malformed escapes are kept literally.
    public static func decode(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if utf8.count >= 2, let hi = hexValue(utf8[utf8.startIndex]), let lo = hexValue(utf8[utf8.startIndex + 1]) {
                    bytes.append(hi << 4 | lo)
                    utf8 = utf8.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The first value of `name` (Go's `FormValue`), or nil when absent.
    public subscript(_ name: String) -> String? { pairs.first(where: { $0.0 == name })?.1 }

    /// Every value of `name`.
    public func values(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    public func contains(_ name: String) -> Bool { pairs.contains { $0.0 == name } }

    /// dockerd's `BoolValue`: false for a missing value and for "", "0", "no", "false", "none"
    /// (any case, surrounding spaces ignored); true for anything else ("1", "True", "yes").
    public func bool(_ name: String) -> Bool {
        guard let raw = self[name] else { return false }
        let value = raw.trimmingASCIIWhitespace().lowercased()
        return !["", "0", "no", "false", "none"].contains(value)
    }

    /// dockerd's `BoolValueOrDefault`: `defaultValue` when the parameter is absent.
    public func bool(_ name: String, default defaultValue: Bool) -> Bool {
        contains(name) ? bool(name) : defaultValue
    }

    /// An integer parameter; absent or empty gives `defaultValue`, anything else that is not an
    /// integer is a 400 naming the parameter.
    public func int(_ name: String, default defaultValue: Int) throws(APIError) -> Int {
        guard let raw = self[name], !raw.isEmpty else { return defaultValue }
        guard let value = Int(raw) else { throw .badRequest("invalid value for \(name): \(raw)") }
        return value
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
