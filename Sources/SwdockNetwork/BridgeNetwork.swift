import SwdockOS

/// One bridge network on the host: its bridge device, gateway address and firewall table.
public struct BridgeConfiguration: Sendable, Equatable {
    /// The bridge device (`swdock0`; `com.docker.network.bridge.name`).
    public let bridgeName: String
    public let subnet: IPv4Subnet
    /// The bridge's own address (the containers' default gateway).
    public let gateway: UInt32
    public let mtu: UInt32?
    /// `--internal`: no outbound NAT, no forwarding off the bridge.
    public let isInternal: Bool

    /// From a daemon `bip` value (`172.17.0.1/16`): the gateway address and its subnet.
    public init(bridgeName: String, bip: String, mtu: UInt32? = nil) throws(NetworkError) {
        let parts = bip.split(separator: "/")
        guard parts.count == 2, let address = IPv4Subnet.parseAddress(String(parts[0])), let prefix = Int(parts[1]),
              (1...30).contains(prefix) else {
            throw NetworkError(.invalidArgument, "bip \"\(bip)\": expected ADDRESS/PREFIX such as 172.17.0.1/16")
        }
        try self.init(bridgeName: bridgeName, subnet: IPv4Subnet(containing: address, prefixLength: prefix), gateway: address, mtu: mtu)
    }

    public init(bridgeName: String, subnet: IPv4Subnet, gateway: UInt32? = nil, mtu: UInt32? = nil,
                isInternal: Bool = false) throws(NetworkError) {
        let gateway = gateway ?? subnet.defaultGateway
        guard subnet.hostRange.contains(gateway) else {
            throw NetworkError(.invalidArgument, "bridge \"\(bridgeName)\": gateway \(IPv4Subnet.format(gateway)) is not a host address of \(subnet)")
        }
        guard !bridgeName.isEmpty, bridgeName.utf8.count < 16 else {
            throw NetworkError(.invalidArgument, "bridge \"\(bridgeName)\": a name has 1 to 15 characters")
        }
        self.bridgeName = bridgeName
        self.subnet = subnet
        self.gateway = gateway
        self.mtu = mtu
        self.isInternal = isInternal
    }

    var firewallRules: BridgeFirewallRules {
        BridgeFirewallRules(bridgeName: bridgeName, subnet: subnet, isInternal: isInternal)
    }
}

/// What connects one container's network namespace to a bridge: the engine stores it with the
/// container and hands it back to `detach`, `publish` and `reconcile`.
public struct ContainerNetworkAttachment: Hashable, Sendable {
    /// The endpoint (container or container+network) this is for; the host veth name derives from it.
    public let endpointID: String
    public let namespacePath: String
    /// The veth end on the bridge, in the host namespace.
    public let hostInterface: String
    /// The veth end inside the container (`eth0`).
    public let containerInterface: String
    public let address: UInt32
    public let prefixLength: Int
    public let gateway: UInt32
    public let mac: MACAddress

    public init(endpointID: String, namespacePath: String, hostInterface: String, containerInterface: String,
                address: UInt32, prefixLength: Int, gateway: UInt32, mac: MACAddress) {
        self.endpointID = endpointID
        self.namespacePath = namespacePath
        self.hostInterface = hostInterface
        self.containerInterface = containerInterface
        self.address = address
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.mac = mac
    }

    /// The host-side veth name for an endpoint: `swv` and 12 hex digits of a hash of its ID
    /// (stable, so reconcile can tell ours from others and which endpoint each belongs to).
    public static func hostInterfaceName(endpointID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in endpointID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return vethPrefix + String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(12))
    }

    /// The prefix of every host veth swdock creates.
    public static let vethPrefix = "swv"
}

/// The bridge driver's host side: the engine calls it to set a network up, plug containers in
/// and out, publish ports and clean up. Every kernel change goes through rtnetlink and one
/// nftables table per bridge.
public final class BridgeNetwork: Sendable {
    public let configuration: BridgeConfiguration
    private let netlink: RouteNetlink
    private let firewall: any BridgeFirewall

    public init(_ configuration: BridgeConfiguration, netlink: RouteNetlink, firewall: any BridgeFirewall) {
        self.configuration = configuration
        self.netlink = netlink
        self.firewall = firewall
    }

    private var bridge: String { configuration.bridgeName }

    /// Creates what is missing of the bridge, its gateway address, `ip_forward`,
    /// `route_localnet` and the firewall table. With `ports` the table is replaced atomically
    /// with exactly those published; without, an existing table is kept as it is (a daemon
    /// restart must not cut running containers' published ports). Safe to call at every start.
    public func ensure(ports: [PortMapping]? = nil) throws(NetworkError) {
        if !(try netlink.linkExists(bridge)) {
            try netlink.createBridge(bridge, mtu: configuration.mtu)
        }
        let index = try netlink.index(of: bridge)
        let addresses = try netlink.addresses().filter { $0.linkIndex == index }
        if !addresses.contains(where: { $0.address == configuration.gateway && $0.prefixLength == configuration.subnet.prefixLength }) {
            try netlink.addAddress(configuration.gateway, prefixLength: configuration.subnet.prefixLength, to: bridge)
        }
        try netlink.setUp(bridge)
        try Sysctl.set("net.ipv4.ip_forward", "1")
        // DNAT of 127.0.0.1:PORT in OUTPUT routes a loopback-sourced packet onto the bridge.
        try Sysctl.set("net.ipv4.conf.\(bridge).route_localnet", "1")
        if let ports {
            try firewall.install(configuration.firewallRules, ports: ports)
        } else if !(try firewall.isInstalled(bridge: bridge)) {
            try firewall.install(configuration.firewallRules, ports: [])
        }
    }

    /// Plugs the namespace at `namespace` in: a veth pair whose container end is created inside
    /// the namespace as `interface` with `address` and a MAC (given, or derived from the address
    /// as Docker does), `lo` and `eth0` up, a default route via the gateway (unless
    /// `defaultRoute` is false: a container's second network, `network connect`, adds only its
    /// subnet's route); the host end is enslaved to the bridge, hairpin on, up. On failure
    /// nothing is left behind. `endpointID` must be unique per container and network.
    public func attach(endpointID: String, namespace: NetworkNamespace, address: UInt32, mac: MACAddress? = nil,
                       interface: String = "eth0", defaultRoute: Bool = true) throws(NetworkError) -> ContainerNetworkAttachment {
        guard configuration.subnet.hostRange.contains(address), address != configuration.gateway else {
            throw NetworkError(.invalidArgument, "attach \(endpointID): \(IPv4Subnet.format(address)) is not a container address of \(configuration.subnet)")
        }
        let hostName = ContainerNetworkAttachment.hostInterfaceName(endpointID: endpointID)
        let mac = mac ?? MACAddress(derivedFrom: address)
        let nsfd = try namespace.open()
        defer { nsfd.close() }
        try netlink.createVethPair(hostName, peer: interface, peerNamespace: nsfd, mtu: configuration.mtu, peerMAC: mac)
        do throws(NetworkError) {
            try netlink.setMaster(hostName, bridge)
            try netlink.setHairpin(hostName, true)
            try netlink.setUp(hostName)
            let inside = try RouteNetlink(namespace: namespace)
            try inside.setUp("lo")
            try inside.addAddress(address, prefixLength: configuration.subnet.prefixLength, to: interface)
            try inside.setUp(interface)
            if defaultRoute { try inside.addRoute(via: configuration.gateway, device: interface) }
        } catch {
            try? netlink.deleteLink(hostName)
            throw NetworkError(error.code, "attach \(endpointID) to bridge \"\(bridge)\": \(error.message)", errno: error.errno, cause: error)
        }
        return ContainerNetworkAttachment(endpointID: endpointID, namespacePath: namespace.path, hostInterface: hostName,
                                          containerInterface: interface, address: address,
                                          prefixLength: configuration.subnet.prefixLength,
                                          gateway: configuration.gateway, mac: mac)
    }

    /// Unplugs: deletes the veth pair (both ends). Already gone (the namespace died) is fine.
    public func detach(_ attachment: ContainerNetworkAttachment) throws(NetworkError) {
        do { try netlink.deleteLink(attachment.hostInterface) } catch where error.code == .notFound {}
    }

    /// Publishes ports (DNAT from the host's addresses, 127.0.0.1 included), one transaction.
    public func publish(_ ports: [PortMapping]) throws(NetworkError) {
        try firewall.publish(ports, bridge: bridge)
    }

    public func unpublish(_ ports: [PortMapping]) throws(NetworkError) {
        try firewall.unpublish(ports, bridge: bridge)
    }

    /// Removes everything of this bridge: the veths on it, the bridge and its firewall table.
    public func teardown() throws(NetworkError) {
        if let index = try? netlink.index(of: bridge) {
            for link in try netlink.links() where link.masterIndex == index {
                do { try netlink.deleteLink(link.name) } catch where error.code == .notFound {}
            }
            do { try netlink.deleteLink(bridge) } catch where error.code == .notFound {}
        }
        try firewall.remove(bridge: bridge)
    }

    /// Brings the host in line with `live` (what the engine knows is running): deletes swdock
    /// veths on the bridge that belong to no live attachment, and atomically replaces the
    /// firewall table so that exactly `ports` are published. Returns the veths it deleted.
    @discardableResult
    public func reconcile(live: [ContainerNetworkAttachment], ports: [PortMapping]) throws(NetworkError) -> [String] {
        try ensure(ports: ports)
        let index = try netlink.index(of: bridge)
        let wanted = Set(live.map(\.hostInterface))
        var removed: [String] = []
        for link in try netlink.links()
        where link.masterIndex == index && link.name.hasPrefix(ContainerNetworkAttachment.vethPrefix) && !wanted.contains(link.name) {
            do { try netlink.deleteLink(link.name) } catch where error.code == .notFound {}
            removed.append(link.name)
        }
        return removed
    }
}
