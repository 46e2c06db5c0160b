import Foundation
import SwdockTestSupport
import XCTest

/// Not a test: the interactive benchmark of issue 7, run with SWDOCK_BENCH=1 (bench/interactive/run.sh).
/// The same docker CLI (28) drives swdock's container routes (the in-process API server of
/// ContainerRig over the real shim and runtime) and a private dockerd (Debian's docker.io with
/// containerd), busybox on both:
///
/// - `exec C true` latency (median of SWDOCK_BENCH_RUNS, default 20);
/// - throughput of a 200 MB file `cat` through the hijacked exec stream and of 200 MB of output
///   through `run` (attach), stdout to /dev/null.
///
/// It asserts only that the commands succeed, never anything about time.
final class InteractiveBenchmark: XCTestCase {
    struct Engine {
        let name: String
        let docker: ([String]) throws -> (CommandResult, Double)
    }

    func testBenchInteractive() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        let rounds = Int(environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 20
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let dockerd = try PrivateDockerd(runtimes: [:])
        defer { dockerd.stop() }
        let config = rig.root + "/docker-config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)

        func timed(_ host: String, _ arguments: [String], toNull: Bool) throws -> (CommandResult, Double) {
            let start = ContinuousClock.now
            let result = try runCommand("/usr/bin/env", ["DOCKER_HOST=\(host)", "DOCKER_CONFIG=\(config)", "/usr/local/bin/docker"] + arguments,
                                        timeout: 300, outputFile: toNull ? URL(fileURLWithPath: "/dev/null") : nil)
            let elapsed = ContinuousClock.now - start
            guard result.status == 0 else { throw FixtureError("docker \(arguments.joined(separator: " "))", result.stderr) }
            return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let dockerHost = "unix://" + dockerd.socket
        let dockerImage = "\(registry)/swdock-fixtures/busybox:latest"
        _ = try timed(dockerHost, ["pull", dockerImage], toNull: false)
        let engines: [(name: String, host: String, image: String, flags: [String])] = [
            ("swdock", rig.dockerHost, "busybox", []),
            ("docker", dockerHost, dockerImage, ["--network", "none"]),
        ]
        var lines = ["BENCH interactive (docker CLI 28 against each; medians)",
                     "| measurement | swdock | docker | swdock ÷ docker |", "|---|---:|---:|---:|"]
        var cliFloor: [String: Double] = [:], swdockCLIExec = Double.nan
        var exec: [String: Double] = [:], catRate: [String: Double] = [:], runRate: [String: Double] = [:]
        let size = 200 * 1024 * 1024
        for engine in engines {
            let id = try timed(engine.host, ["run", "-d"] + engine.flags + [engine.image, "sleep", "1000"], toNull: false)
                .0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            defer { _ = try? timed(engine.host, ["rm", "-f", id], toNull: false) }
            _ = try timed(engine.host, ["exec", id, "true"], toNull: false)  // warm
            var times: [Double] = []
            for _ in 0..<rounds { times.append(try timed(engine.host, ["exec", id, "true"], toNull: false).1) }
            exec[engine.name] = median(times)
            var floor: [Double] = []
            for _ in 0..<rounds { floor.append(try timed(engine.host, ["version"], toNull: false).1) }
            cliFloor[engine.name] = median(floor)
            if engine.name == "swdock" {
                var ours: [Double] = []
                for _ in 0..<rounds {
                    let start = ContinuousClock.now
                    let result = try runCommand(TestEnvironment.executable("swdock"), ["-H", engine.host, "exec", id, "true"], timeout: 60)
                    let elapsed = ContinuousClock.now - start
                    guard result.status == 0 else { throw FixtureError("swdock exec", result.stderr) }
                    ours.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                }
                swdockCLIExec = median(ours)
            }
            _ = try timed(engine.host, ["exec", id, "dd", "if=/dev/zero", "of=/tmp/big", "bs=1048576", "count=200"], toNull: false)
            var cats: [Double] = []
            for _ in 0..<3 { cats.append(try timed(engine.host, ["exec", id, "cat", "/tmp/big"], toNull: true).1) }
            catRate[engine.name] = Double(size) / 1e6 / median(cats)
            var runs: [Double] = []
            for _ in 0..<3 {
                runs.append(try timed(engine.host, ["run", "--rm"] + engine.flags + [engine.image, "sh", "-c", "yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz | head -c \(size)"],
                                      toNull: true).1)
            }
            runRate[engine.name] = Double(size) / 1e6 / median(runs)
        }
        func row(_ name: String, _ values: [String: Double], _ format: String, scale: Double = 1) {
            let ours = values["swdock"] ?? .nan, theirs = values["docker"] ?? .nan
            lines.append("| \(name) | " + String(format: format, ours * scale) + " | " + String(format: format, theirs * scale) + " | "
                         + String(format: "%.2f×", ours / theirs) + " |")
        }
        row("exec C true (ms)", exec, "%.1f", scale: 1000)
        row("docker version, the CLI's own floor (ms)", cliFloor, "%.1f", scale: 1000)
        lines.append(String(format: "| swdock exec C true with the swdock CLI (ms) | %.1f | – | %.2f× of docker exec on dockerd |",
                            swdockCLIExec * 1000, swdockCLIExec / (exec["docker"] ?? .nan)))
        row("exec cat 200 MB file (MB/s)", catRate, "%.0f")
        row("run: 200 MB of text lines through attach + json-file log (MB/s, incl. start)", runRate, "%.0f")
        print(lines.joined(separator: "\n"))
    }

    func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
