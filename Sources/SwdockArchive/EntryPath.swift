/// A layer entry's name cleaned lexically as if the layer root were `/`.
///
/// This is the containment half of the safety policy: a leading `/` is dropped, `.` and empty
/// components vanish, and `..` removes the previous component or, at the root, nothing
/// (as `filepath.Clean("/" + name)` in Docker). The cleaned path therefore never names
/// anything above the root lexically; symlinks are handled when it is resolved (`RootedTree`).
struct EntryPath {
    /// `a/b/c` (no leading or trailing slash), empty for the root itself.
    private(set) var bytes: [UInt8] = []
    /// Where the last component starts in `bytes`.
    private(set) var leafStart = 0

    /// How much of `bytes` a `..` may not remove (the destination prefix of `set(cleaning:under:)`).
    private var floor = 0
    /// Set when a `..` tried to climb above `floor`.
    private(set) var climbedAbove = false

    init() { bytes.reserveCapacity(256) }

    init(cleaning name: UnsafePointer<CChar>) {
        self.init()
        set(cleaning: name)
    }

    var isRoot: Bool { bytes.isEmpty }
    var leaf: ArraySlice<UInt8> { bytes[leafStart...] }
    /// The parent's path (`a/b`), empty when the parent is the root.
    var parent: ArraySlice<UInt8> { bytes[0..<max(leafStart - 1, 0)] }

    mutating func set(cleaning name: UnsafePointer<CChar>) {
        set(cleaning: name, under: [])
    }

    /// `name` cleaned below `base` (a cleaned path): `base/name`; `climbedAbove` tells whether a
    /// `..` in `name` tried to leave `base` (it stops there).
    mutating func set(cleaning name: UnsafePointer<CChar>, under base: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: base)
        floor = base.count
        climbedAbove = false
        var index = 0
        var componentStart = 0
        while true {
            let byte = UInt8(bitPattern: name[index])
            if byte == 0 || byte == UInt8(ascii: "/") {
                appendComponent(UnsafeRawBufferPointer(start: name + componentStart, count: index - componentStart))
                if byte == 0 { break }
                componentStart = index + 1
            }
            index += 1
        }
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) { leafStart = slash + 1 } else { leafStart = 0 }
    }

    private mutating func appendComponent(_ component: UnsafeRawBufferPointer) {
        if component.isEmpty || (component.count == 1 && component[0] == UInt8(ascii: ".")) { return }
        if component.count == 2 && component[0] == UInt8(ascii: ".") && component[1] == UInt8(ascii: ".") {
            if bytes.count <= floor {
                climbedAbove = true
                return
            }
            if let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash >= floor { bytes.removeSubrange(slash...) } else { bytes.removeSubrange(floor...) }
            return
        }
        if !bytes.isEmpty { bytes.append(UInt8(ascii: "/")) }
        bytes.append(contentsOf: component)
    }

    /// The cleaned path as text for messages (`/` for the root).
    var text: String { isRoot ? "/" : String(decoding: bytes, as: UTF8.self) }
}

extension Collection where Element == UInt8 {
    /// Calls `body` with a NUL-terminated copy of the bytes.
    @discardableResult
    func withCString<R, E: Error>(_ body: (UnsafePointer<CChar>) throws(E) -> R) throws(E) -> R {
        var copy = [CChar]()
        copy.reserveCapacity(count + 1)
        for byte in self { copy.append(CChar(bitPattern: byte)) }
        copy.append(0)
        return try copy.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(buffer.baseAddress!) }
    }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard count >= length else { return false }
        var index = startIndex
        for offset in 0..<length {
            if self[index] != prefix.utf8Start[offset] { return false }
            index = self.index(after: index)
        }
        return true
    }
}
