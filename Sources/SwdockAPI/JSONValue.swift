import SwdockOS

/// Any JSON document, decoded without losing the difference between `true` and `1`; used where
/// the shape is only known at run time (daemon.json, `--format` templates).
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .number(let v):
            if v.rounded() == v, abs(v) < 1e15 { try container.encode(Int64(v)) } else { try container.encode(v) }
        case .string(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        }
    }

    /// Compact JSON text with keys sorted.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let v): return v ? "true" : "false"
        case .number(let v): return v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .string(let v): return Self.quote(v)
        case .array(let v): return "[" + v.map(\.description).joined(separator: ",") + "]"
        case .object(let v):
            return "{" + v.keys.sorted().map { Self.quote($0) + ":" + v[$0]!.description }.joined(separator: ",") + "}"
        }
    }

    /// The value as Go's `fmt` prints it in a template (`{{.X}}`): strings bare, numbers plain,
    /// lists as `[a b]`, maps as `map[k:v]`.
    public var templateText: String {
        switch self {
        case .null: return "<nil>"
        case .string(let v): return v
        case .array(let v): return "[" + v.map(\.templateText).joined(separator: " ") + "]"
        case .object(let v): return "map[" + v.keys.sorted().map { "\($0):\(v[$0]!.templateText)" }.joined(separator: " ") + "]"
        default: return description
        }
    }

    static func quote(_ text: String) -> String { JSONQuoting.quote(text, escapingHTML: true) }

    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let map) = self else { return nil }
        return map[key]
    }
}
