/// A range subnets are cut from (`default-address-pools`: `{"base": "172.17.0.0/16", "size": 16}`).
public struct AddressPool: Hashable, Sendable {
    public let base: IPv4Subnet
    /// The prefix length of each subnet cut from `base`.
    public let size: Int

    public init(base: IPv4Subnet, size: Int) throws(NetworkError) {
        guard size >= base.prefixLength, size <= 30 else {
            throw NetworkError(.invalidArgument, "address pool \(base) size /\(size): must be between /\(base.prefixLength) and /30")
        }
        self.base = base
        self.size = size
    }

    /// Docker's defaults: 172.17.0.0/16 … 172.31.0.0/16 as /16s, then 192.168.0.0/16 as /20s.
    public static let dockerDefaults: [AddressPool] = {
        var pools = (17...31).map { try! AddressPool(base: IPv4Subnet("172.\($0).0.0/16")!, size: 16) }
        pools.append(try! AddressPool(base: IPv4Subnet("192.168.0.0/16")!, size: 20))
        return pools
    }()

    /// The subnets of the pool, in order.
    public var subnets: some Sequence<IPv4Subnet> {
        let step = UInt32(1) << UInt32(32 - size)
        let count = Int(base.size / UInt64(step))
        return (0..<count).lazy.map { IPv4Subnet(containing: base.network &+ UInt32($0) &* step, prefixLength: size) }
    }
}

/// Picks a subnet for a network that was given none, as Docker does: the first subnet of the
/// pools that overlaps neither a subnet in use by another network nor a route of the host.
public enum SubnetSelector {
    /// The first free subnet, or `.exhausted`.
    public static func select(from pools: [AddressPool], excluding taken: [IPv4Subnet]) throws(NetworkError) -> IPv4Subnet {
        for pool in pools {
            for subnet in pool.subnets where !taken.contains(where: { $0.overlaps(subnet) }) {
                return subnet
            }
        }
        throw NetworkError(.exhausted, "select a subnet: every subnet of the address pools overlaps a network or a host route")
    }

    /// The destinations of the host's routes in the main table, leaving out default routes
    /// (which would overlap everything), as Docker's overlap check does.
    public static func hostRouteSubnets(_ netlink: RouteNetlink) throws(NetworkError) -> [IPv4Subnet] {
        try netlink.routes().filter { $0.table == 254 && !$0.isDefault }.map(\.destination)
    }

    /// `select` with the host's routes added to `taken`.
    public static func select(from pools: [AddressPool], inUse: [IPv4Subnet], netlink: RouteNetlink) throws(NetworkError) -> IPv4Subnet {
        try select(from: pools, excluding: inUse + hostRouteSubnets(netlink))
    }
}
