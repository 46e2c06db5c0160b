import SwdockOS

/// One address of one network, held by one owner (an endpoint or container ID).
public struct IPLease: Hashable, Sendable {
    public let network: String
    public let address: UInt32
    public let owner: String

    public init(network: String, address: UInt32, owner: String) {
        self.network = network
        self.address = address
        self.owner = owner
    }
}

/// Where leases persist. The engine implements it on its SQLite store with a UNIQUE
/// (network, address) key; `insert` must fail with `.conflict` on a taken address. That
/// constraint, not the allocator's view, is what makes an address never handed out twice —
/// across daemon restarts and across allocators racing on the same network.
public protocol IPLeaseStore: Sendable {
    /// Every lease of `network`.
    func leases(network: String) throws(NetworkError) -> [IPLease]
    /// Records `lease`; `.conflict` when its address is leased already.
    func insert(_ lease: IPLease) throws(NetworkError)
    /// Forgets the lease of `address`; a lease that does not exist is not an error.
    func delete(network: String, address: UInt32) throws(NetworkError)
}

/// An `IPLeaseStore` in memory (tests, and networks that need no persistence).
public final class InMemoryLeaseStore: IPLeaseStore {
    private let table = Locked([String: [UInt32: String]]())

    public init() {}

    public func leases(network: String) throws(NetworkError) -> [IPLease] {
        table.withLock { $0[network, default: [:]].map { IPLease(network: network, address: $0.key, owner: $0.value) } }
    }

    public func insert(_ lease: IPLease) throws(NetworkError) {
        let inserted = table.withLock { t -> Bool in
            if t[lease.network]?[lease.address] != nil { return false }
            t[lease.network, default: [:]][lease.address] = lease.owner
            return true
        }
        if !inserted {
            throw NetworkError(.conflict, "lease \(IPv4Subnet.format(lease.address)) in network \(lease.network): address already in use")
        }
    }

    public func delete(network: String, address: UInt32) throws(NetworkError) {
        table.withLock { _ = $0[network]?.removeValue(forKey: address) }
    }
}
