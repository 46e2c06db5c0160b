import Foundation
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

/// The embedded DNS server in real namespaces: answers at 127.0.0.11 inside the namespace over
/// UDP and TCP, forwards the rest from the host namespace to a test server on 127.x (never
/// further), SERVFAILs when the upstream is silent, and lets the namespace go when stopped.
final class EmbeddedDNSTests: XCTestCase {
    private func served(_ sandbox: NetworkSandbox, _ dns: EmbeddedDNS, _ suffix: String, view: DNSView) throws -> NetworkNamespace {
        let ns = try sandbox.namespace(suffix)
        try RouteNetlink(namespace: ns).setUp("lo")
        try dns.serve(sandbox.name(suffix), in: ns, view: view)
        sandbox.onTeardown { dns.stop(sandbox.name(suffix)) }
        return ns
    }

    func testAnswersOwnNamesAndForwardsTheRest() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let upstream = try TestDNSServer(records: ["outside.test": "192.0.2.7"])
        defer { upstream.stop() }
        let dns = try EmbeddedDNS()
        defer { dns.shutdownAll() }
        let view = DNSView(names: ["web": [0x0A00_0002]], reverse: [0x0A00_0002: "web.n1"], upstreams: [DNSUpstream(address: upstream.address)])
        let ns = try served(sandbox, dns, "a", view: view)

        for tcp in [false, true] {
            let own = try XCTUnwrap(try DNSProbe.query("web", in: ns, tcp: tcp))
            XCTAssertEqual(own.answers.map(\.data), [.a(0x0A00_0002)], "tcp \(tcp)")
            let aaaa = try XCTUnwrap(try DNSProbe.query("web", type: DNSType.aaaa, in: ns, tcp: tcp))
            XCTAssertEqual(aaaa.responseCode, DNSResponseCode.noError)
            XCTAssertTrue(aaaa.answers.isEmpty)
            let ptr = try XCTUnwrap(try DNSProbe.query("2.0.0.10.in-addr.arpa", type: DNSType.ptr, in: ns, tcp: tcp))
            XCTAssertEqual(ptr.answers.map(\.data), [.ptr(DNSName("web.n1")!)])
            let forwarded = try XCTUnwrap(try DNSProbe.query("outside.test", in: ns, tcp: tcp))
            XCTAssertEqual(forwarded.answers.map(\.data), [.a(0xC000_0207)], "tcp \(tcp)")
            let missing = try XCTUnwrap(try DNSProbe.query("missing.test", in: ns, tcp: tcp))
            XCTAssertEqual(missing.responseCode, DNSResponseCode.nameError)
        }
        let seen = upstream.questions
        XCTAssertTrue(seen.contains { $0.name == "outside.test" && !$0.tcp }, "\(seen)")
        XCTAssertTrue(seen.contains { $0.name == "outside.test" && $0.tcp }, "TCP queries are forwarded over TCP: \(seen)")
        XCTAssertFalse(seen.contains { $0.name == "web" }, "own names are not forwarded: \(seen)")

        // Garbage does not stop the server.
        _ = try ns.run { () throws(NetworkError) -> [UInt8]? in
            DNSProbe.exchange([0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12], server: EmbeddedDNS.address, tcp: false, timeoutSeconds: 1)
        }
        XCTAssertEqual(try DNSProbe.query("web", in: ns)?.answers.count, 1)

        // An updated view is answered at once.
        dns.update(sandbox.name("a"), view: DNSView(names: ["db": [0x0A00_0003]], upstreams: view.upstreams))
        XCTAssertEqual(try DNSProbe.query("db", in: ns)?.answers.map(\.data), [.a(0x0A00_0003)])
    }

    func testServfailWhenTheUpstreamIsSilent() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let dns = try EmbeddedDNS()
        defer { dns.shutdownAll() }
        // A bound UDP socket that never answers: the forward times out.
        let silent = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) == 0 && getsockname(silent, $0, &length) == 0 }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let ns = try served(sandbox, dns, "s", view: DNSView(upstreams: [DNSUpstream(address: 0x7F00_0001, port: port)]))
        let reply = try XCTUnwrap(try DNSProbe.query("anything.test", in: ns, timeoutSeconds: 10))
        XCTAssertEqual(reply.responseCode, DNSResponseCode.serverFailure)
        // No upstream at all (nothing listens on the port): SERVFAIL too, at once.
        close(silent)
        XCTAssertEqual(try DNSProbe.query("other.test", in: ns, timeoutSeconds: 10)?.responseCode, DNSResponseCode.serverFailure)
    }

    func testStopReleasesTheNamespace() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let dns = try EmbeddedDNS()
        defer { dns.shutdownAll() }
        let ns = try served(sandbox, dns, "r", view: DNSView(names: ["x": [1]]))
        XCTAssertNotNil(try DNSProbe.query("x", in: ns))
        // The server's sockets are in the namespace (that is what holds it) until stop.
        let before = try sandbox.run(in: ns, "ss -lunt").stdout
        XCTAssertTrue(before.contains("127.0.0.11:53"), before)
        dns.stop(sandbox.name("r"))
        XCTAssertFalse(try sandbox.run(in: ns, "ss -lunt").stdout.contains("127.0.0.11:53"))
        XCTAssertFalse(dns.isServing(sandbox.name("r")))
    }
}
