#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockNetwork
import SwdockTestSupport
import XCTest

/// Networking wired into the engine, driven by the real docker CLI against an in-process API
/// server (ContainerRig with a NetworkService). Each test has its own default bridge
/// (`swt<tag>`) in a subnet of 10.200.0.0/13 no host route covers, its own user networks, and
/// removes all of it in teardown. Traffic goes only to 127.0.0.1, to the test's containers and
/// to a namespace the test makes.
final class NetworkIntegrationTests: XCTestCase {
    struct Net {
        let rig: ContainerRig
        let tag: String
        let bridge: String
        let subnet: IPv4Subnet
    }

    /// A free /24 in 10.200.0.0/13 overlapping no host route and none of `taken`.
    static func freeSubnet(excluding taken: [IPv4Subnet] = []) throws -> IPv4Subnet {
        try TestSubnets.free(excluding: taken)
    }

    func makeRig() async throws -> Net {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            throw XCTSkip("unreachable")
        }
        let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        let subnet = try Self.freeSubnet()
        let bridge = "swt\(tag)d"
        let rig = try ContainerRig(test: self, networking: NetworkServiceConfiguration(
            bridgeName: bridge, bip: "\(IPv4Subnet.format(subnet.network + 1))/24"))
        try await rig.startServer()
        return Net(rig: rig, tag: tag, bridge: bridge, subnet: subnet)
    }

    func ok(_ rig: ContainerRig, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try rig.docker(arguments)
        XCTAssertEqual(result.status, 0, "docker \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sh(_ command: String) throws -> String {
        try runCommand("/bin/sh", ["-c", command]).stdout
    }

    /// The links left on `bridge`, once the kernel has finished removing veths: removal deletes
    /// a container's netns, and the kernel drops its veth pair some 30 ms later.
    func linksOnBridge(_ bridge: String, within seconds: Double = 5) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var links = try sh("ip -o link show master \(bridge)")
        while !links.isEmpty && Date() < deadline {
            usleep(50_000)
            links = try sh("ip -o link show master \(bridge)")
        }
        return links
    }

    // MARK: default bridge

    func testDefaultBridgeGivesAddressRouteHostsAndResolvConf() async throws {
        let net = try await makeRig()
        let rig = net.rig
        let id = try ok(rig, ["run", "-d", "--name", "srv", "--hostname", "web", "--add-host", "db.example:10.9.8.7",
                              "--dns", "192.0.2.53", "--dns-search", "example.org", "--dns-option", "ndots:2",
                              "busybox", "sh", "-c", "cat /etc/hosts /etc/resolv.conf; ip -4 addr show eth0; ip route; exec nc -ll -p 80 -e echo hi"])
        let ip = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "srv"])
        XCTAssertTrue(net.subnet.contains(IPv4Subnet.parseAddress(ip) ?? 0), "address \(ip) in \(net.subnet)")
        let gateway = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.MacAddress}}", "srv"])
        let octets = ip.split(separator: ".").map { String(format: "%02x", Int($0)!) }.joined(separator: ":")
        XCTAssertEqual(gateway, "\(IPv4Subnet.format(net.subnet.network + 1)) 24 02:42:\(octets)",
                       "\((try? rig.docker(["logs", "srv"])).map { $0.stdout + $0.stderr } ?? "") \((try? rig.docker(["inspect", "-f", "{{json .State}}", "srv"]))?.stdout ?? "")")
        let networks = try ok(rig, ["inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}{{.HostConfig.NetworkMode}}", "srv"])
        XCTAssertEqual(networks, "bridge=\(ip) default")
        // What the container saw at start.
        var logs = ""
        for _ in 0..<50 {
            logs = try rig.docker(["logs", "srv"]).stdout
            if logs.contains("default via") { break }
            usleep(100_000)
        }
        XCTAssertTrue(logs.contains("10.9.8.7\tdb.example\n"), logs)
        XCTAssertTrue(logs.contains("\(ip)\tweb\n"), logs)
        XCTAssertTrue(logs.contains("nameserver 192.0.2.53\n"), logs)
        XCTAssertTrue(logs.contains("search example.org\n"), logs)
        XCTAssertTrue(logs.contains("options ndots:2\n"), logs)
        XCTAssertTrue(logs.contains("inet \(ip)/24"), logs)
        XCTAssertTrue(logs.contains("default via \(IPv4Subnet.format(net.subnet.network + 1)) dev eth0"), logs)

        // Another container reaches it by IP (TCP and ping) over the bridge.
        let reply = try ok(rig, ["run", "--rm", "busybox", "nc", ip, "80"])
        XCTAssertEqual(reply, "hi")
        let ping = try rig.docker(["run", "--rm", "busybox", "ping", "-c", "1", "-W", "3", ip])
        XCTAssertEqual(ping.status, 0, ping.stdout + ping.stderr)

        // Host resolv.conf without loopback resolvers; no --dns: the filtered host file.
        let plain = try ok(rig, ["run", "--rm", "busybox", "cat", "/etc/resolv.conf"])
        XCTAssertFalse(plain.contains("nameserver 127."), plain)

        // The veth on the bridge; released at remove: no veth, netns, lease or DNAT left.
        XCTAssertTrue(try sh("ip -o link show master \(net.bridge)").contains("swv"), "a veth on the bridge")
        XCTAssertTrue(FileManager.default.fileExists(atPath: rig.layout.execRoot + "/netns/" + id))
        _ = try ok(rig, ["rm", "-f", "srv"])
        XCTAssertEqual(try linksOnBridge(net.bridge), "", "no veth left on the bridge")
        XCTAssertFalse(FileManager.default.fileExists(atPath: rig.layout.execRoot + "/netns/" + id), "netns removed")
        let leases = try rig.database.read { try $0.allLeases() }
        XCTAssertTrue(leases.isEmpty, "no lease left: \(leases)")
    }

    func testNoneHasOnlyLoopbackAndHostSeesHostInterfaces() async throws {
        let net = try await makeRig()
        let none = try ok(net.rig, ["run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net; ip -4 addr show lo | grep -c 127.0.0.1"])
        XCTAssertEqual(none, "lo\n1")
        let host = try ok(net.rig, ["run", "--rm", "--network", "host", "busybox", "ls", "/sys/class/net"])
        XCTAssertTrue(host.split(separator: "\n").contains(Substring(net.bridge)), "the host's bridge is visible: \(host)")
        // container:NAME joins a running container's namespace (its address, its eth0).
        _ = try ok(net.rig, ["run", "-d", "--name", "base", "busybox", "sleep", "60"])
        let ip = try ok(net.rig, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "base"])
        let joined = try ok(net.rig, ["run", "--rm", "--network", "container:base", "busybox", "sh", "-c", "ip -4 -o addr show eth0 | awk '{print $4}'"])
        XCTAssertEqual(joined, ip + "/24")
        // An unknown network is dockerd's 404 (asked of the engine directly: the CLI would take a
        // 404 on create for a missing image and try to pull it from a registry off this machine).
        var config = ContainerConfiguration(cmd: ["true"])
        config.image = "busybox"
        var hostConfig = HostConfiguration()
        hostConfig.networkMode = "nosuch"
        do {
            _ = try await net.rig.service.create(name: nil, config: config, hostConfig: hostConfig)
            XCTFail("created a container on a network that does not exist")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertEqual(error.message, "network nosuch not found")
        }
        _ = try ok(net.rig, ["rm", "-f", "base"])
    }

    // MARK: ports

    func testPublishedPortAnswersOnLoopbackAndConflictsAreDockersError() async throws {
        let net = try await makeRig()
        let rig = net.rig
        let probe = try PortReservation.reserve(.tcp, hostIP: IPv4Subnet.parseAddress("127.0.0.1"), port: 0)
        let port = probe.port
        probe.release()
        let probe2 = try PortReservation.reserve(.tcp, port: 0)
        let anyPort = probe2.port
        probe2.release()
        _ = try ok(rig, ["run", "-d", "--name", "web", "-p", "127.0.0.1:\(port):80", "-p", "\(anyPort):80", "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "hi"])
        let published = try ok(rig, ["port", "web"])
        XCTAssertEqual(Set(published.split(separator: "\n").map(String.init)), ["80/tcp -> 127.0.0.1:\(port)", "80/tcp -> 0.0.0.0:\(anyPort)"])
        let ports = try ok(rig, ["inspect", "-f", "{{json .NetworkSettings.Ports}}", "web"])
        XCTAssertTrue(ports.contains("{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\(port)\"}"), ports)
        XCTAssertTrue(ports.contains("{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"\(anyPort)\"}"), ports)
        let ps = try ok(rig, ["ps", "--format", "{{.Ports}}"])
        XCTAssertTrue(ps.contains("127.0.0.1:\(port)->80/tcp"), ps)
        XCTAssertTrue(ps.contains("0.0.0.0:\(anyPort)->80/tcp"), ps)
        // From a container through a host address (the gateway), DNATed back onto the bridge.
        let gateway = IPv4Subnet.format(net.subnet.network + 1)
        XCTAssertEqual(try ok(rig, ["run", "--rm", "busybox", "nc", gateway, "\(anyPort)"]), "hi", "hairpin through the host's address")
        XCTAssertEqual(try runCommand("/bin/busybox", ["nc", "127.0.0.1", "\(anyPort)"], timeout: 5).stdout, "hi\n",
                       "0.0.0.0 bindings answer on 127.0.0.1 too")
        var answer = ""
        for _ in 0..<30 {
            answer = (try? runCommand("/bin/busybox", ["nc", "127.0.0.1", "\(port)"], timeout: 5).stdout) ?? ""
            if answer == "hi\n" { break }
            usleep(100_000)
        }
        XCTAssertEqual(answer, "hi\n", "the published port answers on 127.0.0.1 from the host")
        XCTAssertTrue(try sh("nft list table ip swdock-\(net.bridge)").contains("\(port)"), "DNAT element present")

        let clash = try rig.docker(["run", "-d", "--name", "web2", "-p", "127.0.0.1:\(port):80", "busybox", "sleep", "30"])
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertTrue(clash.stderr.contains("Bind for 127.0.0.1:\(port) failed: port is already allocated"), clash.stderr)

        // -P: an ephemeral host port for every exposed port (the CLI's --expose).
        _ = try ok(rig, ["run", "-d", "--name", "all", "--expose", "7000", "-P", "busybox", "sleep", "60"])
        let allPorts = try ok(rig, ["port", "all", "7000"])
        XCTAssertTrue(allPorts.hasPrefix("0.0.0.0:"), allPorts)

        _ = try ok(rig, ["rm", "-f", "web", "web2", "all"])
        XCTAssertFalse(try sh("nft list table ip swdock-\(net.bridge)").contains(" \(port) "), "DNAT element removed")
        XCTAssertNoThrow(try PortReservation.reserve(.tcp, hostIP: IPv4Subnet.parseAddress("127.0.0.1"), port: port).release(),
                         "the host port is free again")
    }

    // MARK: user networks

    func testUserNetworksIsolateAndNetworkCommandsWork() async throws {
        let net = try await makeRig()
        let rig = net.rig
        let s1 = try Self.freeSubnet(excluding: [net.subnet])
        let s2 = try Self.freeSubnet(excluding: [net.subnet, s1])
        let b1 = "swt\(net.tag)1", b2 = "swt\(net.tag)2"
        let n1 = try ok(rig, ["network", "create", "--subnet", s1.description, "--label", "t=1", "-o", "com.docker.network.bridge.name=\(b1)", "n1"])
        XCTAssertEqual(n1.count, 64)
        _ = try ok(rig, ["network", "create", "--subnet", s2.description, "-o", "com.docker.network.bridge.name=\(b2)", "n2"])
        let ls = try ok(rig, ["network", "ls", "--format", "{{.Name}} {{.Driver}}"])
        XCTAssertEqual(Set(ls.split(separator: "\n").map(String.init)), ["bridge bridge", "host host", "none null", "n1 bridge", "n2 bridge"])
        let filtered = try ok(rig, ["network", "ls", "-q", "--filter", "label=t=1"])
        XCTAssertEqual(filtered, String(n1.prefix(12)))
        let inspect = try ok(rig, ["network", "inspect", "-f", "{{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}", "n1"])
        XCTAssertEqual(inspect, "bridge \(s1) \(b1)")

        let fixed = IPv4Subnet.format(s1.network + 10)
        _ = try ok(rig, ["run", "-d", "--name", "ca", "--network", "n1", "--ip", fixed, "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "from-a"])
        XCTAssertEqual(try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Networks.n1.IPAddress}}", "ca"]), fixed)
        // Same network: reachable by IP.
        XCTAssertEqual(try ok(rig, ["run", "--rm", "--network", "n1", "busybox", "nc", fixed, "80"]), "from-a")
        // Another network: not reachable.
        let other = try rig.docker(["run", "--rm", "--network", "n2", "busybox", "nc", "-w", "2", fixed, "80"])
        XCTAssertNotEqual(other.stdout, "from-a\n", "n2 reached n1")
        // The default bridge cannot either.
        let fromBridge = try rig.docker(["run", "--rm", "busybox", "nc", "-w", "2", fixed, "80"])
        XCTAssertNotEqual(fromBridge.stdout, "from-a\n", "bridge reached n1")

        // Published on a user network (the CLI's `--network n1 -p`), answered from the host.
        let probe = try PortReservation.reserve(.tcp, hostIP: IPv4Subnet.parseAddress("127.0.0.1"), port: 0)
        let port = probe.port
        probe.release()
        _ = try ok(rig, ["run", "-d", "--name", "pub", "--network", "n1", "-p", "127.0.0.1:\(port):80", "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "pub"])
        var answer = ""
        for _ in 0..<30 {
            answer = (try? runCommand("/bin/busybox", ["nc", "127.0.0.1", "\(port)"], timeout: 5).stdout) ?? ""
            if answer == "pub\n" { break }
            usleep(100_000)
        }
        XCTAssertEqual(answer, "pub\n")
        // The swdock CLI's network and port commands against the same server.
        let swdock = TestEnvironment.executable("swdock")
        let swls = try runCommand(swdock, ["-H", rig.dockerHost, "network", "ls"], timeout: 30)
        XCTAssertTrue(swls.stdout.hasPrefix("NETWORK ID     NAME      DRIVER    SCOPE\n"), swls.stdout + swls.stderr)
        XCTAssertTrue(swls.stdout.contains("   n1        bridge    local\n"), swls.stdout)
        let swinspect = try runCommand(swdock, ["-H", rig.dockerHost, "network", "inspect", "-f", "{{.Name}} {{.Internal}}", "n1"], timeout: 30)
        XCTAssertEqual(swinspect.stdout, "n1 false\n", swinspect.stderr)
        let swport = try runCommand(swdock, ["-H", rig.dockerHost, "port", "pub"], timeout: 30)
        XCTAssertEqual(swport.stdout, "80/tcp -> 127.0.0.1:\(port)\n", swport.stderr)
        _ = try ok(rig, ["rm", "-f", "pub"])

        // connect: a running container on n2 gets eth1 on n1 and reaches a.
        _ = try ok(rig, ["run", "-d", "--name", "cb", "--network", "n2", "busybox", "sleep", "300"])
        _ = try ok(rig, ["network", "connect", "n1", "cb"])
        let bOnN1 = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Networks.n1.IPAddress}}", "cb"])
        XCTAssertTrue(s1.contains(IPv4Subnet.parseAddress(bOnN1) ?? 0), bOnN1)
        XCTAssertTrue(try sh("ip -o link show master \(b1)").contains("swv"))

        // rm with an active endpoint: Docker's 409.
        let busy = try rig.docker(["network", "rm", "n1"])
        XCTAssertNotEqual(busy.status, 0)
        XCTAssertTrue(busy.stderr.contains("has active endpoints"), busy.stderr)
        _ = try ok(rig, ["network", "disconnect", "n1", "cb"])
        XCTAssertEqual(try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Networks.n1}}", "cb"]), "<no value>")

        _ = try ok(rig, ["rm", "-f", "cb"])
        XCTAssertNotEqual(try rig.docker(["network", "rm", "n1"]).status, 0, "ca still runs on n1")
        _ = try ok(rig, ["rm", "-f", "ca"])
        XCTAssertTrue(try rig.database.read { try $0.allLeases() }.isEmpty, "no lease left")
        _ = try ok(rig, ["network", "rm", "n1"])
        let pruned = try ok(rig, ["network", "prune", "-f"])
        XCTAssertTrue(pruned.contains("n2"), pruned)
        XCTAssertEqual(try ok(rig, ["network", "ls", "-q"]).split(separator: "\n").count, 3)
        XCTAssertFalse(try sh("ip -o link show").contains(b1), "bridge n1 removed")
        XCTAssertFalse(try sh("nft list tables").contains("swdock-\(b2)"), "table of n2 removed")
    }

    // MARK: NAT

    func testOutboundNATShowsTheHostAddressAndInternalCannotLeave() async throws {
        let net = try await makeRig()
        let rig = net.rig
        // A server namespace behind a veth from the host; it prints the peer's address.
        let link = try Self.freeSubnet(excluding: [net.subnet])
        let hostEnd = "swt\(net.tag)v", nsName = "swt\(net.tag)s"
        let hostAddress = IPv4Subnet.format(link.network + 1), serverAddress = IPv4Subnet.format(link.network + 2)
        addTeardownBlock {
            _ = try? runCommand("/bin/sh", ["-c", "ip netns pids \(nsName) | xargs -r kill -9; ip link del \(hostEnd); ip netns del \(nsName)"])
        }
        let setup = """
            ip netns add \(nsName) && ip link add \(hostEnd) type veth peer name eth0 netns \(nsName) && \
            ip addr add \(hostAddress)/24 dev \(hostEnd) && ip link set \(hostEnd) up && \
            ip -n \(nsName) addr add \(serverAddress)/24 dev eth0 && ip -n \(nsName) link set eth0 up && \
            ip -n \(nsName) link set lo up && ip -n \(nsName) route add default via \(hostAddress)
            """
        XCTAssertEqual(try runCommand("/bin/sh", ["-c", setup]).status, 0)
        // busybox nc in the namespace: answers each connection with its TCP table (the
        // established connection shows the address the client came from).
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        server.arguments = ["--net=/run/netns/\(nsName)", "/bin/busybox", "nc", "-ll", "-p", "9000", "-e", "/bin/busybox", "netstat", "-tn"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        addTeardownBlock { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        usleep(300_000)
        let out = try rig.docker(["run", "--rm", "busybox", "nc", "-w", "3", serverAddress, "9000"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertFalse(out.stdout.contains(IPv4Subnet.format(net.subnet.network).dropLast(1)), "the server saw a container address: \(out.stdout)")
        XCTAssertTrue(out.stdout.contains(hostAddress), "the server sees the host's address: \(out.stdout)")

        let s1 = try Self.freeSubnet(excluding: [net.subnet, link])
        _ = try ok(rig, ["network", "create", "--internal", "--subnet", s1.description, "-o", "com.docker.network.bridge.name=swt\(net.tag)i", "inner"])
        let blocked = try rig.docker(["run", "--rm", "--network", "inner", "busybox", "nc", "-w", "2", serverAddress, "9000"])
        XCTAssertFalse(blocked.stdout.contains(hostAddress), "an --internal network reached the outside: \(blocked.stdout)")
    }

    // MARK: restart

    func testDaemonRestartKeepsRunningContainersNetworkingAndReconcilesTheRest() async throws {
        let net = try await makeRig()
        let rig = net.rig
        let probe = try PortReservation.reserve(.tcp, hostIP: IPv4Subnet.parseAddress("127.0.0.1"), port: 0)
        let port = probe.port
        probe.release()
        _ = try ok(rig, ["run", "-d", "--name", "srv", "-p", "127.0.0.1:\(port):80", "busybox", "nc", "-ll", "-p", "80", "-e", "echo", "hi"])
        _ = try ok(rig, ["run", "-d", "--name", "cli", "busybox", "sleep", "300"])
        let ip = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "srv"])
        let cliIP = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "cli"])
        // A stale namespace and veth as a crash would leave them.
        let staleNS = try NetworkNamespace.create(named: String(repeating: "f", count: 64), in: rig.layout.execRoot + "/netns")
        addTeardownBlock { try? staleNS.delete() }
        // A stale veth on the bridge and a stale lease of a container that no longer exists.
        let staleVeth = "swv0000dead\(net.tag.prefix(1))", stalePeer = "swt\(net.tag)p"
        addTeardownBlock { _ = try? runCommand("/bin/sh", ["-c", "ip link del \(staleVeth) 2>/dev/null"]) }
        XCTAssertEqual(try runCommand("/bin/sh", ["-c", "ip link add \(staleVeth) type veth peer name \(stalePeer) && ip link set \(staleVeth) master \(net.bridge)"]).status, 0)
        let bridgeID = try ok(rig, ["network", "inspect", "-f", "{{.Id}}", "bridge"])
        try rig.database.write { try $0.insertLease(networkID: bridgeID, address: Int64(net.subnet.network + 200), owner: "gone") }

        // kill -9 of the daemon: the service stops watching; a new one starts on the same store.
        await rig.stopServer()
        try rig.restartService()
        try await rig.startServer()
        XCTAssertFalse(FileManager.default.fileExists(atPath: staleNS.path), "stale netns removed at start")
        XCTAssertFalse(try sh("ip -o link show").contains(staleVeth), "stale veth removed at start")
        XCTAssertFalse(try rig.database.read { try $0.allLeases() }.contains { $0.owner == "gone" }, "stale lease released at start")
        XCTAssertEqual(try ok(rig, ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "srv"]), ip)
        var answer = ""
        for _ in 0..<30 {
            answer = (try? runCommand("/bin/busybox", ["nc", "127.0.0.1", "\(port)"], timeout: 5).stdout) ?? ""
            if answer == "hi\n" { break }
            usleep(100_000)
        }
        XCTAssertEqual(answer, "hi\n", "published port still answers after the restart")
        XCTAssertEqual(try ok(rig, ["run", "--rm", "busybox", "nc", ip, "80"]), "hi", "containers still reach each other")
        // A new container does not get a running one's address.
        let fresh = try ok(rig, ["run", "--rm", "busybox", "sh", "-c", "ip -4 -o addr show eth0 | awk '{print $4}'"])
        XCTAssertFalse([ip + "/24", cliIP + "/24"].contains(fresh), fresh)
        _ = try ok(rig, ["rm", "-f", "srv", "cli"])
        XCTAssertEqual(try linksOnBridge(net.bridge), "")
        XCTAssertTrue(try rig.database.read { try $0.allLeases() }.isEmpty)
    }
}
