import SwdockAPI
import SwdockOS

/// A JSON document as the daemon sent it: object keys keep their order and numbers keep their
/// text, so `{{json .Config}}` and `inspect` print what docker prints (Go marshals its structs
/// in field order, which is the order on the wire), and large integers never become floats.
/// CLI-only; the server side uses typed `SwdockAPI` values.
enum JSONNode: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text (`1796154120`, `-1`, `0.5`).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])

    static func == (lhs: JSONNode, rhs: JSONNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b || Double(a) == Double(b)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member `key` of an object (exact, then case-insensitive as Go's field lookup finds
    /// `.Server.APIVersion` for `ApiVersion`); nil when absent or not an object.
    /// The object with member `key` set to `value` (added when missing); other nodes unchanged.
    func replacing(_ key: String, with value: JSONNode) -> JSONNode {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = value } else { members.append((key, value)) }
        return .object(members)
    }

    subscript(_ key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        if let hit = members.first(where: { $0.0 == key }) { return hit.1 }
        let lower = key.lowercased()
        return members.first(where: { $0.0.lowercased() == lower })?.1
    }

    var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    var arrayValue: [JSONNode] { if case .array(let a) = self { return a } else { return [] } }
    var int64Value: Int64? {
        switch self {
        case .number(let text): return Int64(text) ?? Double(text).map { Int64($0) }
        case .string(let text): return Int64(text)
        default: return nil
        }
    }
    var boolValue: Bool { if case .bool(let b) = self { return b } else { return false } }

    /// From the typed JSON value of SwdockAPI (keys sorted: it keeps no order).
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number: self = .number(value.description)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(JSONNode.init))
        case .object(let o): self = .object(o.keys.sorted().map { ($0, JSONNode(o[$0]!)) })
        }
    }

    // MARK: text

    /// Compact JSON as Go's `json.Marshal` writes it (`<`, `>`, `&` escaped as `\u003c`…).
    var compactText: String { compactText(escapingHTML: true) }

    /// Compact JSON; docker's template `json` function encodes with `SetEscapeHTML(false)`.
    func compactText(escapingHTML: Bool) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let text): return text
        case .string(let s): return JSONQuoting.quote(s, escapingHTML: escapingHTML)
        case .array(let items): return "[" + items.map { $0.compactText(escapingHTML: escapingHTML) }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONQuoting.quote($0.0, escapingHTML: escapingHTML) + ":" + $0.1.compactText(escapingHTML: escapingHTML) }
                .joined(separator: ",") + "}"
        }
    }

    /// The value as Go's template printer shows it: strings bare, `[a b]` for lists,
    /// `map[k:v]` (keys sorted) for objects, and `[]` for null: the nulls of docker's JSON are
    /// mostly nil slices (`Entrypoint`, `Binds`), which Go prints so.
    var templateText: String {
        switch self {
        case .null: return "[]"
        case .bool(let b): return b ? "true" : "false"
        case .number(let text): return Self.goNumberText(text)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(\.templateText).joined(separator: " ") + "]"
        case .object(let members):
            return "map[" + members.sorted { $0.0 < $1.0 }.map { "\($0.0):\($0.1.templateText)" }.joined(separator: " ") + "]"
        }
    }

    /// Integers print as they are; fractions as Go's `%v` of a float64 would.
    static func goNumberText(_ text: String) -> String {
        if Int64(text) != nil { return text }
        guard let value = Double(text) else { return text }
        if value.rounded() == value, abs(value) < 1e21 { return String(Int64(value)) }
        return String(value)
    }

    // MARK: parsing

    /// Parses a JSON document.
    static func parse(_ bytes: [UInt8]) throws -> JSONNode {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.error("trailing data") }
        return value
    }

    static func parse(_ text: String) throws -> JSONNode { try parse(Array(text.utf8)) }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ what: String) -> ValidationErrorText {
            ValidationErrorText("invalid JSON from the daemon: \(what) at byte \(index)")
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ literal: String, _ value: JSONNode) throws -> JSONNode {
            let text = Array(literal.utf8)
            guard index + text.count <= bytes.count, Array(bytes[index..<index + text.count]) == text else {
                throw error("expected \(literal)")
            }
            index += text.count
            return value
        }

        mutating func value() throws -> JSONNode {
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(String, JSONNode)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected :") }
                    index += 1
                    skipSpace()
                    members.append((key, try value()))
                    skipSpace()
                    guard index < bytes.count else { throw error("unexpected end in object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                    throw error("expected , or }")
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONNode] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value())
                    skipSpace()
                    guard index < bytes.count else { throw error("unexpected end in array") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                    throw error("expected , or ]")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            default:
                let start = index
                while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
                guard index > start else { throw error("unexpected character") }
                return .number(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }

        mutating func string() throws -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string") }
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                       bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(escape)
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw error("bad \\u escape")
            }
            index += 4
            return value
        }
    }
}

/// Go's `json.Indent(dst, src, "", "    ")`: re-indents JSON text without re-encoding it, as
/// `docker inspect` prints the daemon's bytes.
func indentJSON(_ bytes: [UInt8], indent: String = "    ") -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    let unit = Array(indent.utf8)
    var depth = 0
    var inString = false
    var escaped = false
    var needIndent = false
    func newline() {
        out.append(0x0a)
        for _ in 0..<depth { out.append(contentsOf: unit) }
    }
    for byte in bytes {
        if inString {
            out.append(byte)
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            continue
        }
        if [0x20, 0x0a, 0x0d, 0x09].contains(byte) { continue }
        if needIndent, byte != UInt8(ascii: "]"), byte != UInt8(ascii: "}") {
            needIndent = false
            depth += 1
            newline()
        }
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
            out.append(byte)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            out.append(byte)
            needIndent = true
        case UInt8(ascii: ","):
            out.append(byte)
            newline()
        case UInt8(ascii: ":"):
            out.append(byte)
            out.append(0x20)
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            if needIndent {
                needIndent = false // empty: `{}` / `[]`
            } else {
                depth -= 1
                newline()
            }
            out.append(byte)
        default:
            out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
}
