import Foundation
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

/// The bridge driver end to end: namespaces on test bridges talking (or not) to each other, to
/// a "server" namespace behind a veth from the host, and to the host through published ports.
/// Traffic goes only to 127.0.0.0/8 and to namespaces these tests create.
final class BridgeNetworkTests: XCTestCase {
    /// Attaches a new namespace to `network` at the `n`th address of its subnet.
    private func container(_ sandbox: NetworkSandbox, _ network: BridgeNetwork, _ suffix: String, host n: UInt32)
        throws -> (NetworkNamespace, ContainerNetworkAttachment) {
        let ns = try sandbox.namespace(suffix)
        let attachment = try network.attach(endpointID: sandbox.name(suffix), namespace: ns,
                                            address: network.configuration.subnet.network + n)
        sandbox.onTeardown { try? network.detach(attachment) }
        return (ns, attachment)
    }

    func testTwoNamespacesOnABridgePingAndTalkTCP() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let network = try sandbox.bridge("b")
        let (a, attachmentA) = try container(sandbox, network, "a", host: 2)
        let (b, attachmentB) = try container(sandbox, network, "c", host: 3)
        let addressA = IPv4Subnet.format(attachmentA.address), addressB = IPv4Subnet.format(attachmentB.address)

        // Inside: eth0 with the address and the Docker-style MAC, lo up, a default route.
        let links = try sandbox.run(in: a, "ip -o link show eth0; ip -o addr show eth0; ip route; ip -o link show lo").stdout
        XCTAssertTrue(links.contains(MACAddress(derivedFrom: attachmentA.address).description), links)
        XCTAssertTrue(links.contains("\(addressA)/\(network.configuration.subnet.prefixLength)"), links)
        XCTAssertTrue(links.contains("default via \(IPv4Subnet.format(network.configuration.gateway)) dev eth0"), links)
        XCTAssertTrue(links.contains("LOOPBACK,UP"), links)
        // Host side: the veth is on the bridge.
        XCTAssertTrue(try sandbox.run(in: nil, "ip -o link show \(attachmentA.hostInterface)").stdout
            .contains("master \(network.configuration.bridgeName)"))
        XCTAssertTrue(try sandbox.run(in: nil, "ip -d link show \(attachmentA.hostInterface)").stdout.contains("hairpin on"))

        let ping = try sandbox.run(in: a, "busybox ping -c 1 -W 3 \(addressB)")
        XCTAssertEqual(ping.status, 0, ping.stdout + ping.stderr)
        XCTAssertEqual(try sandbox.run(in: b, "busybox ping -c 1 -W 3 \(addressA)").status, 0)
        XCTAssertEqual(try sandbox.run(in: a, "busybox ping -c 1 -W 3 \(IPv4Subnet.format(network.configuration.gateway))").status, 0)

        // TCP with busybox nc: a listener in b receives a line sent from a.
        let port = randomPort()
        let output = "/tmp/swt-nc-\(sandbox.tag)"
        sandbox.onTeardown { unlink(output) }
        let outFD = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644), devnull = open("/dev/null", O_RDWR)
        let listener = try SpawnedProcess("/usr/bin/nsenter", ["--net=\(b.path)", "/usr/bin/busybox", "nc", "-l", "-p", "\(port)"],
                                          stdin: devnull, stdout: outFD, stderr: devnull)
        close(outFD); close(devnull)
        sandbox.onTeardown { listener.signal(SIGKILL); _ = listener.wait(timeout: 10) }
        var sent = false
        for _ in 0..<100 where !sent {
            sent = try sandbox.run(in: a, "echo hello-\(sandbox.tag) | busybox nc \(addressB) \(port)").status == 0
            if !sent { usleep(50_000) }
        }
        XCTAssertTrue(sent, "nc from a never connected to b")
        XCTAssertEqual(listener.wait(timeout: 10), 0)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), "hello-\(sandbox.tag)\n")
    }

    /// A second network on a running container (`network connect`): eth1 with its own subnet,
    /// reachable on both bridges, the default route stays on eth0; detach removes only eth1.
    func testSecondNetworkOnTheSameNamespace() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let first = try sandbox.bridge("b"), second = try sandbox.bridge("d")
        let (ns, _) = try container(sandbox, first, "a", host: 2)
        let (peer, _) = try container(sandbox, second, "p", host: 3)
        let extra = try second.attach(endpointID: sandbox.name("a") + "-2", namespace: ns,
                                      address: second.configuration.subnet.network + 2, interface: "eth1", defaultRoute: false)
        sandbox.onTeardown { try? second.detach(extra) }
        let routes = try sandbox.run(in: ns, "ip route").stdout
        XCTAssertTrue(routes.contains("default via \(IPv4Subnet.format(first.configuration.gateway)) dev eth0"), routes)
        XCTAssertTrue(routes.contains("\(second.configuration.subnet) dev eth1"), routes)
        XCTAssertEqual(try sandbox.run(in: peer, "busybox ping -c 1 -W 3 \(IPv4Subnet.format(extra.address))").status, 0)
        try second.detach(extra)
        XCTAssertEqual(Set(try RouteNetlink(namespace: ns).links().map(\.name)), ["lo", "eth0"])
    }

    func testTwoBridgesAreIsolated() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        try sandbox.requireForwardingNotBlocked()
        let first = try sandbox.bridge("b")
        let second = try sandbox.bridge("d")
        let (a, _) = try container(sandbox, first, "a", host: 2)
        let (a2, attachmentA2) = try container(sandbox, first, "e", host: 3)
        let (b, attachmentB) = try container(sandbox, second, "c", host: 2)
        // Reachable on the same bridge, the other bridge's gateway (a host address) too…
        XCTAssertEqual(try sandbox.run(in: a, "busybox ping -c 1 -W 3 \(IPv4Subnet.format(attachmentA2.address))").status, 0)
        _ = a2
        // …but not a container of the other bridge, in either direction.
        XCTAssertNotEqual(try sandbox.run(in: a, "busybox ping -c 1 -W 2 \(IPv4Subnet.format(attachmentB.address))").status, 0)
        XCTAssertNotEqual(try sandbox.run(in: b, "busybox ping -c 1 -W 2 \(IPv4Subnet.format(attachmentA2.address))").status, 0)
        let port = randomPort()
        try sandbox.startWhoAmIServer(in: b, address: attachmentB.address, port: port)
        XCTAssertNil(try sandbox.whoAmI(from: a, IPv4Subnet.format(attachmentB.address), port: port))
        // The isolation is the second bridge's table: without it the host routes between them.
        try makeBridgeFirewall().remove(bridge: second.configuration.bridgeName)
        XCTAssertEqual(try sandbox.whoAmI(from: a, IPv4Subnet.format(attachmentB.address), port: port),
                       IPv4Subnet.format(second.configuration.gateway), "masqueraded as it leaves the first bridge, as Docker does")
    }

    /// A "server" namespace behind its own veth from the host (a /30): a container on a bridge
    /// reaches it through the host, and the server sees the host's address (masquerade).
    /// An internal network's container cannot reach it at all.
    func testOutboundMasqueradeAndInternalNetwork() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        try sandbox.requireForwardingNotBlocked()
        let port = randomPort()
        let (_, hostAddress, serverAddress) = try sandbox.serverBehindVeth("s", port: port)

        let network = try sandbox.bridge("b")
        let (client, attachment) = try container(sandbox, network, "c", host: 2)
        let seen = try sandbox.whoAmI(from: client, IPv4Subnet.format(serverAddress), port: port)
        XCTAssertEqual(seen, IPv4Subnet.format(hostAddress), "the server must see the host's address")
        XCTAssertNotEqual(seen, IPv4Subnet.format(attachment.address))

        let isolated = try sandbox.bridge("i", isInternal: true)
        let (internalClient, _) = try container(sandbox, isolated, "d", host: 2)
        XCTAssertNil(try sandbox.whoAmI(from: internalClient, IPv4Subnet.format(serverAddress), port: port))
        XCTAssertNotEqual(try sandbox.run(in: internalClient, "busybox ping -c 1 -W 2 \(IPv4Subnet.format(serverAddress))").status, 0)
        let rules = try sandbox.run(in: nil, "nft list table ip swdock-\(isolated.configuration.bridgeName)").stdout
        XCTAssertFalse(rules.contains("masquerade") && rules.contains("oifname != "), rules)
    }

    /// A published port answers on 127.0.0.1:HOSTPORT from the host (DNAT in OUTPUT +
    /// route_localnet + masquerade), on the gateway address from the container itself (hairpin),
    /// and stops answering when unpublished.
    func testPublishedPortAnswersOnLoopbackAndHairpin() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let network = try sandbox.bridge("b")
        let (web, attachment) = try container(sandbox, network, "w", host: 2)
        let containerPort = randomPort(), hostPort = randomPort(), specificPort = hostPort &+ 1
        try sandbox.startWhoAmIServer(in: web, address: attachment.address, port: containerPort)
        let ports = [
            PortMapping(proto: .tcp, hostPort: hostPort, containerAddress: attachment.address, containerPort: containerPort),
            PortMapping(proto: .tcp, hostIP: ip("127.0.0.1"), hostPort: specificPort,
                        containerAddress: attachment.address, containerPort: containerPort),
        ]
        try network.publish(ports)
        let gateway = IPv4Subnet.format(network.configuration.gateway)
        // From the host over loopback: the container sees the gateway (masqueraded 127.0.0.1).
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort), gateway)
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: specificPort), gateway)
        // The host-IP-specific mapping answers only on that address.
        XCTAssertNil(try sandbox.whoAmI(from: nil, gateway, port: specificPort))
        XCTAssertEqual(try sandbox.whoAmI(from: nil, gateway, port: hostPort), gateway)
        // Hairpin: the container reaches its own published port through a host address.
        XCTAssertEqual(try sandbox.whoAmI(from: web, gateway, port: hostPort), gateway)

        try network.unpublish([ports[0]])
        XCTAssertNil(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort))
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: specificPort), gateway)
        XCTAssertThrowsError(try network.unpublish([ports[0]]))
    }

    /// UDP through a published port range on 127.0.0.1: a datagram to each host port reaches
    /// the matching container port, and the reply comes back.
    func testPublishedUDPRange() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let network = try sandbox.bridge("b")
        let (ns, attachment) = try container(sandbox, network, "u", host: 2)
        let hostBase = randomPort(), containerBase = randomPort()
        try network.publish(try PortMapping.ranges(proto: .udp, hostPorts: hostBase...(hostBase + 1), containerAddress: attachment.address,
                                                   containerPorts: containerBase...(containerBase + 1)))
        let address = IPv4Subnet.format(attachment.address)
        // An echo server on both container ports, each answering "<its port> <peer address>".
        let server = """
        import select, socket
        socks = []
        for port in (\(containerBase), \(containerBase + 1)):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("\(address)", port)); socks.append(s)
        print("ready", flush=True)
        served = 0
        while served < 2:
            ready, _, _ = select.select(socks, [], [], 30)
            if not ready: break
            for s in ready:
                data, peer = s.recvfrom(100)
                s.sendto(("%d %s" % (s.getsockname()[1], peer[0])).encode(), peer); served += 1
        """
        let client = """
        import socket, sys
        out = []
        for port in (\(hostBase), \(hostBase + 1)):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
            for _ in range(100):
                s.sendto(b"ping", ("127.0.0.1", port))
                try: out.append(s.recv(100).decode()); break
                except socket.timeout: pass
        print("\\n".join(out))
        """
        let scriptPath = "/tmp/swt-udp-\(sandbox.tag).py"
        try server.write(toFile: scriptPath, atomically: false, encoding: .utf8)
        sandbox.onTeardown { unlink(scriptPath) }
        let devnull = open("/dev/null", O_RDWR)
        let process = try SpawnedProcess("/usr/bin/nsenter", ["--net=\(ns.path)", "/usr/bin/python3", scriptPath],
                                         stdin: devnull, stdout: devnull, stderr: devnull)
        close(devnull)
        sandbox.onTeardown { process.signal(SIGKILL); _ = process.wait(timeout: 10) }
        let answers = try runCommand("/usr/bin/python3", ["-c", client], timeout: 60).stdout
            .split(separator: "\n").map(String.init)
        let gateway = IPv4Subnet.format(network.configuration.gateway)
        XCTAssertEqual(answers, ["\(containerBase) \(gateway)", "\(containerBase + 1) \(gateway)"])
    }

    /// A daemon restart: new objects over the same kernel state. `ensure()` keeps what runs —
    /// the published port still answers, the container still reaches its gateway — and a
    /// reconcile with the same live set changes nothing that is observable.
    func testRestartKeepsAttachmentsAndPublishedPorts() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let network = try sandbox.bridge("b")
        let (web, attachment) = try container(sandbox, network, "w", host: 2)
        let containerPort = randomPort(), hostPort = randomPort()
        try sandbox.startWhoAmIServer(in: web, address: attachment.address, port: containerPort)
        let port = PortMapping(proto: .tcp, hostPort: hostPort, containerAddress: attachment.address, containerPort: containerPort)
        try network.publish([port])
        let gateway = IPv4Subnet.format(network.configuration.gateway)
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort), gateway)

        let restarted = BridgeNetwork(network.configuration, netlink: try RouteNetlink(), firewall: try makeBridgeFirewall())
        try restarted.ensure()
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort), gateway)
        XCTAssertEqual(try restarted.reconcile(live: [attachment], ports: [port]), [])
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort), gateway)
        XCTAssertEqual(try sandbox.run(in: web, "busybox ping -c 1 -W 3 \(gateway)").status, 0)
        // An explicit port list replaces the table: an empty one unpublishes everything.
        try restarted.ensure(ports: [])
        XCTAssertNil(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort))
    }

    func testBridgeConfigurationFromBip() throws {
        let configuration = try BridgeConfiguration(bridgeName: "swdock0", bip: "172.18.5.1/16")
        XCTAssertEqual(configuration.subnet.description, "172.18.0.0/16")
        XCTAssertEqual(IPv4Subnet.format(configuration.gateway), "172.18.5.1")
        XCTAssertThrowsError(try BridgeConfiguration(bridgeName: "swdock0", bip: "172.18.0.0/16"))  // the network address
        XCTAssertThrowsError(try BridgeConfiguration(bridgeName: "swdock0", bip: "172.18.5.1"))
        XCTAssertThrowsError(try BridgeConfiguration(bridgeName: "a-name-that-is-too-long", bip: "10.0.0.1/24"))
    }

    /// route_localnet must not open the host's 127.0.0.1 services to containers: the table's
    /// guard drops such packets (and without the table they do get through, so the check bites).
    func testContainersCannotReachHostLoopbackServices() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let network = try sandbox.bridge("b")
        let (ns, _) = try container(sandbox, network, "a", host: 2)
        XCTAssertFalse(try sandbox.loopbackLeaks(from: ns, gateway: network.configuration.gateway))
        try makeBridgeFirewall().remove(bridge: network.configuration.bridgeName)
        XCTAssertTrue(try sandbox.loopbackLeaks(from: ns, gateway: network.configuration.gateway),
                      "without the guard the datagram should arrive: the check does not detect a leak")
    }

    func testPortRangesExpandOneToOne() throws {
        let mappings = try PortMapping.ranges(proto: .udp, hostPorts: 8000...8002, containerAddress: ip("10.0.0.2"),
                                              containerPorts: 90...92)
        XCTAssertEqual(mappings.map(\.description), ["0.0.0.0:8000 -> 10.0.0.2:90/udp", "0.0.0.0:8001 -> 10.0.0.2:91/udp",
                                                     "0.0.0.0:8002 -> 10.0.0.2:92/udp"])
        XCTAssertThrowsError(try PortMapping.ranges(proto: .tcp, hostPorts: 1...3, containerAddress: 1, containerPorts: 1...2))
    }

    /// After detach and teardown nothing of the test is left in `ip link`, `ip netns`-style
    /// mounts, or `nft list ruleset`; other tables are untouched.
    func testTeardownLeavesNothingAndTouchesNoOtherTable() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let nft = try Nftables.shared()
        let foreign = sandbox.name("f")
        try nft.run("table ip \(foreign) {\n chain c { type filter hook forward priority 10; policy accept; }\n}\n", "add foreign table")
        sandbox.onTeardown { _ = try? nft.run("delete table ip \(foreign)", "delete foreign table") }

        let network = try sandbox.bridge("b")
        let ns = try NetworkNamespace.create(named: sandbox.name("n"), in: sandbox.netnsDirectory)
        sandbox.onTeardown { try? ns.delete() }
        let attachment = try network.attach(endpointID: sandbox.name("n"), namespace: ns,
                                            address: network.configuration.subnet.network + 2)
        try network.publish([PortMapping(proto: .udp, hostPort: randomPort(), containerAddress: attachment.address, containerPort: 53)])
        let before = try sandbox.run(in: nil, "nft list ruleset").stdout
        XCTAssertTrue(before.contains("table ip swdock-\(network.configuration.bridgeName)"))
        XCTAssertTrue(before.contains("udp_ports"))

        try network.detach(attachment)
        XCTAssertFalse(try RouteNetlink().linkExists(attachment.hostInterface))
        XCTAssertEqual(try RouteNetlink(namespace: ns).links().map(\.name), ["lo"])
        try network.teardown()
        try ns.delete()
        try network.teardown()  // twice: nothing left to remove is not an error
        try NetworkNamespace.releaseDirectory(sandbox.netnsDirectory)

        XCTAssertFalse(try sandbox.run(in: nil, "ip -o link").stdout.contains("swt\(sandbox.tag)"))
        XCTAssertFalse(try mountTable().contains(sandbox.netnsDirectory))
        let after = try sandbox.run(in: nil, "nft list ruleset").stdout
        XCTAssertFalse(after.contains("swdock-swt\(sandbox.tag)"), after)
        XCTAssertTrue(after.contains("table ip \(foreign)"), "another table must survive: \(after)")
    }

    /// Reconcile keeps the live attachment and its port, removes a stale veth and a stale port.
    func testReconcileRemovesStaleVethsAndRules() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let network = try sandbox.bridge("b")
        let (live, liveAttachment) = try container(sandbox, network, "l", host: 2)
        let (_, staleAttachment) = try container(sandbox, network, "s", host: 3)
        let livePort = PortMapping(proto: .tcp, hostPort: randomPort(), containerAddress: liveAttachment.address, containerPort: 80)
        let stalePort = PortMapping(proto: .tcp, hostPort: randomPort(), containerAddress: staleAttachment.address, containerPort: 80)
        try network.publish([livePort, stalePort])

        let removed = try network.reconcile(live: [liveAttachment], ports: [livePort])
        XCTAssertEqual(removed, [staleAttachment.hostInterface])
        XCTAssertTrue(try RouteNetlink().linkExists(liveAttachment.hostInterface))
        XCTAssertFalse(try RouteNetlink().linkExists(staleAttachment.hostInterface))
        let rules = try sandbox.run(in: nil, "nft list table ip swdock-\(network.configuration.bridgeName)").stdout
        XCTAssertTrue(rules.contains("\(livePort.hostPort) : \(IPv4Subnet.format(liveAttachment.address)) . 80"), rules)
        XCTAssertFalse(rules.contains("\(stalePort.hostPort) :"), rules)
        XCTAssertEqual(try sandbox.run(in: live, "busybox ping -c 1 -W 3 \(IPv4Subnet.format(network.configuration.gateway))").status, 0)
    }
}
