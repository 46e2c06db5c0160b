import Foundation
import SwdockTestSupport
import XCTest

/// Not a test: `commit` of a container whose writable layer holds a 100 MB change (one file of
/// random bytes), swdock against a private dockerd (and podman when asked), alternating engine
/// by engine inside each round, medians. Runs only with SWDOCK_BENCH=1 (`bench/commit/run.sh`);
/// asserts only that commands succeed. Rounds: SWDOCK_BENCH_RUNS (default 5); engines:
/// SWDOCK_BENCH_ENGINES (default `swdock,docker`); size: SWDOCK_BENCH_COMMIT_MB (default 100).
final class CommitBenchmark: XCTestCase {
    func testBenchCommitOfALargeChange() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let rounds = Int(environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 5
        let megabytes = Int(environment["SWDOCK_BENCH_COMMIT_MB"] ?? "") ?? 100
        let image = "\(registry)/swdock-fixtures/busybox:latest"
        let engines = try BenchEngine.startAll(defaults: "swdock,docker", pulling: image)
        defer { for engine in engines { engine.stop() } }

        var results = BenchResults(engines: engines.map(\.name))
        for round in 0..<rounds {
            let order = engines.indices.map { engines[($0 + round) % engines.count] }
            for engine in order {
                let name = "commit-bench-\(round)"
                _ = try engine.timed(["run", "--name", name] + engine.runFlags
                                     + [image, "dd", "if=/dev/urandom", "of=/big", "bs=1M", "count=\(megabytes)"])
                let commit = try engine.timed(["commit", name, "commit-bench:\(round)"])
                results.add("commit of a \(megabytes) MB change", engine.name, commit)
                results.add("run --rm of the committed image", engine.name,
                            try engine.timed(["run", "--rm"] + engine.runFlags + ["commit-bench:\(round)", "true"]))
                _ = try engine.timed(engine.removeForce(name))
                results.add("rmi of the committed image", engine.name, try engine.timed(["rmi", "commit-bench:\(round)"]))
            }
        }
        print(results.table())
    }
}
