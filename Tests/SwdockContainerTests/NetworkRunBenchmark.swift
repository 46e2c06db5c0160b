import Foundation
import SwdockEngine
import SwdockNetwork
import SwdockTestSupport
import XCTest

/// Not a test: `docker run --rm busybox true` on the default bridge vs `--network none`, through
/// the real docker CLI against the engine's API server (ContainerRig with networking), medians.
/// Runs only with SWDOCK_BENCH=1; asserts only that the commands succeed, never anything about time.
final class NetworkRunBenchmark: XCTestCase {
    func testBenchRunRemoveBridgeVersusNone() async throws {
        guard ProcessInfo.processInfo.environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        let rounds = Int(ProcessInfo.processInfo.environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 15
        let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        let subnet = try NetworkIntegrationTests.freeSubnet()
        let rig = try ContainerRig(test: self, networking: NetworkServiceConfiguration(
            bridgeName: "swt\(tag)d", bip: "\(IPv4Subnet.format(subnet.network + 1))/24"))
        try await rig.startServer()
        var times: [String: [Double]] = ["bridge": [], "none": []]
        _ = try rig.docker(["run", "--rm", "busybox", "true"])  // warm up
        for round in 0..<rounds {
            for mode in round % 2 == 0 ? ["bridge", "none"] : ["none", "bridge"] {
                let start = Date()
                let result = try rig.docker(["run", "--rm", "--network", mode, "busybox", "true"])
                let elapsed = Date().timeIntervalSince(start)
                XCTAssertEqual(result.status, 0, result.stderr)
                times[mode]!.append(elapsed * 1000)
            }
        }
        func median(_ values: [Double]) -> Double { let s = values.sorted(); return s[s.count / 2] }
        let bridge = median(times["bridge"]!), none = median(times["none"]!)
        print(String(format: "BENCH run --rm busybox true (%d rounds, median): bridge %.1f ms, none %.1f ms, bridge adds %.1f ms",
                     rounds, bridge, none, bridge - none))
    }
}
