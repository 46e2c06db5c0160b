/// Hand-written JSON for outputs whose key order engines and people read (`state`, `list`, `ps`).
enum JSONText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
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

    static func object(_ map: [String: String], indent: String) -> String {
        if map.isEmpty { return "{}" }
        let inner = map.sorted { $0.key < $1.key }.map { "\(indent)  \(quote($0.key)): \(quote($0.value))" }
        return "{\n" + inner.joined(separator: ",\n") + "\n\(indent)}"
    }
}
