extension BridgeConfiguration {
    /// The configuration of the default bridge at daemon start, as Docker chooses it:
    /// `bip` when configured; else the address the bridge already has (a restart keeps its
    /// subnet, whose own route would otherwise make the pool walk skip it); else the first
    /// subnet of `pools` that overlaps no host route and no subnet in `inUse`, gateway `.1`.
    public static func defaultBridge(named name: String, bip: String? = nil, pools: [AddressPool] = AddressPool.dockerDefaults,
                                     inUse: [IPv4Subnet] = [], netlink: RouteNetlink, mtu: UInt32? = nil) throws(NetworkError) -> BridgeConfiguration {
        if let bip { return try BridgeConfiguration(bridgeName: name, bip: bip, mtu: mtu) }
        if try netlink.linkExists(name) {
            let index = try netlink.index(of: name)
            if let existing = try netlink.addresses().first(where: { $0.linkIndex == index && $0.prefixLength <= 30 }) {
                return try BridgeConfiguration(bridgeName: name, subnet: existing.subnet, gateway: existing.address, mtu: mtu)
            }
        }
        let subnet = try SubnetSelector.select(from: pools, inUse: inUse, netlink: netlink)
        return try BridgeConfiguration(bridgeName: name, subnet: subnet, mtu: mtu)
    }
}
