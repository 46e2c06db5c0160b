import SwdockOS

/// Hand-written JSON for outputs whose key order engines and people read (`state`, `list`, `ps`).
enum JSONText {
    static func quote(_ text: String) -> String { JSONQuoting.quote(text) }

    static func object(_ map: [String: String], indent: String) -> String {
        if map.isEmpty { return "{}" }
        let inner = map.sorted { $0.key < $1.key }.map { "\(indent)  \(quote($0.key)): \(quote($0.value))" }
        return "{\n" + inner.joined(separator: ",\n") + "\n\(indent)}"
    }
}
