import SwdockOS

/// What the firewall of one bridge network is built from.
public struct BridgeFirewallRules: Sendable, Equatable {
    public let bridgeName: String
    public let subnet: IPv4Subnet
    /// No outbound NAT and no forwarding out of the bridge (Docker's `--internal`).
    public let isInternal: Bool

    public init(bridgeName: String, subnet: IPv4Subnet, isInternal: Bool) {
        self.bridgeName = bridgeName
        self.subnet = subnet
        self.isInternal = isInternal
    }
}

/// The firewall of one bridge: everything in one table of its own that nothing else touches.
///
/// A protocol so that a host without nftables can get another backend; `firewall(for:)` picks it.
public protocol BridgeFirewall: Sendable {
    /// Creates or atomically replaces the bridge's rules, with exactly `ports` published.
    func install(_ rules: BridgeFirewallRules, ports: [PortMapping]) throws(NetworkError)
    /// Adds published ports (one transaction).
    func publish(_ ports: [PortMapping], bridge: String) throws(NetworkError)
    /// Removes published ports (one transaction); ports that are not published are an error.
    func unpublish(_ ports: [PortMapping], bridge: String) throws(NetworkError)
    /// Removes every rule of the bridge; nothing to remove is not an error.
    func remove(bridge: String) throws(NetworkError)
    /// Whether the bridge's rules are in place (a daemon restart keeps them as they are).
    func isInstalled(bridge: String) throws(NetworkError) -> Bool
}

/// The firewall backend for this host: nftables when libnftables works, else iptables when
/// its tools are installed, else a `notSupported` error naming both.
public func makeBridgeFirewall() throws(NetworkError) -> any BridgeFirewall {
    do {
        let nft = try Nftables.shared()
        try nft.run("list tables", "probe nftables")
        return NftablesBridgeFirewall(nft)
    } catch {
        let iptables = IptablesBridgeFirewall()
        if iptables.isAvailable { return iptables }
        throw NetworkError(.notSupported, "not supported: a firewall without nftables or iptables (nftables: \(error.message))",
                           cause: error)
    }
}

/// nftables backend: table `ip swdock-<bridge>`, so two daemons with different bridges never
/// meet in the ruleset, and tearing one down is `delete table` of its own table only.
///
/// Published ports are elements of four maps (protocol × specific/any host address) looked up
/// by one DNAT rule each, so publishing and unpublishing add or delete elements by key: no
/// rule handles to track, and each change is one transaction.
public struct NftablesBridgeFirewall: BridgeFirewall {
    private let nft: Nftables

    public init(_ nft: Nftables) { self.nft = nft }

    /// The table's name for a bridge.
    public static func tableName(bridge: String) -> String { "swdock-\(bridge)" }

    public func install(_ rules: BridgeFirewallRules, ports: [PortMapping]) throws(NetworkError) {
        let table = Self.tableName(bridge: rules.bridgeName)
        // add + delete + define in one batch: an atomic replace whether or not the table exists.
        var batch = "add table ip \(table)\ndelete table ip \(table)\n" + Self.definition(rules)
        batch += Self.elements("add", ports, table: table)
        try nft.run(batch, "install firewall table ip \(table) for bridge \"\(rules.bridgeName)\"")
    }

    public func publish(_ ports: [PortMapping], bridge: String) throws(NetworkError) {
        guard !ports.isEmpty else { return }
        let table = Self.tableName(bridge: bridge)
        try nft.run(Self.elements("add", ports, table: table),
                    "publish \(ports.map(\.description).joined(separator: ", ")) in table ip \(table)")
    }

    public func unpublish(_ ports: [PortMapping], bridge: String) throws(NetworkError) {
        guard !ports.isEmpty else { return }
        let table = Self.tableName(bridge: bridge)
        try nft.run(Self.elements("delete", ports, table: table),
                    "unpublish \(ports.map(\.description).joined(separator: ", ")) in table ip \(table)")
    }

    public func remove(bridge: String) throws(NetworkError) {
        let table = Self.tableName(bridge: bridge)
        try nft.run("add table ip \(table)\ndelete table ip \(table)\n", "remove firewall table ip \(table)")
    }

    /// Whether the bridge's table exists.
    public func isInstalled(bridge: String) throws(NetworkError) -> Bool {
        let out = try nft.run("list tables ip", "list nftables tables")
        let line = "table ip " + Self.tableName(bridge: bridge)
        return out.split(separator: "\n").contains { $0 == line }
    }

    /// The nft text of the table.
    static func definition(_ rules: BridgeFirewallRules) -> String {
        let table = tableName(bridge: rules.bridgeName)
        let br = "\"\(rules.bridgeName)\""
        let subnet = rules.subnet.description
        var postrouting: [String] = []
        if !rules.isInternal { postrouting.append("ip saddr \(subnet) oifname != \(br) masquerade") }
        // 127.0.0.1:PORT DNAT'ed in OUTPUT leaves with a loopback source (route_localnet on
        // the bridge lets it); masquerade gives it the gateway address so the reply comes back.
        postrouting.append("oifname \(br) ip saddr 127.0.0.0/8 masquerade")
        // Hairpin: a container reaching a published port of its own bridge through a host
        // address must see the reply come from the host, not directly from the peer.
        postrouting.append("oifname \(br) ip saddr \(subnet) ct status dnat masquerade")
        var forward = [
            "iifname \(br) oifname \(br) accept",
            "oifname \(br) ct state established,related accept",
        ]
        if !rules.isInternal { forward.append("oifname \(br) ct status dnat accept") }
        // Isolation: nothing else enters the bridge (another bridge's containers included).
        forward.append("oifname \(br) drop")
        if rules.isInternal { forward.append("iifname \(br) drop") }
        return """
        table ip \(table) {
          comment "swdock bridge \(rules.bridgeName)"
          map tcp_ports { type inet_service : ipv4_addr . inet_service; }
          map udp_ports { type inet_service : ipv4_addr . inet_service; }
          map tcp_ports_ip { type ipv4_addr . inet_service : ipv4_addr . inet_service; }
          map udp_ports_ip { type ipv4_addr . inet_service : ipv4_addr . inet_service; }
          chain ports {
            dnat ip to ip daddr . tcp dport map @tcp_ports_ip
            dnat ip to ip daddr . udp dport map @udp_ports_ip
            dnat ip to tcp dport map @tcp_ports
            dnat ip to udp dport map @udp_ports
          }
          chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump ports; }
          chain output { type nat hook output priority -100; policy accept; fib daddr type local jump ports; }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
        \(postrouting.map { "    " + $0 }.joined(separator: "\n"))
          }
          chain forward {
            type filter hook forward priority filter; policy accept;
        \(forward.map { "    " + $0 }.joined(separator: "\n"))
          }
          chain input {
            type filter hook input priority filter; policy accept;
            \(Self.loopbackGuard(rules.bridgeName))
          }
        }

        """
    }

    /// route_localnet on the bridge would also let a container reach the host's services on
    /// 127.0.0.1 (send to 127.0.0.1 with the gateway's MAC; CVE-2020-8558 in Kubernetes):
    /// only replies of connections the host made (the published-port DNAT) may arrive so.
    static func loopbackGuard(_ bridge: String) -> String {
        "iifname \"\(bridge)\" ip daddr 127.0.0.0/8 ct state != { established, related } drop"
    }

    /// `add|delete element` lines for `ports`.
    static func elements(_ verb: String, _ ports: [PortMapping], table: String) -> String {
        ports.map { p in
            // A delete names the key only.
            let value = verb == "delete" ? "" : " : \(IPv4Subnet.format(p.containerAddress)) . \(p.containerPort)"
            if let hostIP = p.hostIP {
                return "\(verb) element ip \(table) \(p.proto.rawValue)_ports_ip { \(IPv4Subnet.format(hostIP)) . \(p.hostPort)\(value) }\n"
            }
            return "\(verb) element ip \(table) \(p.proto.rawValue)_ports { \(p.hostPort)\(value) }\n"
        }.joined()
    }
}
