#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockTestSupport
import XCTest

/// Benchmark (SWDOCK_BENCH=1, `bench/engine/daemon-restart.sh`): the real swdockd restarted
/// (kill -9, then start) under N running containers (SWDOCK_BENCH_BATCH, default 50): the time
/// from spawning the new daemon to its first answer, and to a `ps` that lists all N running.
final class DaemonRestartBenchmark: XCTestCase {
    func testBenchDaemonRestartUnderRunningContainers() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        let count = Int(environment["SWDOCK_BENCH_BATCH"] ?? "") ?? 50
        let rounds = Int(environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 5
        let rig = try ContainerRig(test: self)
        rig.service.shutdown()
        try rig.installImageForDaemon()
        var daemon = try rig.startDaemon()
        for index in 0..<count {
            let run = try rig.docker(["run", "-d", "--name", "b\(index)", "busybox", "sleep", "1000"])
            guard run.status == 0 else { throw FixtureError("run", run.stderr) }
        }
        var firstAnswer: [Double] = [], allListed: [Double] = []
        for _ in 0..<rounds {
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            let start = Date()
            daemon = try rig.startDaemon()
            firstAnswer.append(Date().timeIntervalSince(start))
            while true {
                let ps = try rig.docker(["ps", "-q"])
                if ps.stdout.split(separator: "\n").count == count { break }
                guard Date().timeIntervalSince(start) < 60 else { throw FixtureError("ps", "not all \(count) listed") }
            }
            allListed.append(Date().timeIntervalSince(start))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] * 1000 }
        print(String(format: "BENCH daemon restart under %d running containers (kill -9, start; median of %d, ms; includes the docker CLI's own start): first answer %.0f, all listed running %.0f",
                     count, rounds, median(firstAnswer), median(allListed)))
        _ = try rig.docker(["rm", "-f"] + (0..<count).map { "b\($0)" }, timeout: 300)
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
    }
}
