#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// Builds one netlink request: the 16-byte `nlmsghdr`, a fixed family header (`ifinfomsg`,
/// `ifaddrmsg`, `rtmsg`) and `rtattr` attributes, nested ones included, each 4-byte aligned.
struct NetlinkRequest {
    private(set) var bytes: [UInt8] = []
    private var nestStack: [Int] = []

    /// Starts a message of `type` with `flags` (NLM_F_REQUEST is added).
    init(type: UInt16, flags: Int32) {
        appendUInt32(0)  // length, patched in `finished(sequence:)`
        appendUInt16(type)
        appendUInt16(UInt16(truncatingIfNeeded: flags | NLM_F_REQUEST))
        appendUInt32(0)  // sequence
        appendUInt32(0)  // port id: the kernel fills it in
    }

    /// The message with its length and sequence number filled in.
    func finished(sequence: UInt32) -> [UInt8] {
        var out = bytes
        Self.store(UInt32(out.count), at: 0, in: &out)
        Self.store(sequence, at: 8, in: &out)
        return out
    }

    // MARK: fixed headers

    /// `struct ifinfomsg` (16 bytes).
    mutating func appendInterfaceInfo(family: UInt8 = UInt8(AF_UNSPEC), index: Int32 = 0,
                                      flags: UInt32 = 0, change: UInt32 = 0) {
        bytes.append(family); bytes.append(0)
        appendUInt16(0)  // ifi_type
        appendUInt32(UInt32(bitPattern: index))
        appendUInt32(flags)
        appendUInt32(change)
    }

    /// `struct ifaddrmsg` (8 bytes).
    mutating func appendAddressInfo(prefixLength: UInt8, index: Int32, scope: UInt8 = UInt8(RT_SCOPE_UNIVERSE.rawValue)) {
        bytes.append(UInt8(AF_INET)); bytes.append(prefixLength); bytes.append(0); bytes.append(scope)
        appendUInt32(UInt32(bitPattern: index))
    }

    /// `struct rtmsg` (12 bytes).
    mutating func appendRouteInfo(destinationLength: UInt8, table: UInt8, protocol proto: UInt8,
                                  scope: UInt8, type: UInt8) {
        bytes.append(contentsOf: [UInt8(AF_INET), destinationLength, 0, 0, table, proto, scope, type])
        appendUInt32(0)
    }

    // MARK: attributes

    mutating func attribute(_ type: UInt16, _ payload: [UInt8]) {
        appendUInt16(UInt16(4 + payload.count))
        appendUInt16(type)
        bytes.append(contentsOf: payload)
        pad()
    }

    mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, Array(string.utf8) + [0])
    }

    mutating func attribute(_ type: UInt16, uint32 value: UInt32) {
        attribute(type, withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    /// An IPv4 address in network byte order.
    mutating func attribute(_ type: UInt16, ipv4 address: UInt32) {
        attribute(type, withUnsafeBytes(of: address.bigEndian) { Array($0) })
    }

    /// Opens a nested attribute; `endNested()` closes it.
    mutating func beginNested(_ type: UInt16) {
        nestStack.append(bytes.count)
        appendUInt16(0)
        appendUInt16(type)
    }

    mutating func endNested() {
        let start = nestStack.removeLast()
        let length = UInt16(bytes.count - start)
        bytes[start] = UInt8(length & 0xff)
        bytes[start + 1] = UInt8(length >> 8)
    }

    /// Appends raw bytes (a fixed header nested inside an attribute, as VETH_INFO_PEER has).
    mutating func appendRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw); pad() }

    // MARK: encoding

    private mutating func pad() { while bytes.count % 4 != 0 { bytes.append(0) } }
    private mutating func appendUInt16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    private mutating func appendUInt32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    private static func store(_ v: UInt32, at offset: Int, in out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { for (i, b) in $0.enumerated() { out[offset + i] = b } }
    }
}

/// One message the kernel sent back: its header fields and the payload after the header.
struct NetlinkReply {
    let type: UInt16
    let flags: UInt16
    let sequence: UInt32
    /// Everything after the 16-byte `nlmsghdr`.
    let payload: ArraySlice<UInt8>

    /// Splits a datagram into its messages.
    static func split(_ bytes: [UInt8]) -> [NetlinkReply] {
        let datagram = bytes[...]
        var replies: [NetlinkReply] = []
        var offset = 0
        while offset + 16 <= datagram.count {
            let length = Int(readUInt32(datagram, offset))
            guard length >= 16, offset + length <= datagram.count else { break }
            replies.append(NetlinkReply(type: readUInt16(datagram, offset + 4), flags: readUInt16(datagram, offset + 6),
                                        sequence: readUInt32(datagram, offset + 8),
                                        payload: datagram[(offset + 16)..<(offset + length)]))
            offset += align(length)
        }
        return replies
    }
}

/// Attributes (`rtattr`) of a payload, by type; nested ones are parsed on demand.
struct NetlinkAttributes {
    private(set) var values: [UInt16: ArraySlice<UInt8>] = [:]

    init(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset + 4 <= bytes.endIndex {
            let length = Int(readUInt16(bytes, offset))
            // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the top bits of the type.
            let type = readUInt16(bytes, offset + 2) & 0x3fff
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            values[type] = bytes[(offset + 4)..<(offset + length)]
            offset += align(length)
        }
    }

    subscript(_ type: UInt16) -> ArraySlice<UInt8>? { values[type] }

    func string(_ type: UInt16) -> String? {
        guard let raw = values[type] else { return nil }
        return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }

    func uint32(_ type: UInt16) -> UInt32? {
        guard let raw = values[type], raw.count >= 4 else { return nil }
        return readUInt32(raw, raw.startIndex)
    }

    /// An IPv4 address stored in network byte order.
    func ipv4(_ type: UInt16) -> UInt32? {
        guard let raw = values[type], raw.count == 4 else { return nil }
        return raw.reduce(0) { $0 << 8 | UInt32($1) }
    }

    func nested(_ type: UInt16) -> NetlinkAttributes? { values[type].map(NetlinkAttributes.init) }
}

@inline(__always) func align(_ n: Int) -> Int { (n + 3) & ~3 }

/// Little-endian (host order on Linux's supported targets) reads at absolute slice indices.
@inline(__always) func readUInt16(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }

@inline(__always) func readUInt32(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
    UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}
