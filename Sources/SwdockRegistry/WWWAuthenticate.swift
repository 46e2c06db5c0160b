/// One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`.
public struct AuthChallenge: Hashable, Sendable {
    /// Lower-cased scheme (`bearer`, `basic`).
    public let scheme: String
    /// Parameters with lower-cased names and unquoted values.
    public let parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
    }

    /// Parses every challenge of a header value (RFC 7235: a scheme, then `name=value` pairs
    /// whose values are tokens or quoted strings with `\` escapes; challenges separated by commas).
    public static func parse(_ header: String) -> [AuthChallenge] {
        let bytes = Array(header.utf8)
        var i = 0
        var result: [AuthChallenge] = []
        func skipSpace() { while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 { i += 1 } }
        func isTokenByte(_ b: UInt8) -> Bool {
            b > 32 && b < 127 && !"\"(),/:;<=>?@[\\]{}".utf8.contains(b)
        }
        func token() -> String {
            let start = i
            // token68 values (Basic credentials) may contain '/', '=' at the end: allowed here.
            while i < bytes.count, isTokenByte(bytes[i]) || bytes[i] == 47 { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        func quoted() -> String {
            var out: [UInt8] = []
            i += 1  // opening quote
            while i < bytes.count, bytes[i] != 34 {
                if bytes[i] == 92, i + 1 < bytes.count { i += 1 }
                out.append(bytes[i])
                i += 1
            }
            i += 1  // closing quote
            return String(decoding: out, as: UTF8.self)
        }
        while i < bytes.count {
            skipSpace()
            while i < bytes.count, bytes[i] == 44 { i += 1; skipSpace() }
            let scheme = token()
            if scheme.isEmpty { i += 1; continue }
            var parameters: [String: String] = [:]
            while true {
                skipSpace()
                while i < bytes.count, bytes[i] == 44 { i += 1; skipSpace() }
                let save = i
                let name = token()
                skipSpace()
                guard !name.isEmpty, i < bytes.count, bytes[i] == 61 else {
                    i = save  // not a parameter: the next challenge's scheme
                    break
                }
                i += 1
                skipSpace()
                let value = i < bytes.count && bytes[i] == 34 ? quoted() : token()
                parameters[name.lowercased()] = value
            }
            result.append(AuthChallenge(scheme: scheme, parameters: parameters))
        }
        return result
    }
}
