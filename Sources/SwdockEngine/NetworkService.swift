#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockMetadata
import SwdockNetwork
import SwdockOS

/// daemon.json's network settings.
public struct NetworkServiceConfiguration: Sendable {
    /// The default bridge device (`bridge` in daemon.json; `swdock0` by default).
    public var bridgeName: String
    /// daemon.json `bip` (`172.17.0.1/16`).
    public var bip: String?
    /// daemon.json `default-address-pools`; Docker's when empty.
    public var pools: [AddressPool]
    public init(bridgeName: String = "swdock0", bip: String? = nil, pools: [AddressPool] = []) {
        self.bridgeName = bridgeName
        self.bip = bip
        self.pools = pools.isEmpty ? AddressPool.dockerDefaults : pools
    }
}

/// The engine's networks: the predefined `bridge` (device `swdock0`), `host` and `none`, and
/// user-defined bridge networks, kept in the state store with their IP leases and container
/// endpoints; containers are plugged in at start and out at exit through `SwdockNetwork`.
///
/// Per container: a network namespace bind-mounted at `<exec-root>/netns/<id>` (the spec joins it
/// by path), one veth per network, an address from the network's IPAM (leased only while the
/// container runs, as Docker does), published ports held by `PortReservation` and DNATed by the
/// bridge's nftables table. Every mutation runs under one lock: each is a few netlink and
/// nftables transactions (about a millisecond).
public final class NetworkService: @unchecked Sendable {
    let database: Database
    let layout: EngineLayout
    public let configuration: NetworkServiceConfiguration
    let netlink: RouteNetlink
    let firewall: any BridgeFirewall
    let leases: SQLiteLeaseStore
    let lock = NSRecursiveLock()
    /// Host ports held per container while it runs.
    var reservations: [String: [PortReservation]] = [:]
    var bridges: [String: BridgeNetwork] = [:]
    /// The embedded DNS servers (127.0.0.11) of containers on user-defined networks.
    let dns: EmbeddedDNS
    /// Each served container's upstreams and search domains.
    var dnsSettings: [String: ContainerDNSSettings] = [:]

    /// The names Docker reserves.
    public static let predefinedNames: Set<String> = ["bridge", "host", "none"]

    /// Opens rtnetlink and the firewall, records `bridge`, `host` and `none` when missing and
    /// sets up the default bridge (keeping its subnet across restarts).
    public init(database: Database, layout: EngineLayout, configuration: NetworkServiceConfiguration) throws(EngineError) {
        self.database = database
        self.layout = layout
        self.configuration = configuration
        leases = SQLiteLeaseStore(database: database)
        do {
            netlink = try RouteNetlink()
            firewall = try makeBridgeFirewall()
            dns = try EmbeddedDNS()
        } catch { throw EngineError(.system, "set up networking", cause: error) }
        try Self.makeDirectory(netnsDirectory)
        try setUpPredefined()
    }

    /// Where container network namespaces are bind-mounted.
    public var netnsDirectory: String { layout.execRoot + "/netns" }
    /// The namespace path of container `id`.
    public func namespacePath(_ id: String) -> String { netnsDirectory + "/" + id }

    // MARK: records

    struct Network {
        var record: NetworkRecord
        var document: NetworkDocument
        var id: String { record.id }
        var name: String { record.name }
    }

    func read<T>(_ step: String, _ body: (Connection) throws -> T) throws(EngineError) -> T {
        do { return try database.read(body) } catch let error as EngineError { throw error } catch {
            throw EngineError(.system, step, cause: DescribedError(error))
        }
    }

    func write<T>(_ step: String, _ body: (Connection) throws -> T) throws(EngineError) -> T {
        do { return try database.write(body) } catch let error as EngineError { throw error } catch {
            throw EngineError(.system, step, cause: DescribedError(error))
        }
    }

    func allNetworks() throws(EngineError) -> [Network] {
        let records = try read("list networks") { try $0.allNetworks() }
        var result: [Network] = []
        for record in records {
            result.append(Network(record: record, document: try ContainerService.decode(NetworkDocument.self, record.config,
                                                                                     what: "network \(record.name)")))
        }
        return result
    }

    /// Docker's lookup: full ID, exact name, then a unique ID prefix.
    func network(_ ref: String) throws(EngineError) -> Network {
        let all = try allNetworks()
        if let byID = all.first(where: { $0.id == ref }) { return byID }
        if let byName = all.first(where: { $0.name == ref }) { return byName }
        let matches = ref.isEmpty ? [] : all.filter { $0.id.hasPrefix(ref) }
        if matches.count > 1 { throw EngineError(.invalidArgument, "network \(ref) is ambiguous (\(matches.count) matches found based on ID prefix)") }
        guard let found = matches.first else { throw EngineError(.notFound, "network \(ref) not found") }
        return found
    }

    func insertNetwork(name: String, document: NetworkDocument) throws(EngineError) -> Network {
        let record = NetworkRecord(id: ContainerService.generateID(), name: name, createdNanoseconds: ContainerService.nowNanoseconds(),
                                   config: try ContainerService.encode(document))
        do { try database.write { try $0.insertNetwork(record) } } catch let error as MetadataError where error.code == .constraint {
            throw EngineError(.conflict, "network with name \(name) already exists")
        } catch {
            throw EngineError(.system, "record network \(name)", cause: DescribedError(error))
        }
        return Network(record: record, document: document)
    }

    // MARK: bridges

    func bridgeConfiguration(_ network: Network) throws(EngineError) -> BridgeConfiguration {
        let doc = network.document
        guard doc.Driver == "bridge", let name = doc.BridgeName, let subnetText = doc.Subnet, let subnet = IPv4Subnet(subnetText) else {
            throw EngineError(.invalidArgument, "network \(network.name) is not a bridge network")
        }
        do {
            return try BridgeConfiguration(bridgeName: name, subnet: subnet, gateway: doc.Gateway.flatMap(IPv4Subnet.parseAddress),
                                           isInternal: doc.Internal)
        } catch { throw EngineError(.invalidArgument, "network \(network.name)", cause: error) }
    }

    /// The host side of a bridge network, set up (bridge, address, table) on first use.
    func bridge(_ network: Network) throws(EngineError) -> BridgeNetwork {
        lock.lock()
        defer { lock.unlock() }
        if let existing = bridges[network.id] { return existing }
        let bridge = BridgeNetwork(try bridgeConfiguration(network), netlink: netlink, firewall: firewall)
        do { try bridge.ensure() } catch { throw EngineError(.system, "set up bridge of network \(network.name)", cause: error) }
        bridges[network.id] = bridge
        return bridge
    }

    func allocator(_ network: Network) throws(EngineError) -> IPAddressAllocator {
        let config = try bridgeConfiguration(network)
        do {
            return try IPAddressAllocator(network: network.id, subnet: config.subnet, gateway: config.gateway,
                                          range: network.document.IPRange.flatMap { IPv4Subnet($0) }, store: leases)
        } catch { throw EngineError(.invalidArgument, "network \(network.name)", cause: error) }
    }

    private func setUpPredefined() throws(EngineError) {
        let existing = try allNetworks()
        for (name, driver) in [("host", "host"), ("none", "null")] where !existing.contains(where: { $0.name == name }) {
            _ = try insertNetwork(name: name, document: NetworkDocument(Driver: driver, Predefined: true))
        }
        // The default bridge: daemon.json bip, else what the device has, else the pool walk.
        let others = existing.filter { $0.name != "bridge" }.compactMap { $0.document.Subnet.flatMap { IPv4Subnet($0) } }
        let chosen: BridgeConfiguration
        do {
            if configuration.bip == nil, let stored = existing.first(where: { $0.name == "bridge" }),
               stored.document.BridgeName == configuration.bridgeName, let subnet = stored.document.Subnet.flatMap({ IPv4Subnet($0) }) {
                // Kept across restarts: the subnet the store has (its leases are in it).
                chosen = try BridgeConfiguration(bridgeName: configuration.bridgeName, subnet: subnet,
                                                 gateway: stored.document.Gateway.flatMap(IPv4Subnet.parseAddress))
            } else {
                chosen = try BridgeConfiguration.defaultBridge(named: configuration.bridgeName, bip: configuration.bip,
                                                               pools: configuration.pools, inUse: others, netlink: netlink)
            }
        } catch { throw EngineError(.system, "choose the subnet of the default bridge \(configuration.bridgeName)", cause: error) }
        let document = NetworkDocument(Driver: "bridge", BridgeName: chosen.bridgeName, Subnet: chosen.subnet.description,
                                       Gateway: IPv4Subnet.format(chosen.gateway), Options: Self.defaultBridgeOptions(chosen.bridgeName),
                                       Predefined: true)
        if var stored = existing.first(where: { $0.name == "bridge" }) {
            if stored.document != document {
                stored.document = document
                let text = try ContainerService.encode(document)
                try write("update the default bridge network") { try $0.updateNetworkConfig(id: stored.id, config: text) }
            }
        } else {
            _ = try insertNetwork(name: "bridge", document: document)
        }
        _ = try bridge(try network("bridge"))
    }

    /// The options `docker network inspect bridge` shows.
    static func defaultBridgeOptions(_ name: String) -> [String: String] {
        ["com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "true",
         "com.docker.network.bridge.enable_ip_masquerade": "true", "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
         "com.docker.network.bridge.name": name, "com.docker.network.driver.mtu": "1500"]
    }

    static func makeDirectory(_ path: String) throws(EngineError) {
        do { try FileSystem.makeDirectories(path, mode: 0o700) } catch { throw EngineError(.system, "create \(path)", cause: error) }
    }

    static func networkError(_ step: String, _ error: NetworkError) -> EngineError {
        switch error.code {
        case .conflict: return EngineError(.conflict, "\(step): \(error.message)", cause: error)
        case .invalidArgument: return EngineError(.invalidArgument, "\(step): \(error.message)", cause: error)
        case .notFound: return EngineError(.notFound, "\(step): \(error.message)", cause: error)
        case .notSupported: return EngineError(.notSupported, "\(step): \(error.message)", cause: error)
        default: return EngineError(.system, step, cause: error)
        }
    }
}
