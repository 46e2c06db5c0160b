import Foundation
import SwdockTestSupport
import XCTest

/// Not a test: the `cp` benchmark, run with SWDOCK_BENCH=1 (bench/cp/run.sh). A 200 MB file is
/// copied into a running busybox container and back out with docker CLI 28, against swdock's
/// container routes (the in-process API server of ContainerRig over the real shim, runtime and
/// overlay snapshots) and against a private dockerd; the swdock CLI against swdock as well.
/// Medians of SWDOCK_BENCH_RUNS (default 3) in MB/s. It asserts only that the copies succeed.
final class CopyBenchmark: XCTestCase {
    func testBenchCopy() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        let rounds = Int(environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 3
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let dockerd = try PrivateDockerd(runtimes: [:])
        defer { dockerd.stop() }
        let config = rig.root + "/docker-config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let size = 200 * 1024 * 1024
        let big = rig.root + "/big"
        guard try runCommand("/bin/sh", ["-c", "head -c \(size) /dev/urandom > \(big)"], timeout: 120).status == 0 else {
            throw FixtureError("make the 200 MB file", "head failed")
        }

        func timed(_ executable: String, _ arguments: [String]) throws -> Double {
            let start = ContinuousClock.now
            let result = try runCommand(executable, arguments, timeout: 600)
            let elapsed = ContinuousClock.now - start
            guard result.status == 0 else { throw FixtureError("\(executable) \(arguments.joined(separator: " "))", result.stderr) }
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        func docker(_ host: String, _ arguments: [String]) throws -> Double {
            try timed("/usr/bin/env", ["DOCKER_HOST=\(host)", "DOCKER_CONFIG=\(config)", "/usr/local/bin/docker"] + arguments)
        }
        let dockerHost = "unix://" + dockerd.socket
        let dockerImage = "\(registry)/swdock-fixtures/busybox:latest"
        _ = try docker(dockerHost, ["pull", "-q", dockerImage])
        let swdock = TestEnvironment.executable("swdock")
        let clients: [(name: String, host: String, image: String, flags: [String], cli: (String, [String]) throws -> Double)] = [
            ("docker CLI → swdockd", rig.dockerHost, "busybox", [], docker),
            ("swdock CLI → swdockd", rig.dockerHost, "busybox", [], { host, arguments in try timed(swdock, ["-H", host] + arguments) }),
            ("docker CLI → dockerd", dockerHost, dockerImage, ["--network", "none"], docker),
        ]
        var lines = ["BENCH cp of a 200 MB file (medians of \(rounds), MB/s)", "| client → daemon | cp in | cp out |", "|---|---:|---:|"]
        for client in clients {
            let id = try runCommand("/usr/bin/env", ["DOCKER_HOST=\(client.host)", "DOCKER_CONFIG=\(config)", "/usr/local/bin/docker",
                                                     "run", "-d"] + client.flags + [client.image, "sleep", "1000"], timeout: 60)
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            defer { _ = try? docker(client.host, ["rm", "-f", id]) }
            var ins: [Double] = [], outs: [Double] = []
            for round in 0..<rounds {
                ins.append(try client.cli(client.host, ["cp", big, "\(id):/big"]))
                let back = rig.root + "/back-\(round)"
                outs.append(try client.cli(client.host, ["cp", "\(id):/big", back]))
                unlink(back)
            }
            lines.append(String(format: "| \(client.name) | %.0f | %.0f |", Double(size) / 1e6 / median(ins), Double(size) / 1e6 / median(outs)))
        }
        print(lines.joined(separator: "\n"))
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
