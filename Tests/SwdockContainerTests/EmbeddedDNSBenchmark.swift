#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

/// Not a test: embedded DNS costs. Runs only with SWDOCK_BENCH=1; asserts only that the
/// queries and commands succeed, never anything about time.
///
/// - query latency through 127.0.0.11 from a running container's namespace (a fresh UDP socket
///   per query, as a stub resolver does): a container name (answered locally) and an outside
///   name (forwarded to a `TestDNSServer` on 127.x — nothing leaves the machine);
/// - `nslookup NAME` in a busybox loop inside the container (process start included);
/// - the start cost: `EmbeddedDNS.serve` on a fresh namespace, and `run --rm` on a user network
///   (with DNS) vs the default bridge (without).
final class EmbeddedDNSBenchmark: XCTestCase {
    func testBenchEmbeddedDNS() async throws {
        guard ProcessInfo.processInfo.environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        let queries = Int(ProcessInfo.processInfo.environment["SWDOCK_BENCH_QUERIES"] ?? "") ?? 1000
        let rounds = Int(ProcessInfo.processInfo.environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 15
        let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        let subnet = try NetworkIntegrationTests.freeSubnet()
        let s1 = try NetworkIntegrationTests.freeSubnet(excluding: [subnet])
        let rig = try ContainerRig(test: self, networking: NetworkServiceConfiguration(
            bridgeName: "swt\(tag)d", bip: "\(IPv4Subnet.format(subnet.network + 1))/24"))
        try await rig.startServer()
        let upstream = try TestDNSServer(records: ["outside.swdock.test": "192.0.2.9"])
        defer { upstream.stop() }
        let dns = upstream.addressText
        func docker(_ arguments: [String]) throws -> String {
            let result = try rig.docker(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try docker(["network", "create", "--subnet", s1.description, "-o", "com.docker.network.bridge.name=swt\(tag)1", "n1"])
        _ = try docker(["run", "-d", "--name", "web", "--network", "n1", "--dns", dns, "busybox", "sleep", "600"])
        let cli = try docker(["run", "-d", "--name", "cli", "--network", "n1", "--dns", dns, "busybox", "sleep", "600"])
        let namespace = NetworkNamespace(path: rig.layout.execRoot + "/netns/" + cli)

        func latencies(_ name: String) throws -> [Double] {
            let query = DNSMessage.query(id: 0x4242, name: DNSName(name)!, type: DNSType.a).encoded()
            return try namespace.run { () throws(NetworkError) -> [Double] in
                var times: [Double] = []
                for _ in 0..<queries {
                    let start = microseconds()
                    guard let reply = DNSProbe.exchange(query, server: EmbeddedDNS.address, tcp: false), reply.count > 12 else { continue }
                    times.append(microseconds() - start)
                }
                return times
            }
        }
        func summary(_ values: [Double]) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "no answers" }
            return String(format: "median %.0f µs, p99 %.0f µs (%d answered)", sorted[sorted.count / 2],
                          sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.count)
        }
        let local = try latencies("web")
        let forwarded = try latencies("outside.swdock.test")
        XCTAssertEqual(local.count, queries)
        XCTAssertEqual(forwarded.count, queries)
        print("BENCH embedded DNS, container name via 127.0.0.11 (\(queries) queries): \(summary(local))")
        print("BENCH embedded DNS, forwarded to 127.x upstream (\(queries) queries): \(summary(forwarded))")

        let loops = min(queries, 200)
        let start = Date()
        _ = try docker(["exec", "cli", "sh", "-c", "i=0; while [ $i -lt \(loops) ]; do nslookup -type=a web >/dev/null || exit 1; i=$((i+1)); done"])
        print(String(format: "BENCH busybox nslookup loop in the container: %.2f ms per lookup (%d, process start included)",
                     Date().timeIntervalSince(start) * 1000 / Double(loops), loops))

        // The server's own start cost, on fresh namespaces (lo up), serve then stop.
        let server = try EmbeddedDNS()
        defer { server.shutdownAll() }
        let directory = "/tmp/swt-dnsbench-\(tag)"
        var serveTimes: [Double] = []
        for i in 0..<50 {
            let ns = try NetworkNamespace.create(named: "b\(i)", in: directory)
            defer { try? ns.delete() }
            try RouteNetlink(namespace: ns).setUp("lo")
            let begin = microseconds()
            try server.serve("b\(i)", in: ns, view: DNSView(names: ["x": [1]]))
            serveTimes.append(microseconds() - begin)
            server.stop("b\(i)")
        }
        try? NetworkNamespace.releaseDirectory(directory)
        print("BENCH EmbeddedDNS.serve (bind UDP+TCP 127.0.0.11:53 in a netns, register): \(summary(serveTimes))")

        var runs: [String: [Double]] = ["n1": [], "bridge": []]
        for round in 0..<rounds {
            for network in round % 2 == 0 ? ["n1", "bridge"] : ["bridge", "n1"] {
                let begin = Date()
                _ = try docker(["run", "--rm", "--network", network, "--dns", dns, "busybox", "true"])
                runs[network]!.append(Date().timeIntervalSince(begin) * 1000)
            }
        }
        func median(_ values: [Double]) -> Double { let s = values.sorted(); return s[s.count / 2] }
        print(String(format: "BENCH run --rm busybox true (%d rounds, median): user network n1 (embedded DNS) %.1f ms, default bridge %.1f ms",
                     rounds, median(runs["n1"]!), median(runs["bridge"]!)))
        _ = try docker(["rm", "-f", "web", "cli"])
    }
}

/// The monotonic clock in microseconds.
private func microseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) * 1_000_000 + Double(now.tv_nsec) / 1000
}
