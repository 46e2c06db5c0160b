#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockNetwork
import SwdockTestSupport
import XCTest

/// Embedded DNS (127.0.0.11) on user networks, with real containers and busybox's resolver.
///
/// Network safety: every container here that may send a query has `--dns` pointing at a
/// `TestDNSServer` on a 127.x address of this host, so the embedded server forwards only there;
/// names the tests look up are under `.swdock.test` or are container names.
extension NetworkIntegrationTests {
    func userNetwork(_ net: Net, _ name: String, suffix: String, excluding: [IPv4Subnet]) throws -> IPv4Subnet {
        let subnet = try Self.freeSubnet(excluding: [net.subnet] + excluding)
        _ = try ok(net.rig, ["network", "create", "--subnet", subnet.description, "-o",
                             "com.docker.network.bridge.name=swt\(net.tag)\(suffix)", name])
        return subnet
    }

    func testEmbeddedDNSResolvesNamesAliasesAndIDsOnlyOnTheSameNetwork() async throws {
        let net = try await makeRig()
        let rig = net.rig
        let upstream = try TestDNSServer(records: ["outside.swdock.test": "192.0.2.7"])
        defer { upstream.stop() }
        let dns = upstream.addressText
        let s1 = try userNetwork(net, "n1", suffix: "1", excluding: [])
        _ = try userNetwork(net, "n2", suffix: "2", excluding: [s1])

        let webID = try ok(rig, ["run", "-d", "--name", "web", "--network", "n1", "--network-alias", "www", "--dns", dns, "busybox",
                                 "sh", "-c", "mkdir /w && echo hello-web > /w/index.html && exec httpd -f -p 80 -h /w"])
        let webIP = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Networks.n1.IPAddress}}", "web"])
        let short = String(webID.prefix(12))
        XCTAssertEqual(rig.networks?.embeddedDNSServers, [webID])

        // Same network: name, alias and short ID resolve (A), ping and wget by name work.
        let script = """
            cat /etc/resolv.conf; for n in web www \(short) web.n1; do nslookup -type=a $n 127.0.0.11 || echo "FAILED $n"; done; \
            ping -c 1 -W 3 web >/dev/null && echo PING-OK; wget -q -O - http://www/ ; nslookup outside.swdock.test
            """
        let out = try rig.docker(["run", "--rm", "--network", "n1", "--dns", dns, "busybox", "sh", "-c", script])
        let text = out.stdout + out.stderr
        XCTAssertEqual(out.status, 0, text)
        XCTAssertTrue(text.contains("nameserver 127.0.0.11\n"), text)
        XCTAssertTrue(text.contains("options ndots:0\n"), text)
        XCTAssertFalse(text.contains("nameserver \(dns)"), "the upstream is the embedded server's business: \(text)")
        XCTAssertFalse(text.contains("FAILED"), text)
        XCTAssertEqual(text.components(separatedBy: "Address: \(webIP)").count - 1, 4, "web, www, short ID, web.n1 → \(webIP): \(text)")
        XCTAssertTrue(text.contains("PING-OK"), text)
        XCTAssertTrue(text.contains("hello-web"), text)
        // Forwarded from the daemon to the test's server, answer relayed.
        XCTAssertTrue(text.contains("192.0.2.7"), text)
        XCTAssertTrue(upstream.questions.contains { $0.name == "outside.swdock.test" }, "\(upstream.questions)")
        XCTAssertFalse(upstream.questions.contains { $0.name == "web" || $0.name == "www" }, "own names were forwarded: \(upstream.questions)")

        // AAAA of a container name: NOERROR without answers; PTR of its address: web.n1.
        let octets = webIP.split(separator: ".").reversed().joined(separator: ".")
        let aaaa = try rig.docker(["run", "--rm", "--network", "n1", "--dns", dns, "busybox", "sh", "-c",
                                   "nslookup -type=aaaa web 127.0.0.11; nslookup -type=ptr \(octets).in-addr.arpa 127.0.0.11"])
        let aaaaText = aaaa.stdout + aaaa.stderr
        XCTAssertFalse(aaaaText.contains("NXDOMAIN"), aaaaText)
        XCTAssertTrue(aaaaText.contains("web.n1"), aaaaText)

        // Another network: NXDOMAIN (forwarded, and the upstream does not know it).
        let before = upstream.questions.count
        let other = try rig.docker(["run", "--rm", "--network", "n2", "--dns", dns, "busybox", "nslookup", "-type=a", "web"])
        XCTAssertNotEqual(other.status, 0, other.stdout)
        XCTAssertFalse((other.stdout + other.stderr).contains(webIP), other.stdout)
        XCTAssertTrue((other.stdout + other.stderr).contains("NXDOMAIN"), other.stdout + other.stderr)
        XCTAssertTrue(upstream.questions.dropFirst(before).contains { $0.name == "web" }, "n2's server forwarded the unknown name")

        // A container in web's namespace shares its server and gets its resolv.conf (it looks up
        // only if that is so: `--dns` cannot be combined with container:, and the host's resolver
        // must not be asked).
        let joiner = try rig.docker(["run", "--rm", "--network", "container:web", "busybox", "sh", "-c",
                                     "grep nameserver /etc/resolv.conf && grep -qx 'nameserver 127.0.0.11' /etc/resolv.conf && nslookup -type=a www"])
        XCTAssertTrue(joiner.stdout.contains("nameserver 127.0.0.11"), joiner.stdout + joiner.stderr)
        XCTAssertTrue(joiner.stdout.contains("Address: \(webIP)"), joiner.stdout + joiner.stderr)

        // The default bridge keeps the plain resolv.conf (no embedded DNS, as Docker).
        let plain = try ok(rig, ["run", "--rm", "--dns", dns, "busybox", "cat", "/etc/resolv.conf"])
        XCTAssertTrue(plain.contains("nameserver \(dns)"), plain)
        XCTAssertFalse(plain.contains("127.0.0.11"), plain)

        // connect: a running container of n2 joins n1 and then resolves web; rename is seen at once.
        _ = try ok(rig, ["run", "-d", "--name", "cli", "--network", "n2", "--dns", dns, "busybox", "sleep", "300"])
        _ = try ok(rig, ["network", "connect", "n1", "cli"])
        let joined = try rig.docker(["exec", "cli", "nslookup", "-type=a", "web"])
        XCTAssertTrue(joined.stdout.contains("Address: \(webIP)"), joined.stdout + joined.stderr)
        _ = try ok(rig, ["rename", "web", "site"])
        let renamed = try rig.docker(["exec", "cli", "nslookup", "-type=a", "site"])
        XCTAssertTrue(renamed.stdout.contains("Address: \(webIP)"), renamed.stdout + renamed.stderr)
        XCTAssertNotEqual(try rig.docker(["exec", "cli", "nslookup", "-type=a", "web"]).status, 0, "the old name is gone")
        _ = try ok(rig, ["network", "disconnect", "n1", "cli"])
        XCTAssertNotEqual(try rig.docker(["exec", "cli", "nslookup", "-type=a", "site"]).status, 0, "n1's names are gone after disconnect")

        // Removal leaves no server, namespace or veth.
        _ = try ok(rig, ["rm", "-f", "site", "cli"])
        XCTAssertEqual(rig.networks?.embeddedDNSServers, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rig.layout.execRoot + "/netns"), [])
        XCTAssertEqual(try linksOnBridge("swt\(net.tag)1"), "")
    }

    func testEmbeddedDNSKeepsAnsweringAfterADaemonRestart() async throws {
        let net = try await makeRig()
        let rig = net.rig
        let upstream = try TestDNSServer(records: ["outside.swdock.test": "192.0.2.8"])
        defer { upstream.stop() }
        let dns = upstream.addressText
        _ = try userNetwork(net, "n1", suffix: "1", excluding: [])
        let dbID = try ok(rig, ["run", "-d", "--name", "db", "--network", "n1", "--network-alias", "database", "--dns", dns, "busybox", "sleep", "300"])
        let cliID = try ok(rig, ["run", "-d", "--name", "cli", "--network", "n1", "--dns", dns, "busybox", "sleep", "300"])
        let dbIP = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Networks.n1.IPAddress}}", "db"])
        XCTAssertTrue(try rig.docker(["exec", "cli", "nslookup", "-type=a", "database"]).stdout.contains("Address: \(dbIP)"))

        // As a kill -9: the old daemon's sockets are gone; the new one's reconcile serves again.
        await rig.stopServer()
        try rig.restartService()
        try await rig.startServer()
        XCTAssertEqual(rig.networks?.embeddedDNSServers, [dbID, cliID])
        for name in ["db", "database", String(dbID.prefix(12))] {
            let after = try rig.docker(["exec", "cli", "nslookup", "-type=a", name])
            XCTAssertTrue(after.stdout.contains("Address: \(dbIP)"), "\(name): \(after.stdout) \(after.stderr)")
        }
        let outside = try rig.docker(["exec", "cli", "nslookup", "-type=a", "outside.swdock.test"])
        XCTAssertTrue(outside.stdout.contains("192.0.2.8"), outside.stdout + outside.stderr)
        // TCP through the embedded server (busybox has no TCP resolver: nc speaks the framing).
        let framed = "printf '\\0\\027\\0\\001\\001\\0\\0\\001\\0\\0\\0\\0\\0\\0\\002db\\002n1\\0\\0\\001\\0\\001' | nc -w 3 127.0.0.11 53 | od -An -tu1"
        let tcp = try rig.docker(["exec", "cli", "sh", "-c", framed])
        let ipBytes = dbIP.split(separator: ".").map { String($0) }
        let numbers = tcp.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        XCTAssertEqual(Array(numbers.suffix(4)), ipBytes, "TCP answer ends with db's address: \(tcp.stdout) \(tcp.stderr)")

        _ = try ok(rig, ["rm", "-f", "db", "cli"])
        XCTAssertEqual(rig.networks?.embeddedDNSServers, [])
    }

    /// The real swdockd killed with -9: the servers die with it (their sockets were its fds)
    /// and the next swdockd's reconcile makes them again for the running containers.
    func testEmbeddedDNSAfterKill9OfTheRealSwdockd() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        let rig = try ContainerRig(test: self)
        rig.service.shutdown()
        let upstream = try TestDNSServer(records: ["outside.swdock.test": "192.0.2.10"])
        defer { upstream.stop() }
        let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        let subnet = try Self.freeSubnet(), s1 = try Self.freeSubnet(excluding: [subnet])
        let bridge = "swt\(tag)d", b1 = "swt\(tag)1"
        try #"{"bridge": "\#(bridge)", "bip": "\#(IPv4Subnet.format(subnet.network + 1))/24"}"#
            .write(toFile: rig.root + "/daemon.json", atomically: false, encoding: .utf8)
        addTeardownBlock {
            _ = try? runCommand("/bin/sh", ["-c", "ip link del \(b1); ip link del \(bridge); nft delete table ip swdock-\(b1); nft delete table ip swdock-\(bridge)"])
        }
        var daemon = try rig.startDaemon()
        var running = true
        defer { if running { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() } }
        func docker(_ arguments: [String]) throws -> CommandResult { try rig.docker(arguments) }
        _ = try ok(rig, ["network", "create", "--subnet", s1.description, "-o", "com.docker.network.bridge.name=\(b1)", "n1"])
        let dbID = try ok(rig, ["run", "-d", "--name", "db", "--network", "n1", "--network-alias", "database", "--dns", upstream.addressText,
                                "busybox", "sleep", "300"])
        let cliID = try ok(rig, ["run", "-d", "--name", "cli", "--network", "n1", "--dns", upstream.addressText, "busybox", "sleep", "300"])
        let dbIP = try ok(rig, ["inspect", "-f", "{{.NetworkSettings.Networks.n1.IPAddress}}", "db"])
        let first = try docker(["exec", "cli", "nslookup", "-type=a", "database"])
        XCTAssertTrue(first.stdout.contains("Address: \(dbIP)"), first.stdout + first.stderr)
        let netns = rig.layout.execRoot + "/netns/" + cliID

        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let gone = try runCommand("/usr/bin/nsenter", ["--net=\(netns)", "ss", "-lun"]).stdout
        XCTAssertFalse(gone.contains("127.0.0.11:53"), "the server died with its daemon: \(gone)")

        daemon = try rig.startDaemon()
        let back = try runCommand("/usr/bin/nsenter", ["--net=\(netns)", "ss", "-lunt"]).stdout
        XCTAssertEqual(back.components(separatedBy: "127.0.0.11:53").count - 1, 2, "UDP and TCP served again: \(back)")
        for name in ["db", "database", String(dbID.prefix(12))] {
            let after = try docker(["exec", "cli", "nslookup", "-type=a", name])
            XCTAssertTrue(after.stdout.contains("Address: \(dbIP)"), "\(name): \(after.stdout) \(after.stderr)")
        }
        let outside = try docker(["exec", "cli", "nslookup", "-type=a", "outside.swdock.test"])
        XCTAssertTrue(outside.stdout.contains("192.0.2.10"), outside.stdout + outside.stderr)
        XCTAssertEqual(try docker(["rm", "-f", "db", "cli"]).status, 0)
        XCTAssertEqual(try docker(["network", "rm", "n1"]).status, 0)
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        running = false
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rig.layout.execRoot + "/netns"), [])
    }
}
