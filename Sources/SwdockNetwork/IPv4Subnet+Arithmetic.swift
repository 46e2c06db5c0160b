/// Masks, membership and overlap: what IPAM and pool selection compute with.
extension IPv4Subnet {
    /// The subnet of `prefixLength` bits that holds `address` (host bits cleared).
    public init(containing address: UInt32, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "prefix length \(prefixLength)")
        self.init(unchecked: address & IPv4Subnet.mask(prefixLength), prefixLength: prefixLength)
    }

    /// The netmask of a prefix length (`/16` → 255.255.0.0).
    public static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength)
    }

    public var mask: UInt32 { IPv4Subnet.mask(prefixLength) }

    /// The last address (all host bits set).
    public var broadcast: UInt32 { network | ~mask }

    /// How many addresses the subnet spans (2^(32-prefix)).
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    public func contains(_ address: UInt32) -> Bool { address & mask == network }

    /// Whether `other` lies wholly inside this subnet.
    public func contains(_ other: IPv4Subnet) -> Bool { other.prefixLength >= prefixLength && contains(other.network) }

    /// Whether the two share any address.
    public func overlaps(_ other: IPv4Subnet) -> Bool { contains(other.network) || other.contains(network) }

    /// The addresses a host may use: all but the network and broadcast address (for /31 and /32, all).
    public var hostRange: ClosedRange<UInt32> {
        prefixLength >= 31 ? network...broadcast : (network + 1)...(broadcast - 1)
    }

    /// The gateway Docker picks when none is given: the first host address (`.1`).
    public var defaultGateway: UInt32 { hostRange.lowerBound }
}
