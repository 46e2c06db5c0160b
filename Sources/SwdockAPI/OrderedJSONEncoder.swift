import SwdockOS

/// Encodes `Encodable` values as JSON with the members of each object in the order the type
/// encodes them (declaration order for synthesized `Codable`), and the keys of dictionaries
/// sorted, which is what Go's encoding/json does with structs and maps. Foundation's
/// `JSONEncoder` on Linux orders members differently from one call to the next, so two clients
/// reading the same object would see different bytes (`docker inspect` prints what the daemon
/// sent); dockerd's answers follow its Go structs, and swdock's wire types declare their fields
/// in that order.
public struct OrderedJSONEncoder: Sendable {
    public init() {}

    /// The compact JSON text of `value` (no trailing newline).
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = JSONTreeNode()
        try root.store(value, codingPath: [])
        var out = ""
        root.write(into: &out)
        return Array(out.utf8)
    }
}

/// Dictionaries with string keys (`[String: X]`), recognised at run time so their keys are
/// written sorted as Go writes maps.
private protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

/// One JSON value under construction; containers are filled in place by the coding containers.
private final class JSONTreeNode {
    enum Kind {
        case unset
        case scalar(String)
        case array([JSONTreeNode])
        case object(keys: [String], values: [String: JSONTreeNode])
    }

    var kind = Kind.unset
    var sortsKeys = false

    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let text as String: kind = .scalar(JSONQuoting.quote(text))
        case let flag as Bool: kind = .scalar(flag ? "true" : "false")
        case let number as Int: kind = .scalar(String(number))
        case let number as Int64: kind = .scalar(String(number))
        case let number as Int32: kind = .scalar(String(number))
        case let number as Int16: kind = .scalar(String(number))
        case let number as Int8: kind = .scalar(String(number))
        case let number as UInt: kind = .scalar(String(number))
        case let number as UInt64: kind = .scalar(String(number))
        case let number as UInt32: kind = .scalar(String(number))
        case let number as UInt16: kind = .scalar(String(number))
        case let number as UInt8: kind = .scalar(String(number))
        case let number as Double: kind = .scalar(try Self.text(of: number, codingPath))
        case let number as Float: kind = .scalar(try Self.text(of: Double(number), codingPath))
        default:
            try value.encode(to: TreeEncoder(node: self, codingPath: codingPath))
            if value is StringKeyedDictionary { sortsKeys = true }
            // A value that encoded nothing at all (an empty keyed type) is an empty object.
            if case .unset = kind { kind = .object(keys: [], values: [:]) }
        }
    }

    /// Integral values without a fraction (as Go prints `float64(3)`: `3`), others as Swift prints them.
    static func text(of number: Double, _ codingPath: [any CodingKey]) throws -> String {
        guard number.isFinite else {
            throw EncodingError.invalidValue(number, .init(codingPath: codingPath, debugDescription: "JSON has no \(number)"))
        }
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

    func child(forKey key: String) -> JSONTreeNode {
        var keys: [String] = [], values: [String: JSONTreeNode] = [:]
        if case .object(let k, let v) = kind { keys = k; values = v }
        let node = JSONTreeNode()
        if values[key] == nil { keys.append(key) }
        values[key] = node
        kind = .object(keys: keys, values: values)
        return node
    }

    func appendChild() -> JSONTreeNode {
        var elements: [JSONTreeNode] = []
        if case .array(let existing) = kind { elements = existing }
        let node = JSONTreeNode()
        elements.append(node)
        kind = .array(elements)
        return node
    }

    var count: Int {
        if case .array(let elements) = kind { return elements.count }
        return 0
    }

    func makeObject() { if case .object = kind {} else { kind = .object(keys: [], values: [:]) } }
    func makeArray() { if case .array = kind {} else { kind = .array([]) } }

    func write(into out: inout String) {
        switch kind {
        case .unset: out += "null"
        case .scalar(let text): out += text
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                element.write(into: &out)
            }
            out += "]"
        case .object(let keys, let values):
            out += "{"
            for (index, key) in (sortsKeys ? keys.sorted() : keys).enumerated() {
                if index > 0 { out += "," }
                out += JSONQuoting.quote(key)
                out += ":"
                values[key]!.write(into: &out)
            }
            out += "}"
        }
    }
}

private struct TreeEncoder: Encoder {
    let node: JSONTreeNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedTreeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleTreeContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONTreeNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).kind = .scalar("null") }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.child(forKey: key.stringValue).store(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                         forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue)
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue)
        child.makeArray()
        return UnkeyedTreeContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.child(forKey: "super"), codingPath: codingPath) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let node: JSONTreeNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.appendChild().kind = .scalar("null") }

    mutating func encode<T: Encodable>(_ value: T) throws { try node.appendChild().store(value, codingPath: codingPath) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appendChild()
        child.makeObject()
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(node: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendChild()
        child.makeArray()
        return UnkeyedTreeContainer(node: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleTreeContainer: SingleValueEncodingContainer {
    let node: JSONTreeNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.kind = .scalar("null") }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}
