/// An IPv4 network in CIDR form (`172.18.0.0/16`).
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public let network: UInt32
    public let prefixLength: Int

    /// Parses `a.b.c.d/n`; host bits must be zero.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
              let address = IPv4Subnet.parseAddress(String(parts[0])) else { return nil }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        guard address & ~mask == 0 else { return nil }
        network = address
        prefixLength = prefix
    }

    /// Parses dotted-quad `a.b.c.d`.
    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }

    /// A subnet from parts that are known to be valid (host bits already zero).
    init(unchecked network: UInt32, prefixLength: Int) {
        self.network = network
        self.prefixLength = prefixLength
    }

    public var description: String { "\(IPv4Subnet.format(network))/\(prefixLength)" }
}
