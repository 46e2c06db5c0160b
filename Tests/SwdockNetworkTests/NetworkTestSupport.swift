import Foundation
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

/// Names, namespaces, links and servers one test makes, each removed in teardown (also when
/// the test fails). Every name starts with `swt` and a random tag so that parallel runs and
/// leftovers never collide, and every address is in a subnet no host route covers.
final class NetworkSandbox: @unchecked Sendable {
    let tag: String
    let netnsDirectory: String
    private var cleanups: [() -> Void] = []
    private var usedSubnets: [IPv4Subnet] = []

    init(_ test: XCTestCase) throws {
        tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        netnsDirectory = "/tmp/swt-netns-\(tag)"
        test.addTeardownBlock { [self] in
            for cleanup in cleanups.reversed() { cleanup() }
            try? NetworkNamespace.releaseDirectory(netnsDirectory)
        }
    }

    /// `swt<tag><suffix>` (at most 15 characters).
    func name(_ suffix: String) -> String { "swt\(tag)\(suffix)" }

    /// Registers a cleanup that runs in teardown (last registered, first run).
    func onTeardown(_ body: @escaping () -> Void) { cleanups.append(body) }

    /// A free /prefix in 10.200.0.0/13 that overlaps no host route and no subnet of this sandbox.
    func freeSubnet(prefixLength: Int = 24) throws -> IPv4Subnet {
        let routes = try SubnetSelector.hostRouteSubnets(RouteNetlink())
        for _ in 0..<200 {
            let base = UInt32(10) << 24 | UInt32.random(in: 200...207) << 16 | UInt32.random(in: 0...255) << 8
            let candidate = IPv4Subnet(containing: base | UInt32.random(in: 0...255), prefixLength: prefixLength)
            if !(routes + usedSubnets).contains(where: { $0.overlaps(candidate) }) {
                usedSubnets.append(candidate)
                return candidate
            }
        }
        throw NetworkError(.exhausted, "no free test subnet")
    }

    /// A new network namespace, deleted in teardown.
    func namespace(_ suffix: String) throws -> NetworkNamespace {
        let ns = try NetworkNamespace.create(named: name(suffix), in: netnsDirectory)
        onTeardown { try? ns.delete() }
        return ns
    }

    /// A bridge network (bridge, address, firewall table) torn down in teardown.
    func bridge(_ suffix: String, isInternal: Bool = false, firewall: (any BridgeFirewall)? = nil) throws -> BridgeNetwork {
        let configuration = try BridgeConfiguration(bridgeName: name(suffix), subnet: try freeSubnet(), isInternal: isInternal)
        let network = BridgeNetwork(configuration, netlink: try RouteNetlink(), firewall: try firewall ?? makeBridgeFirewall())
        onTeardown { try? network.teardown() }
        try network.ensure()
        return network
    }

    /// A "server" namespace behind a veth pair from the host with its own /30 (host end .1,
    /// server .2, default route back via the host), running the who-am-I server on `port`.
    func serverBehindVeth(_ suffix: String, port: UInt16) throws -> (namespace: NetworkNamespace, hostAddress: UInt32, serverAddress: UInt32) {
        let netlink = try RouteNetlink()
        let server = try namespace(suffix)
        let link = try freeSubnet(prefixLength: 30)
        let hostEnd = name(suffix + "v"), hostAddress = link.network + 1, serverAddress = link.network + 2
        onTeardown { try? netlink.deleteLink(hostEnd) }
        let serverFD = try server.open()
        defer { serverFD.close() }
        try netlink.createVethPair(hostEnd, peer: "eth0", peerNamespace: serverFD)
        try netlink.addAddress(hostAddress, prefixLength: 30, to: hostEnd)
        try netlink.setUp(hostEnd)
        let inServer = try RouteNetlink(namespace: server)
        try inServer.addAddress(serverAddress, prefixLength: 30, to: "eth0")
        try inServer.setUp("eth0")
        try inServer.setUp("lo")
        // A way back to any address: only masquerade (or its absence) decides what the server
        // sees, and only a forward drop keeps a client out.
        try inServer.addRoute(via: hostAddress, device: "eth0")
        try startWhoAmIServer(in: server, address: serverAddress, port: port)
        return (server, hostAddress, serverAddress)
    }

    /// Whether a datagram a container addresses to 127.0.0.1 through the bridge (route_localnet
    /// on, its loopback routes replaced by one via the gateway) reaches a host socket on
    /// 127.0.0.1 — what the bridge's loopback guard must prevent.
    func loopbackLeaks(from namespace: NetworkNamespace, gateway: UInt32) throws -> Bool {
        let port = randomPort()
        let setup = [
            "echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet", "echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet",
            "ip route del local 127.0.0.0/8 dev lo table local 2>/dev/null", "ip route del local 127.0.0.1 dev lo table local 2>/dev/null",
            "ip route replace 127.0.0.1/32 via \(IPv4Subnet.format(gateway)) dev eth0 onlink",
        ].joined(separator: "; ")
        let routed = try run(in: namespace, setup + "; ip route get 127.0.0.1")
        XCTAssertTrue(routed.stdout.contains("dev eth0"), "127.0.0.1 is not routed via eth0: \(routed.stdout)\(routed.stderr)")
        let receiver = "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"127.0.0.1\", \(port))); s.settimeout(3)\n"
            + "print(\"ready\", flush=True)\ntry:\n    s.recvfrom(100); print(\"received\")\nexcept socket.timeout:\n    print(\"nothing\")\n"
        let script = "/tmp/swt-leak-\(tag)-\(port).py"
        try receiver.write(toFile: script, atomically: false, encoding: .utf8)
        defer { unlink(script) }
        let sender = "import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "for _ in range(10):\n    s.sendto(b\"leak\", (\"127.0.0.1\", \(port))); time.sleep(0.1)\n"
        // The receiver runs in the host namespace; the sender starts once it is bound.
        let both = "python3 -u \(script) > \(script).out & sleep 0.5; nsenter --net=\(namespace.path) python3 -c '\(sender)'; wait; cat \(script).out; rm -f \(script).out"
        let output = try run(in: nil, both, timeout: 30).stdout
        XCTAssertTrue(output.contains("ready"), output)
        return output.contains("received")
    }

    /// Forwarding tests need a host that forwards: another table's forward hook with policy
    /// drop (dockerd's iptables, say) would drop what ours accepts. Names it instead of failing
    /// somewhere in a ping.
    func requireForwardingNotBlocked() throws {
        var table = ""
        for line in try run(in: nil, "nft list ruleset").stdout.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("table ") { table = text }
            if text.contains("hook forward"), text.contains("policy drop"), !table.contains(" swdock-") {
                try TestEnvironment.missing("\(table.dropLast(2)) drops forwarded packets by policy; these tests need a forwarding host")
            }
        }
    }

    /// Runs `command` inside `namespace` (`nsenter --net=PATH sh -c COMMAND`).
    @discardableResult
    func run(in namespace: NetworkNamespace?, _ command: String, timeout: TimeInterval = 20) throws -> CommandResult {
        if let namespace {
            return try runCommand("/usr/bin/nsenter", ["--net=\(namespace.path)", "/bin/sh", "-c", command], timeout: timeout)
        }
        return try runCommand("/bin/sh", ["-c", command], timeout: timeout)
    }

    /// Starts busybox httpd on `port` inside `namespace` with a CGI that prints the client's
    /// address (`REMOTE_ADDR`), and waits until it answers inside the namespace.
    func startWhoAmIServer(in namespace: NetworkNamespace, address: UInt32, port: UInt16) throws {
        let root = "/tmp/swt-www-\(tag)-\(port)"
        try FileManager.default.createDirectory(atPath: root + "/cgi-bin", withIntermediateDirectories: true)
        let script = root + "/cgi-bin/ip"
        try "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n".write(toFile: script, atomically: false, encoding: .utf8)
        chmod(script, 0o755)
        let devnull = open("/dev/null", O_RDWR)
        defer { close(devnull) }
        let server = try SpawnedProcess("/usr/bin/nsenter", ["--net=\(namespace.path)", "/usr/bin/busybox", "httpd", "-f",
                                                             "-p", "\(IPv4Subnet.format(address)):\(port)", "-h", root],
                                        stdin: devnull, stdout: devnull, stderr: devnull)
        onTeardown {
            server.signal(SIGKILL)
            _ = server.wait(timeout: 10)
            try? FileManager.default.removeItem(atPath: root)
        }
        for _ in 0..<100 {
            if try whoAmI(from: namespace, IPv4Subnet.format(address), port: port, timeout: 1) != nil { return }
            XCTAssertTrue(server.isRunning, "httpd in \(namespace.path) exited")
            usleep(50_000)
        }
        XCTFail("httpd in \(namespace.path) never answered")
    }

    /// What the who-am-I server answers to a client in `namespace` (nil: no answer).
    /// (A raw HTTP/1.0 request through busybox nc: this static busybox's wget crashes.)
    func whoAmI(from namespace: NetworkNamespace?, _ host: String, port: UInt16, timeout: Int = 3) throws -> String? {
        let result = try run(in: namespace, "printf 'GET /cgi-bin/ip HTTP/1.0\\r\\n\\r\\n' | busybox nc -w \(timeout) \(host) \(port)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.hasPrefix("HTTP/1.") == true, lines.first?.contains(" 200 ") == true,
              let body = lines.last(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else { return nil }
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A random unprivileged port unlikely to be in use by anything else on the machine.
func randomPort() -> UInt16 { UInt16.random(in: 20000...40000) }

func ip(_ text: String) -> UInt32 { IPv4Subnet.parseAddress(text)! }

/// `/proc/self/mountinfo`, read to its end (a single read of a /proc file may stop short).
func mountTable() throws -> String {
    String(decoding: try FileSystem.read("/proc/self/mountinfo") ?? [], as: UTF8.self)
}
