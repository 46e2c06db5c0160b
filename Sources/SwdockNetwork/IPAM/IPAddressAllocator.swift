/// Hands out addresses of one network's subnet (or its `--ip-range`), never the network
/// address, the broadcast address or the gateway, recording each in an `IPLeaseStore`.
///
/// It keeps no state of its own: every call reads the store, so a restarted daemon (or a
/// second allocator on the same store) continues without duplicates. Addresses are handed out
/// in order after the highest one leased, wrapping around, so a just-released address is not
/// reused at once (as Docker does, to keep stale ARP and conntrack entries from hitting a new
/// container).
public struct IPAddressAllocator: Sendable {
    public let network: String
    public let subnet: IPv4Subnet
    public let gateway: UInt32
    /// Where dynamic addresses come from (`--ip-range`); the subnet when nil.
    public let range: IPv4Subnet?
    private let store: any IPLeaseStore

    /// Checks that the gateway is a host address of the subnet and the range lies inside it.
    public init(network: String, subnet: IPv4Subnet, gateway: UInt32? = nil, range: IPv4Subnet? = nil,
                store: any IPLeaseStore) throws(NetworkError) {
        let gateway = gateway ?? subnet.defaultGateway
        guard subnet.prefixLength <= 30 else {
            throw NetworkError(.invalidArgument, "network \(network): subnet \(subnet) is too small (at most /30)")
        }
        guard subnet.hostRange.contains(gateway) else {
            throw NetworkError(.invalidArgument, "network \(network): gateway \(IPv4Subnet.format(gateway)) is not a host address of \(subnet)")
        }
        if let range, !subnet.contains(range) {
            throw NetworkError(.invalidArgument, "network \(network): ip-range \(range) is not inside subnet \(subnet)")
        }
        self.network = network
        self.subnet = subnet
        self.gateway = gateway
        self.range = range
        self.store = store
    }

    /// Leases an address to `owner`: `requested` (`--ip`) if given, else the next free one.
    public func allocate(owner: String, requested: UInt32? = nil) throws(NetworkError) -> UInt32 {
        if let requested {
            guard subnet.hostRange.contains(requested), requested != gateway else {
                throw NetworkError(.conflict, "allocate \(IPv4Subnet.format(requested)) in network \(network): not a free host address of \(subnet)")
            }
            try store.insert(IPLease(network: network, address: requested, owner: owner))
            return requested
        }
        let pool = range ?? subnet
        // Host addresses of the range that are also host addresses of the subnet.
        let lower = max(pool.network, subnet.hostRange.lowerBound), upper = min(pool.broadcast, subnet.hostRange.upperBound)
        guard lower <= upper else { throw exhausted() }
        let span = UInt64(upper - lower) + 1
        var taken = Set(try store.leases(network: network).map(\.address))
        let last = taken.filter { $0 >= lower && $0 <= upper }.max()
        let start = last.map { $0 == upper ? lower : $0 + 1 } ?? lower
        var offset: UInt64 = 0
        while offset < span {
            let address = lower + UInt32((UInt64(start - lower) + offset) % span)
            offset += 1
            if address == gateway || taken.contains(address) { continue }
            do throws(NetworkError) {
                try store.insert(IPLease(network: network, address: address, owner: owner))
                return address
            } catch where error.code == .conflict {
                // Another allocator on the same store took it since we read the leases: go on.
                taken.insert(address)
            }
        }
        throw exhausted()
    }

    /// Returns `address` to the pool.
    public func release(_ address: UInt32) throws(NetworkError) {
        try store.delete(network: network, address: address)
    }

    /// Every lease of the network.
    public func leases() throws(NetworkError) -> [IPLease] { try store.leases(network: network) }

    private func exhausted() -> NetworkError {
        NetworkError(.exhausted, "allocate an address in network \(network): no free address left in \(range ?? subnet)")
    }
}
