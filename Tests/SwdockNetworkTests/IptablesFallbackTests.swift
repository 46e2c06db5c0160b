import Foundation
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

/// The iptables backend (used only where nftables cannot be): the same behaviour, in chains
/// `SWD-<bridge>-*` of its own, all gone after teardown.
final class IptablesFallbackTests: XCTestCase {
    func testIptablesBackendPublishesMasqueradesIsolatesAndCleansUp() throws {
        try TestEnvironment.requireRoot()
        let iptables = IptablesBridgeFirewall()
        guard iptables.isAvailable else { return try TestEnvironment.missing("iptables and iptables-restore are not installed") }
        let sandbox = try NetworkSandbox(self)
        try sandbox.requireForwardingNotBlocked()
        // iptables-nft creates the built-in `ip nat`/`ip filter` tables on first use; remove
        // them again if this test made them and nothing else has put a rule in them since.
        let tablesBefore = try sandbox.run(in: nil, "nft list tables").stdout
        for table in ["nat", "filter"] where !tablesBefore.contains("table ip \(table)\n") {
            sandbox.onTeardown {
                let rules = (try? sandbox.run(in: nil, "iptables -w -t \(table) -S").stdout) ?? "-A"
                if !rules.split(separator: "\n").contains(where: { !$0.hasPrefix("-P ") }) {
                    _ = try? sandbox.run(in: nil, "nft delete table ip \(table)")
                }
            }
        }
        let serverPort = randomPort()
        let (_, hostAddress, serverAddress) = try sandbox.serverBehindVeth("s", port: serverPort)
        let network = try sandbox.bridge("b", firewall: iptables)
        let isolated = try sandbox.bridge("i", isInternal: true, firewall: iptables)
        let bridge = network.configuration.bridgeName
        XCTAssertTrue(try iptables.isInstalled(bridge: bridge))

        let ns = try sandbox.namespace("w")
        let attachment = try network.attach(endpointID: sandbox.name("w"), namespace: ns, address: network.configuration.subnet.network + 2)
        let internalNS = try sandbox.namespace("n")
        _ = try isolated.attach(endpointID: sandbox.name("n"), namespace: internalNS, address: isolated.configuration.subnet.network + 2)
        // Outbound: masqueraded; internal: dropped.
        XCTAssertEqual(try sandbox.whoAmI(from: ns, IPv4Subnet.format(serverAddress), port: serverPort), IPv4Subnet.format(hostAddress))
        XCTAssertNil(try sandbox.whoAmI(from: internalNS, IPv4Subnet.format(serverAddress), port: serverPort))
        // Between the two bridges: dropped.
        XCTAssertNotEqual(try sandbox.run(in: internalNS, "busybox ping -c 1 -W 2 \(IPv4Subnet.format(attachment.address))").status, 0)

        XCTAssertFalse(try sandbox.loopbackLeaks(from: ns, gateway: network.configuration.gateway))

        // Published port on 127.0.0.1, hairpin, unpublish.
        let containerPort = randomPort(), hostPort = randomPort()
        try sandbox.startWhoAmIServer(in: ns, address: attachment.address, port: containerPort)
        let port = PortMapping(proto: .tcp, hostPort: hostPort, containerAddress: attachment.address, containerPort: containerPort)
        try network.publish([port])
        let gateway = IPv4Subnet.format(network.configuration.gateway)
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort), gateway)
        XCTAssertEqual(try sandbox.whoAmI(from: ns, gateway, port: hostPort), gateway)
        try network.unpublish([port])
        XCTAssertNil(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort))

        // Reinstalling (a restart with ports) does not duplicate the jumps.
        try network.ensure(ports: [port])
        try network.ensure(ports: [port])
        let saved = try sandbox.run(in: nil, "iptables-save").stdout
        XCTAssertEqual(saved.components(separatedBy: "-A FORWARD -j SWD-\(bridge)-FWD").count - 1, 1, saved)
        XCTAssertEqual(try sandbox.whoAmI(from: nil, "127.0.0.1", port: hostPort), gateway)

        try network.teardown()
        try isolated.teardown()
        let after = try sandbox.run(in: nil, "iptables-save").stdout
        XCTAssertFalse(after.contains("SWD-swt\(sandbox.tag)"), after)
        XCTAssertFalse(try sandbox.run(in: nil, "nft list ruleset").stdout.contains("swt\(sandbox.tag)"))
    }
}
