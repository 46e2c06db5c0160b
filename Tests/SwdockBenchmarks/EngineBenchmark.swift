import Foundation
import SwdockTestSupport
import XCTest

/// Not a test: the engine benchmark of the lifecycle issue. swdock (swdockd + swdock-shim +
/// swdock-runtime, driven by the `swdock` CLI) against a private dockerd (Debian's docker.io,
/// driven by its docker CLI) and podman, all with `--network none`, the same busybox image from
/// the harness's registry on 127.0.0.1, alternating engine by engine inside each round, medians.
///
/// Runs only with SWDOCK_BENCH=1 (`bench/engine/run.sh` builds release and runs it through the
/// test harness); it asserts only that commands succeed, never anything about time. Rounds:
/// SWDOCK_BENCH_RUNS (default 10); SWDOCK_BENCH_ENGINES picks engines (default
/// `swdock,docker,podman`); SWDOCK_BENCH_BATCH is the size of the batch measurements (default 50).
final class EngineBenchmark: XCTestCase {
    func testBenchEngineLifecycle() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let rounds = Int(environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 10
        let batch = Int(environment["SWDOCK_BENCH_BATCH"] ?? "") ?? 50
        let image = "\(registry)/swdock-fixtures/busybox:latest"
        let engines = try BenchEngine.startAll(defaults: "swdock,docker,podman", pulling: image)
        defer { for engine in engines { engine.stop() } }

        var results = BenchResults(engines: engines.map(\.name))
        for round in 0..<rounds {
            // Rotate who goes first so no engine always runs on a warmer (or busier) machine.
            let order = engines.indices.map { engines[($0 + round) % engines.count] }
            for engine in order {
                results.add("run --rm IMG true", engine.name, try engine.timed(["run", "--rm"] + engine.runFlags + [image, "true"]))
                let started = try engine.timed(["run", "-d"] + engine.runFlags + [image, "sleep", "1000"])
                results.add("run -d IMG sleep 1000", engine.name, started)
                results.add("rm -f (running)", engine.name, try engine.timed(engine.removeForce(started.output)))
            }
        }
        // Batches: 50 detached, `ps` over them, then remove them; sequential and 4 clients.
        for engine in engines {
            let sequential = try engine.startBatch(image: image, count: batch, clients: 1)
            results.add("start \(batch) detached, 1 client", engine.name, sequential.elapsed)
            var psTimes: [Double] = []
            for _ in 0..<rounds { psTimes.append(try engine.timed(["ps"]).seconds) }
            results.add("ps with \(batch) running", engine.name, median(psTimes))
            if engine.name == "swdock" || engine.name == "docker" {
                results.memory("shim RSS MiB (one container)", engine.name, engine.shimRSS())
            }
            try engine.removeBatch(sequential.ids)
            let parallel = try engine.startBatch(image: image, count: batch, clients: 4)
            results.add("start \(batch) detached, 4 clients", engine.name, parallel.elapsed)
            try engine.removeBatch(parallel.ids)
            results.memory("daemon idle RSS MiB", engine.name, engine.daemonRSS())
        }
        print(results.table())
    }
}

/// One engine under measurement: how to call its CLI and where its processes are.
final class BenchEngine: @unchecked Sendable {
    let name: String
    let runFlags: [String]
    private let command: ([String]) -> (String, [String])
    private let daemonPIDs: () -> [Int32]
    private let shimNames: [String]
    private let stopper: () -> Void

    init(name: String, runFlags: [String], command: @escaping ([String]) -> (String, [String]),
         daemonPIDs: @escaping () -> [Int32], shimNames: [String], stop: @escaping () -> Void) {
        self.name = name
        self.runFlags = runFlags
        self.command = command
        self.daemonPIDs = daemonPIDs
        self.shimNames = shimNames
        stopper = stop
    }

    /// - Parameter config: daemon.json (its default has no bridge: `run` needs `--network none`).
    static func swdock(config: String = "{}") throws -> BenchEngine {
        let daemon = try PrivateDaemon(config: config)
        let cli = TestEnvironment.executable("swdock")
        return BenchEngine(name: "swdock", runFlags: ["--network", "none"],
                           command: { (cli, ["-H", daemon.host] + $0) },
                           daemonPIDs: { [daemon.pid] }, shimNames: ["swdock-shim"], stop: { daemon.stop() })
    }

    /// - Parameter bridge: see `PrivateDockerd.init(runtimes:bridge:)`.
    static func docker(bridge: String? = nil) throws -> BenchEngine {
        let dockerd = try PrivateDockerd(runtimes: [:], bridge: bridge)
        return BenchEngine(name: "docker", runFlags: ["--network", "none"],
                           command: { arguments in
                               let argv = dockerd.dockerCommand(arguments)
                               return (argv[0], Array(argv.dropFirst()))
                           },
                           daemonPIDs: { [dockerd.pid, dockerd.containerd.pid].compactMap { $0 } },
                           shimNames: ["containerd-shim"], stop: { dockerd.stop() })
    }

    static func podman() throws -> BenchEngine {
        guard let runc = PeerRuntimes.find("runc") else { throw XCTSkip("runc missing") }
        let podman = try PrivatePodman(runtime: runc)
        return BenchEngine(name: "podman", runFlags: podman.runFlags,
                           command: { podman.command($0) },
                           daemonPIDs: { [] }, shimNames: ["conmon"], stop: { podman.stop() })
    }

    func stop() { stopper() }

    /// The engines SWDOCK_BENCH_ENGINES names (else `defaults`), in swdock, docker, podman
    /// order, each started and with `image` pulled; whatever started is stopped if a later one fails.
    static func startAll(defaults: String, pulling image: String) throws -> [BenchEngine] {
        let listed = ProcessInfo.processInfo.environment["SWDOCK_BENCH_ENGINES"] ?? defaults
        let wanted = Set(listed.split(separator: ",").map(String.init))
        var engines: [BenchEngine] = []
        do {
            if wanted.contains("swdock") { engines.append(try swdock()) }
            if wanted.contains("docker") { engines.append(try docker()) }
            if wanted.contains("podman") { engines.append(try podman()) }
            for engine in engines { try engine.pull(image) }
        } catch {
            for engine in engines { engine.stop() }
            throw error
        }
        return engines
    }

    func pull(_ image: String) throws {
        let arguments = name == "podman" ? ["pull", "--tls-verify=false", image] : ["pull", image]
        let result = try run(arguments)
        guard result.status == 0 else { throw FixtureError("\(name) pull \(image)", result.stderr) }
    }

    /// `rm -f ID`; podman needs `-t 0` (busybox sleep as PID 1 ignores SIGTERM; docker kills at once).
    func removeForce(_ id: String) -> [String] {
        name == "podman" ? ["rm", "-f", "-t", "0", id] : ["rm", "-f", id]
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        let (executable, argv) = command(arguments)
        return try runCommand(executable, argv, timeout: 120)
    }

    /// Runs one command, fails on a non-zero exit, and returns its wall time and first output line.
    func timed(_ arguments: [String]) throws -> Timed {
        let start = ContinuousClock.now
        let result = try run(arguments)
        let elapsed = ContinuousClock.now - start
        guard result.status == 0 else {
            throw FixtureError("\(name) \(arguments.joined(separator: " "))", "exit \(result.status): \(result.stderr)")
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Timed(seconds: seconds, output: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Starts `count` detached sleepers from `clients` concurrent callers; the wall time of all.
    func startBatch(image: String, count: Int, clients: Int) throws -> (elapsed: Double, ids: [String]) {
        let ids = LockedArray()
        let failures = LockedArray()
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            for index in stride(from: client, to: count, by: clients) {
                _ = index
                do { ids.append(try timed(["run", "-d"] + runFlags + [image, "sleep", "1000"]).output) } catch {
                    failures.append("\(error)")
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        if let failure = failures.values.first { throw FixtureError("\(name) start batch", failure) }
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, ids.values)
    }

    func removeBatch(_ ids: [String]) throws {
        for chunk in stride(from: 0, to: ids.count, by: 25) {
            let result = try run(removeForce("").dropLast() + Array(ids[chunk..<min(chunk + 25, ids.count)]))
            guard result.status == 0 else { throw FixtureError("\(name) rm -f batch", result.stderr) }
        }
    }

    /// Resident set of the daemon processes (dockerd + containerd for docker), MiB.
    func daemonRSS() -> Double? {
        let pids = daemonPIDs()
        guard !pids.isEmpty else { return nil }
        return pids.compactMap(Self.residentMiB).reduce(0, +)
    }

    /// The median RSS of this engine's per-container shims that are running now, MiB.
    func shimRSS() -> Double? {
        let values = Self.processes(named: shimNames).compactMap(Self.residentMiB)
        return values.isEmpty ? nil : median(values)
    }

    static func processes(named names: [String]) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return false }
            return names.contains { comm.trimmingCharacters(in: .newlines).hasPrefix($0.prefix(15)) }
        }
    }

    static func residentMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kib / 1024
    }
}

struct Timed {
    var seconds: Double
    var output: String
}

final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ value: String) { lock.lock(); storage.append(value); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Samples per measurement and engine; renders medians and ratios to docker.
struct BenchResults {
    let engines: [String]
    private var times: [(String, [String: [Double]])] = []
    private var memories: [(String, [String: Double])] = []

    init(engines: [String]) { self.engines = engines }

    mutating func add(_ measurement: String, _ engine: String, _ sample: Timed) { add(measurement, engine, sample.seconds) }

    mutating func add(_ measurement: String, _ engine: String, _ seconds: Double) {
        if let index = times.firstIndex(where: { $0.0 == measurement }) {
            times[index].1[engine, default: []].append(seconds)
        } else {
            times.append((measurement, [engine: [seconds]]))
        }
    }

    mutating func memory(_ measurement: String, _ engine: String, _ mib: Double?) {
        guard let mib else { return }
        if let index = memories.firstIndex(where: { $0.0 == measurement }) {
            memories[index].1[engine] = mib
        } else {
            memories.append((measurement, [engine: mib]))
        }
    }

    func table() -> String {
        var lines = ["BENCH engine (medians; ms unless noted; ratio = swdock / docker)",
                     "| measurement | " + engines.joined(separator: " | ") + " | swdock ÷ docker |",
                     "|---|" + engines.map { _ in "---:|" }.joined() + "---:|"]
        for (measurement, samples) in times {
            let medians = engines.map { samples[$0].map(median) }
            let batch = measurement.hasPrefix("start")
            let cells = medians.map { value in value.map { batch ? String(format: "%.2f s", $0) : String(format: "%.1f", $0 * 1000) } ?? "–" }
            lines.append("| \(measurement) | " + cells.joined(separator: " | ") + " | " + ratio(samples.mapValues(median)) + " |")
        }
        for (measurement, values) in memories {
            let cells = engines.map { values[$0].map { String(format: "%.1f", $0) } ?? "–" }
            lines.append("| \(measurement) | " + cells.joined(separator: " | ") + " | " + ratio(values) + " |")
        }
        return lines.joined(separator: "\n")
    }

    private func ratio(_ values: [String: Double]) -> String {
        guard let ours = values["swdock"], let theirs = values["docker"], theirs > 0 else { return "–" }
        return String(format: "%.2f×", ours / theirs)
    }
}
