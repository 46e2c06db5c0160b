#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The fallback when nftables cannot be used: iptables, through `iptables-restore --noflush`
/// batches (one transaction per table) and `iptables -w` for removing jumps.
///
/// iptables has no private tables, so this backend keeps to chains of its own, `SWD-<bridge>-*`,
/// reached by one jump each from the built-in PREROUTING, OUTPUT, POSTROUTING (nat) and FORWARD
/// (filter) chains; it never flushes or changes anything else. The rules are those of
/// `NftablesBridgeFirewall`, one DNAT rule per published port.
public struct IptablesBridgeFirewall: BridgeFirewall {
    private let restore: String
    private let iptables: String

    /// Uses the given tools (Debian: /usr/sbin, `iptables-nft` or `-legacy` by alternatives).
    public init(iptables: String = "/usr/sbin/iptables", restore: String = "/usr/sbin/iptables-restore") {
        self.iptables = iptables
        self.restore = restore
    }

    /// Whether the tools are there.
    public var isAvailable: Bool { access(iptables, X_OK) == 0 && access(restore, X_OK) == 0 }

    static func chain(_ bridge: String, _ role: String) -> String { "SWD-\(bridge)-\(role)" }

    /// The jumps from built-in chains: (table, chain, match).
    static func jumps(_ bridge: String) -> [(String, String, [String])] {
        [("nat", "PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", chain(bridge, "PORTS")]),
         ("nat", "OUTPUT", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", chain(bridge, "PORTS")]),
         ("nat", "POSTROUTING", ["-j", chain(bridge, "POST")]),
         ("filter", "FORWARD", ["-j", chain(bridge, "FWD")]),
         ("filter", "INPUT", ["-j", chain(bridge, "IN")])]
    }

    public func install(_ rules: BridgeFirewallRules, ports: [PortMapping]) throws(NetworkError) {
        let br = rules.bridgeName, subnet = rules.subnet.description
        try remove(bridge: br)
        var post: [String] = []
        if !rules.isInternal { post.append("-s \(subnet) ! -o \(br) -j MASQUERADE") }
        post.append("-o \(br) -s 127.0.0.0/8 -j MASQUERADE")
        post.append("-o \(br) -s \(subnet) -m conntrack --ctstate DNAT -j MASQUERADE")
        var forward = ["-i \(br) -o \(br) -j ACCEPT", "-o \(br) -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"]
        if !rules.isInternal { forward.append("-o \(br) -m conntrack --ctstate DNAT -j ACCEPT") }
        forward.append("-o \(br) -j DROP")
        if rules.isInternal { forward.append("-i \(br) -j DROP") }
        let jumps = Self.jumps(br)
        var batch = "*nat\n:\(Self.chain(br, "PORTS")) - [0:0]\n:\(Self.chain(br, "POST")) - [0:0]\n"
        batch += ports.map { "-A \(Self.chain(br, "PORTS")) \(Self.portRule($0))\n" }.joined()
        batch += post.map { "-A \(Self.chain(br, "POST")) \($0)\n" }.joined()
        batch += jumps.filter { $0.0 == "nat" }.map { "-A \($0.1) \($0.2.joined(separator: " "))\n" }.joined()
        batch += "COMMIT\n*filter\n:\(Self.chain(br, "FWD")) - [0:0]\n:\(Self.chain(br, "IN")) - [0:0]\n"
        batch += forward.map { "-A \(Self.chain(br, "FWD")) \($0)\n" }.joined()
        // See NftablesBridgeFirewall.loopbackGuard.
        batch += "-A \(Self.chain(br, "IN")) -i \(br) -d 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP\n"
        batch += jumps.filter { $0.0 == "filter" }.map { "-I \($0.1) 1 \($0.2.joined(separator: " "))\n" }.joined()
        batch += "COMMIT\n"
        try run(restore, ["--noflush", "-w"], input: batch, "install iptables chains for bridge \"\(br)\"")
    }

    public func publish(_ ports: [PortMapping], bridge: String) throws(NetworkError) {
        guard !ports.isEmpty else { return }
        let batch = "*nat\n" + ports.map { "-A \(Self.chain(bridge, "PORTS")) \(Self.portRule($0))\n" }.joined() + "COMMIT\n"
        try run(restore, ["--noflush", "-w"], input: batch, "publish \(ports.map(\.description).joined(separator: ", ")) (iptables)")
    }

    public func unpublish(_ ports: [PortMapping], bridge: String) throws(NetworkError) {
        guard !ports.isEmpty else { return }
        let batch = "*nat\n" + ports.map { "-D \(Self.chain(bridge, "PORTS")) \(Self.portRule($0))\n" }.joined() + "COMMIT\n"
        try run(restore, ["--noflush", "-w"], input: batch, "unpublish \(ports.map(\.description).joined(separator: ", ")) (iptables)")
    }

    public func remove(bridge: String) throws(NetworkError) {
        for (table, builtin, match) in Self.jumps(bridge) {
            // Every copy of the jump (a crashed install may have left two).
            while (try? run(iptables, ["-w", "-t", table, "-C", builtin] + match, input: nil, "check jump")) != nil {
                try run(iptables, ["-w", "-t", table, "-D", builtin] + match, input: nil, "remove jump \(builtin) -> \(match.last!)")
            }
        }
        for (table, role) in [("nat", "PORTS"), ("nat", "POST"), ("filter", "FWD"), ("filter", "IN")] {
            let chain = Self.chain(bridge, role)
            guard (try? run(iptables, ["-w", "-t", table, "-S", chain], input: nil, "list \(chain)")) != nil else { continue }
            try run(iptables, ["-w", "-t", table, "-F", chain], input: nil, "flush \(table) \(chain)")
            try run(iptables, ["-w", "-t", table, "-X", chain], input: nil, "delete \(table) \(chain)")
        }
    }

    public func isInstalled(bridge: String) throws(NetworkError) -> Bool {
        (try? run(iptables, ["-w", "-t", "filter", "-S", Self.chain(bridge, "FWD")], input: nil, "list chain")) != nil
    }

    static func portRule(_ p: PortMapping) -> String {
        let destination = p.hostIP.map { "-d \(IPv4Subnet.format($0))/32 " } ?? ""
        return "\(destination)-p \(p.proto.rawValue) -m \(p.proto.rawValue) --dport \(p.hostPort) -j DNAT --to-destination \(IPv4Subnet.format(p.containerAddress)):\(p.containerPort)"
    }

    /// Runs a tool with `input` on stdin; throws with its stderr when it exits non-zero.
    @discardableResult
    private func run(_ tool: String, _ arguments: [String], input: String?, _ what: String) throws(NetworkError) -> String {
        try os("\(what): run \(tool)") { () throws(OSError) -> String in
            let stdin = try FileDescriptor.pipe(), output = try FileDescriptor.pipe()
            let pid: pid_t
            do throws(OSError) {
                pid = try ChildProcess.spawn(tool, arguments: [tool] + arguments, environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
                                             stdio: [stdin.read, output.write, output.write])
            } catch {
                [stdin.read, stdin.write, output.read, output.write].forEach { $0.close() }
                throw error
            }
            stdin.read.close()
            output.write.close()
            if let input { try? stdin.write.writeAll(input) }
            stdin.write.close()
            let text = String(decoding: (try? output.read.readAll()) ?? [], as: UTF8.self)
            output.read.close()
            let status = try ChildProcess.wait(pid)
            guard status.code == 0 else {
                throw OSError(call: "\(tool) exited \(status.code): \(text.split(separator: "\n").prefix(3).joined(separator: "; "))",
                              object: "", errno: EIO)
            }
            return text
        }
    }
}
