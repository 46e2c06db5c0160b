#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `filters` query parameter: a JSON object from a filter name to its values.
///
/// Both shapes clients send are accepted, as dockerd's `filters.FromJSON` does: the CLI's map
/// form `{"name":{"t1":true}}` and docker-py's list form `{"name":["t1"]}`.
public struct Filters: Sendable, Equatable {
    /// Filter name → set of values.
    public private(set) var fields: [String: Set<String>]

    public init(_ fields: [String: Set<String>] = [:]) { self.fields = fields }

    /// Parses the (already URL-decoded) parameter; empty text means no filters.
    public init(json text: String) throws(APIError) {
        fields = [:]
        guard !text.trimmingASCIIWhitespace().isEmpty else { return }
        let decoded: [String: FilterValues]
        do {
            decoded = try JSONDecoder().decode([String: FilterValues].self, from: Data(text.utf8))
        } catch {
            throw .badRequest("invalid filters: \(text) is not an object of lists or of value→bool maps", cause: "\(error)")
        }
        // Go decodes the map form into map[string]bool; only true entries are values.
        fields = decoded.mapValues(\.values)
    }

    /// The `filters` parameter of `query`, or no filters when it is absent.
    public init(query: QueryParameters) throws(APIError) { try self.init(json: query["filters"] ?? "") }

    public var isEmpty: Bool { fields.isEmpty }

    public func contains(_ name: String) -> Bool { fields[name] != nil }

    /// The values of `name`, sorted (so results do not depend on hashing).
    public func values(_ name: String) -> [String] { (fields[name] ?? []).sorted() }

    public mutating func add(_ name: String, _ value: String) { fields[name, default: []].insert(value) }

    /// Refuses filter names outside `accepted` with dockerd's 400 `invalid filter 'x'`.
    public func validate(accepted: Set<String>) throws(APIError) {
        for name in fields.keys.sorted() where !accepted.contains(name) { throw .badRequest("invalid filter '\(name)'") }
    }

    /// True when `name` is not filtered on or one of its values equals `value`.
    public func exactMatch(_ name: String, _ value: String) -> Bool {
        guard let values = fields[name], !values.isEmpty else { return true }
        return values.contains(value)
    }

    /// True when `name` is not filtered on or one of its values, as a regular expression, matches
    /// somewhere in `source` (dockerd's `Match`, used for `name`).
    public func match(_ name: String, _ source: String) -> Bool {
        guard let values = fields[name], !values.isEmpty else { return true }
        for pattern in values {
            if let regex = try? Regex(pattern) {
                if source.contains(regex) { return true }
            } else if source.contains(pattern) {
                return true
            }
        }
        return false
    }

    /// True when `name` is not filtered on or `source` starts with one of its values (`id`).
    public func prefixMatch(_ name: String, _ source: String) -> Bool {
        guard let values = fields[name], !values.isEmpty else { return true }
        return values.contains { source.hasPrefix($0) }
    }

    /// For boolean filters (`dangling=true`): nil when absent, else the value; a value other
    /// than true/false (any case, or 1/0) is a 400.
    public func bool(_ name: String) throws(APIError) -> Bool? {
        guard let values = fields[name], !values.isEmpty else { return nil }
        var result: Bool?
        for value in values {
            let parsed: Bool
            switch value.lowercased() {
            case "true", "1": parsed = true
            case "false", "0": parsed = false
            default: throw .badRequest("invalid filter '\(name)=\(value)'")
            }
            if let result, result != parsed { throw .badRequest("conflicting filter values for '\(name)'") }
            result = parsed
        }
        return result
    }
}

/// One filter's values in either wire shape.
private struct FilterValues: Decodable {
    let values: Set<String>

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) {
            values = Set(list)
        } else {
            let map = try container.decode([String: Bool].self)
            values = Set(map.filter(\.value).map(\.key))
        }
    }
}
