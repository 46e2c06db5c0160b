import Foundation
import SwdockContent
import SwdockOCI
@testable import SwdockRegistry
import SwdockTestSupport
import XCTest

/// Not a test: measures a cold pull of the `bench` fixture into an empty store against
/// `skopeo copy docker://… oci:DIR` (download and verify only) on the same registry,
/// alternating, and prints the medians. Runs only with SWDOCK_BENCH=1; it asserts nothing
/// about time (numbers belong in bench/ reports, not in pass/fail).
final class PullBenchmark: XCTestCase {
    func testBenchPullOfBenchFixtureVersusSkopeo() async throws {
        // A benchmark, not a test: it runs on request only (and is never counted as a pass).
        guard ProcessInfo.processInfo.environment["SWDOCK_BENCH"] == "1" else {
            throw XCTSkip("benchmark: run with SWDOCK_BENCH=1")
        }
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let (catalog, _) = try Catalog.load()
        let bench = try catalog.fixture("bench")
        let runs = Int(ProcessInfo.processInfo.environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 5
        let parallel = Int(ProcessInfo.processInfo.environment["SWDOCK_BENCH_PARALLEL"] ?? "") ?? RegistryDefaults.maxConcurrentDownloads
        let policy = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-bench-policy.json").path
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: policy, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: policy) }
        var ours: [Double] = []
        var skopeo: [Double] = []
        for _ in 0..<runs {
            let store = try makeStore()
            let client = makeClient(RegistryConfiguration(maxConcurrentDownloads: parallel))
            let start = ContinuousClock.now
            let result = try await ImagePuller(client: client, store: store)
                .pull(try reference(registry, bench.repository, "latest"))
            ours.append((ContinuousClock.now - start).seconds)
            XCTAssertEqual(result.manifestDigest, bench.tags[0].images[0].manifest.digest)
            try? FileManager.default.removeItem(atPath: store.root)

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-bench-skopeo-\(UUID().uuidString)").path
            let skopeoStart = ContinuousClock.now
            let copied = try runCommand("/usr/bin/skopeo", ["--policy", policy, "copy", "--quiet", "--src-tls-verify=false",
                                                            "docker://\(registry)/\(bench.repository):latest", "oci:\(dir):latest"])
            skopeo.append((ContinuousClock.now - skopeoStart).seconds)
            XCTAssertEqual(copied.status, 0, copied.stderr)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let size = bench.tags[0].images[0].layers.reduce(0) { $0 + $1.size }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        print("BENCH pull of bench fixture (\(size) bytes, \(bench.tags[0].images[0].layers.count) layers, parallel \(parallel)): "
              + "swdock median \(String(format: "%.3f", median(ours))) s \(ours.map { String(format: "%.3f", $0) }), "
              + "skopeo median \(String(format: "%.3f", median(skopeo))) s \(skopeo.map { String(format: "%.3f", $0) })")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
