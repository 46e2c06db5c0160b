/// JSON string literals written by hand, without Foundation: for outputs whose exact bytes
/// and key order matter (the runtime's `state` and logs, Go-template output of the CLI).
public enum JSONQuoting {
    /// `text` as a JSON string literal. With `escapingHTML`, `<`, `>` and `&` are written as
    /// `\u003c`, `\u003e` and `\u0026`, as Go's encoding/json (and so Docker) writes them.
    public static func quote(_ text: String, escapingHTML: Bool = false) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where escapingHTML: out += "\\u003c"
            case ">" where escapingHTML: out += "\\u003e"
            case "&" where escapingHTML: out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
