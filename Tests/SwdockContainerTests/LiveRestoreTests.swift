#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockMetadata
import SwdockTestSupport
import XCTest

/// The real swdockd killed with -9 (and stopped cleanly) under running containers, driven by
/// the real docker CLI.
final class LiveRestoreTests: XCTestCase {
    static let counter = "i=0; while :; do echo $i; i=$((i+1)); usleep 10000; done"

    func requireDocker() throws -> Bool {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return false
        }
        return true
    }

    func testKill9OfTheDaemonKeepsTenCountersWithoutAGapAndAppliesWhatHappenedMeanwhile() async throws {
        guard try requireDocker() else { return }
        let rig = try ContainerRig(test: self)
        // Only the daemons under test watch these containers.
        rig.service.shutdown()
        try rig.installImageForDaemon()
        var daemon = try rig.startDaemon()
        defer { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() }
        let names = (0..<10).map { "count\($0)" }
        for name in names {
            let run = try rig.docker(["run", "-d", "--name", name, "busybox", "sh", "-c", Self.counter])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        XCTAssertEqual(try rig.docker(["run", "-d", "--name", "exits", "busybox", "sh", "-c",
                                       "trap 'exit 7' TERM; while :; do usleep 10000; done"]).status, 0)
        XCTAssertEqual(try rig.docker(["run", "-d", "--rm", "--name", "removed", "busybox", "sh", "-c",
                                       "trap 'exit 0' TERM; while :; do usleep 10000; done"]).status, 0)
        XCTAssertEqual(try rig.docker(["run", "-d", "--restart", "always", "--name", "always", "busybox", "sleep", "300"]).status, 0)
        var pids: [String: Int32] = [:]
        for name in names + ["exits", "removed", "always"] { pids[name] = try rig.pid(name) }
        usleep(300_000)

        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        // While no daemon runs: one exits with 7, the --rm one exits, the always one is killed.
        XCTAssertEqual(kill(pids["exits"]!, SIGTERM), 0)
        XCTAssertEqual(kill(pids["removed"]!, SIGTERM), 0)
        XCTAssertEqual(kill(pids["always"]!, SIGKILL), 0)
        sleep(2)
        daemon = try rig.startDaemon()

        for name in names {
            XCTAssertEqual(try rig.inspect(name, "{{.State.Status}} {{.State.Pid}}"), "running \(pids[name]!)", name)
        }
        XCTAssertEqual(try rig.inspect("exits", "{{.State.Status}} {{.State.ExitCode}}"), "exited 7")
        let gone = try rig.docker(["inspect", "removed"])
        XCTAssertNotEqual(gone.status, 0, "the --rm container was removed when its exit was found")
        XCTAssertTrue(gone.stderr.contains("No such object"), gone.stderr)
        var always = ""
        let deadline = Date().addingTimeInterval(20)
        repeat {
            always = try rig.inspect("always", "{{.State.Status}} {{.State.Pid}} {{.RestartCount}}")
            if always.hasPrefix("running ") { break }
            usleep(50_000)
        } while Date() < deadline
        XCTAssertTrue(always.hasPrefix("running ") && !always.hasPrefix("running \(pids["always"]!) ") && always.hasSuffix(" 1"),
                      "the always container runs again, once restarted: \(always)")

        // logs -f, kill, stop and wait on restored containers.
        let follow = try rig.dockerProcess(["logs", "-f", "count0"])
        let waitProcess = try rig.dockerProcess(["wait", "count1"])
        usleep(300_000)
        XCTAssertEqual(try rig.docker(["kill", "count0"]).status, 0)
        XCTAssertEqual(try rig.docker(["stop", "-t", "1", "count1"]).stdout, "count1\n")
        let followed = try follow.finish(timeout: 20)
        XCTAssertEqual(followed.status, 0, "logs -f ended with the container")
        let waited = try waitProcess.finish(timeout: 20)
        XCTAssertEqual(waited.stdout, try rig.inspect("count1", "{{.State.ExitCode}}") + "\n")
        XCTAssertEqual(try rig.inspect("count0", "{{.State.ExitCode}}"), "137")
        try checkCounter(followed.stdout, "count0 (logs -f)")
        for name in names {
            let logs = try rig.docker(["logs", name])
            try checkCounter(logs.stdout, name)
        }
        _ = try rig.docker(["rm", "-f"] + names + ["exits", "always"])
    }

    /// The lines are 0, 1, 2, … with none missing, and more than were written before the kill.
    func checkCounter(_ text: String, _ what: String) throws {
        let numbers = text.split(separator: "\n").map { Int($0) }
        XCTAssertFalse(numbers.contains(nil), "\(what): only counter lines")
        let values = numbers.compactMap { $0 }
        XCTAssertGreaterThan(values.count, 50, "\(what): it kept counting across the daemon's restart")
        XCTAssertEqual(values, Array(0..<values.count), "\(what): no line is missing")
    }

    func testCleanStopKeepsContainersWithLiveRestoreAndStopsThemWithout() async throws {
        guard try requireDocker() else { return }
        let rig = try ContainerRig(test: self)
        rig.service.shutdown()
        try rig.installImageForDaemon()
        var daemon = try rig.startDaemon()
        XCTAssertEqual(try rig.docker(["run", "-d", "--name", "plain", "busybox", "sleep", "300"]).status, 0)
        XCTAssertEqual(try rig.docker(["run", "-d", "--name", "always", "--restart", "always", "busybox", "sleep", "300"]).status, 0)
        let pid = try rig.pid("plain")
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0)
        XCTAssertEqual(kill(pid, 0), 0, "live-restore (the default): SIGTERM of the daemon leaves containers running")

        try #"{"live-restore": false, "bridge": "none"}"#.write(toFile: rig.root + "/daemon.json", atomically: false, encoding: .utf8)
        daemon = try rig.startDaemon()
        XCTAssertEqual(try rig.inspect("plain", "{{.State.Status}} {{.State.Pid}}"), "running \(pid)")
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        XCTAssertNotEqual(kill(pid, 0), 0, "live-restore false: the clean stop stopped the container")

        try #"{"bridge": "none"}"#.write(toFile: rig.root + "/daemon.json", atomically: false, encoding: .utf8)
        daemon = try rig.startDaemon()
        defer { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() }
        XCTAssertTrue(try rig.inspect("plain", "{{.State.Status}} {{.State.ExitCode}}").hasPrefix("exited "))
        // The daemon, not the user, stopped it: `always` comes back at the next start.
        var always = ""
        let deadline = Date().addingTimeInterval(20)
        repeat {
            always = try rig.inspect("always", "{{.State.Status}}")
            if always == "running" { break }
            usleep(50_000)
        } while Date() < deadline
        XCTAssertEqual(always, "running")
        _ = try rig.docker(["rm", "-f", "plain", "always"])
    }
}

/// A docker CLI process left running (logs -f, wait) and collected later.
final class RunningCommand {
    let process: Process
    let output: String
    let errors: String
    init(process: Process, output: String, errors: String) { self.process = process; self.output = output; self.errors = errors }

    func finish(timeout: TimeInterval) throws -> (status: Int32, stdout: String, stderr: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        return (process.terminationStatus, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
    }
}

extension ContainerRig {
    /// Prepares the rig's roots for the real swdockd: the rig's pull already left busybox in
    /// the store the daemon opens; only the daemon's config file is missing.
    func installImageForDaemon() throws {
        if !FileManager.default.fileExists(atPath: root + "/daemon.json") {
            // Networking off: a private daemon must not set up (and leave) the host's swdock0.
            try #"{"bridge": "none"}"#.write(toFile: root + "/daemon.json", atomically: false, encoding: .utf8)
        }
    }

    /// Starts the real swdockd on this rig's roots and socket; returns once it answers.
    func startDaemon() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.executable("swdockd"))
        process.arguments = ["-H", dockerHost, "--data-root", layout.dataRoot, "--exec-root", layout.execRoot,
                             "--pidfile", root + "/swdockd.pid", "--config-file", root + "/daemon.json"]
        let logPath = root + "/swdockd.log"
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else {
                throw FixtureError("swdockd", "exited: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
            }
            if (try? docker(["version", "--format", "{{.Server.Version}}"], timeout: 10))?.status == 0 { return process }
            usleep(50_000)
        }
        throw FixtureError("swdockd", "did not serve within 30 s")
    }

    func inspect(_ name: String, _ format: String) throws -> String {
        let result = try docker(["inspect", "-f", format, name])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + (result.status == 0 ? "" : " [\(result.stderr)]")
    }

    func pid(_ name: String) throws -> Int32 {
        guard let pid = Int32(try inspect(name, "{{.State.Pid}}")), pid > 0 else { throw FixtureError("inspect \(name)", "no pid") }
        return pid
    }

    /// Starts the docker CLI without waiting for it.
    func dockerProcess(_ arguments: [String]) throws -> RunningCommand {
        let config = root + "/docker-config"
        try? FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let stamp = UUID().uuidString.prefix(8)
        let out = root + "/cli-\(stamp).out", err = root + "/cli-\(stamp).err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/local/bin/docker")
        process.arguments = arguments
        process.environment = ["DOCKER_HOST": dockerHost, "DOCKER_CONFIG": config, "PATH": "/usr/bin:/bin"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCommand(process: process, output: out, errors: err)
    }
}
