#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// Attach with stdin, TTYs, exec, pause and stats through the real docker CLI (28) against the
/// container routes; the interactive ones under a real pty (PtyDriver).
final class InteractiveDockerCLITests: XCTestCase {
    func requireDocker() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
    }

    /// The docker CLI under a pty against the rig.
    func dockerUnderPty(_ rig: ContainerRig, _ arguments: [String], rows: Int = 24, columns: Int = 80,
                        steps: [PtyDriver.Step]) throws -> PtyDriver.Outcome {
        let config = rig.root + "/docker-config"
        try? FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        return try PtyDriver.run(["/usr/local/bin/docker"] + arguments, env: ["DOCKER_HOST": rig.dockerHost, "DOCKER_CONFIG": config],
                                 rows: rows, columns: columns, steps: steps, workDirectory: rig.root)
    }

    func testRunInteractivePipesStdinAndItsEnd() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let cat = try rig.dockerWithInput(["run", "-i", "--rm", "busybox", "cat"], input: "hi\n")
        XCTAssertEqual(cat.stdout, "hi\n", cat.stderr)
        XCTAssertEqual(cat.status, 0, cat.stderr)
        // Many lines, and the end of stdin reaches the process (wc prints only at EOF).
        let lines = (1...2000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let count = try rig.dockerWithInput(["run", "-i", "--rm", "busybox", "wc", "-l"], input: lines)
        XCTAssertEqual(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "2000", count.stderr)
        let code = try rig.dockerWithInput(["run", "-i", "--rm", "busybox", "sh", "-c", "read a; echo got $a >&2; exit 4"], input: "x\n")
        XCTAssertEqual(code.stderr, "got x\n")
        XCTAssertEqual(code.status, 4)
        // Without -i the container's stdin is empty, and the attach still ends with the output.
        let none = try rig.dockerWithInput(["run", "--rm", "busybox", "cat"], input: "ignored\n")
        XCTAssertEqual(none.stdout, "", none.stderr)
        XCTAssertEqual(none.status, 0, none.stderr)
    }

    func testRunTTYUnderAPtyFollowsResizeAndRestoresTheTerminal() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let outcome = try dockerUnderPty(rig, ["run", "-it", "--rm", "busybox", "sh"], rows: 30, columns: 100, steps: [
            .expect("# "), .send("echo $((6*7))\r"), .expect("42\r\n"),
            .send("stty size\r"), .expect("30 100"),
            .resize(rows: 40, columns: 120), .sleep(0.5),
            .send("stty size\r"), .expect("40 120"),
            .send("exit 3\r"),
        ])
        XCTAssertNil(outcome.failure, outcome.output)
        XCTAssertEqual(outcome.status, 3, outcome.output)
        XCTAssertEqual(outcome.modesAfter, outcome.modesBefore, "the CLI restored the terminal's modes")
    }

    func testDetachKeysLeaveItRunningAndAttachReattaches() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let first = try dockerUnderPty(rig, ["run", "-it", "--name", "d1", "busybox", "sh"], steps: [
            .expect("# "), .send("echo one-$((1+1))\r"), .expect("one-2"), .send("\u{10}\u{11}"),
        ])
        XCTAssertNil(first.failure, first.output)
        XCTAssertEqual(first.status, 0, first.output)
        let state = try rig.docker(["inspect", "-f", "{{.State.Status}}", "d1"])
        XCTAssertEqual(state.stdout, "running\n", "detaching left the container running: \(state.stderr)")

        let again = try dockerUnderPty(rig, ["attach", "d1"], steps: [
            .sleep(0.3), .send("echo two-$((2+3))\r"), .expect("two-5"), .send("exit 4\r"),
        ])
        XCTAssertNil(again.failure, again.output)
        XCTAssertEqual(again.status, 4, again.output)
        let exited = try rig.docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "d1"])
        XCTAssertEqual(exited.stdout, "exited 4\n", exited.stderr)
    }

    func testExecOutputStdinTTYExitCodesAndErrors() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "e1", "busybox", "sleep", "300"])
        XCTAssertEqual(run.status, 0, run.stderr)

        let hi = try rig.docker(["exec", "e1", "echo", "hi"])
        XCTAssertEqual(hi.stdout, "hi\n", hi.stderr)
        XCTAssertEqual(hi.status, 0)
        let line = try rig.dockerWithInput(["exec", "-i", "e1", "cat"], input: "line\n")
        XCTAssertEqual(line.stdout, "line\n", line.stderr)
        let seven = try rig.docker(["exec", "e1", "sh", "-c", "echo err >&2; exit 7"])
        XCTAssertEqual(seven.status, 7)
        XCTAssertEqual(seven.stderr, "err\n")
        let flags = try rig.docker(["exec", "-u", "1000", "-w", "/tmp", "-e", "FOO=bar", "e1", "sh", "-c", "id -u; pwd; echo $FOO"])
        XCTAssertEqual(flags.stdout, "1000\n/tmp\nbar\n", flags.stderr)
        // --privileged: every capability the daemon holds (its bounding set; this host may lack some).
        let bounding = try String(contentsOfFile: "/proc/self/status", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("CapBnd:") }.map { $0.dropFirst(7).trimmingCharacters(in: .whitespaces) } ?? ""
        let privileged = try rig.docker(["exec", "--privileged", "e1", "grep", "CapEff", "/proc/self/status"])
        XCTAssertEqual(privileged.stdout, "CapEff:\t\(bounding)\n", privileged.stderr)
        let plain = try rig.docker(["exec", "e1", "grep", "CapEff", "/proc/self/status"])
        XCTAssertEqual(plain.stdout, "CapEff:\t00000000a80425fb\n", "Docker's default set without --privileged")
        let missing = try rig.docker(["exec", "e1", "/nosuchcmd"])
        XCTAssertEqual(missing.status, 127, missing.stderr)

        let detached = try rig.docker(["exec", "-d", "e1", "sh", "-c", "echo d > /tmp/detached"])
        XCTAssertEqual(detached.status, 0, detached.stderr)
        var seen = ""
        for _ in 0..<50 where seen != "d\n" {
            seen = try rig.docker(["exec", "e1", "cat", "/tmp/detached"]).stdout
            if seen != "d\n" { usleep(100_000) }
        }
        XCTAssertEqual(seen, "d\n", "the detached exec ran")

        let tty = try dockerUnderPty(rig, ["exec", "-it", "e1", "sh"], rows: 33, columns: 99, steps: [
            .expect("# "), .send("echo $((6*7)); stty size\r"), .expect("42\r\n"), .expect("33 99"), .send("exit 5\r"),
        ])
        XCTAssertNil(tty.failure, tty.output)
        XCTAssertEqual(tty.status, 5, tty.output)
        XCTAssertEqual(tty.modesAfter, tty.modesBefore)

        let noSuch = try rig.docker(["exec", "nosuch", "true"])
        XCTAssertEqual(noSuch.status, 1)
        XCTAssertTrue(noSuch.stderr.contains("No such container: nosuch"), noSuch.stderr)
        _ = try rig.docker(["kill", "e1"])
        _ = try rig.docker(["wait", "e1"])
        let stopped = try rig.docker(["exec", "e1", "true"])
        XCTAssertEqual(stopped.status, 1)
        XCTAssertTrue(stopped.stderr.contains("is not running"), stopped.stderr)
    }

    func testPauseFreezesAndUnpauseThaws() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "p1", "busybox", "sleep", "300"])
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(run.status, 0, run.stderr)
        let freezer = "/sys/fs/cgroup/freezer\(rig.cgroupParent)/\(id)/freezer.state"
        let unpausedStop = try rig.docker(["unpause", "p1"])
        XCTAssertEqual(unpausedStop.status, 1)
        XCTAssertTrue(unpausedStop.stderr.contains("Container \(id) is not paused"), unpausedStop.stderr)

        let pause = try rig.docker(["pause", "p1"])
        XCTAssertEqual(pause.status, 0, pause.stderr)
        XCTAssertEqual(try String(contentsOfFile: freezer, encoding: .utf8), "FROZEN\n")
        let ps = try rig.docker(["ps", "--format", "{{.Names}} {{.Status}}"])
        XCTAssertTrue(ps.stdout.hasPrefix("p1 Up ") && ps.stdout.contains("(Paused)"), ps.stdout)
        let state = try rig.docker(["inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "p1"])
        XCTAssertEqual(state.stdout, "paused true\n")
        let twice = try rig.docker(["pause", "p1"])
        XCTAssertTrue(twice.stderr.contains("Container \(id) is already paused"), twice.stderr)
        let exec = try rig.docker(["exec", "p1", "true"])
        XCTAssertTrue(exec.stderr.contains("is paused, unpause the container before exec"), exec.stderr)

        let unpause = try rig.docker(["unpause", "p1"])
        XCTAssertEqual(unpause.status, 0, unpause.stderr)
        XCTAssertEqual(try String(contentsOfFile: freezer, encoding: .utf8), "THAWED\n")
        XCTAssertEqual(try rig.docker(["exec", "p1", "echo", "thawed"]).stdout, "thawed\n")
        _ = try rig.docker(["kill", "p1"])
        let stopped = try rig.docker(["pause", "p1"])
        XCTAssertTrue(stopped.stderr.contains("Container \(id) is not running"), stopped.stderr)
    }

    func testStatsNoStreamShowsTheContainersMemory() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "s1", "-m", "64m", "busybox", "sleep", "300"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let table = try rig.docker(["stats", "--no-stream"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, table.stdout)
        XCTAssertTrue(lines.first?.hasPrefix("CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT") == true, table.stdout)
        XCTAssertTrue(lines.last?.contains("s1") == true && lines.last?.contains("/ 64MiB") == true, table.stdout)
        let formatted = try rig.docker(["stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", "s1"])
        let fields = formatted.stdout.split(separator: " ")
        XCTAssertEqual(fields.first, "s1", formatted.stdout + formatted.stderr)
        XCTAssertTrue(fields.count == 5 && (fields[1].hasSuffix("KiB") || fields[1].hasSuffix("MiB")) && fields[1] != "0B",
                      formatted.stdout)
        XCTAssertEqual(fields.last, "1\n", "one process (sleep): \(formatted.stdout)")
    }
}

extension ContainerRig {
    /// The docker CLI with `input` on its stdin.
    func dockerWithInput(_ arguments: [String], input: String, timeout: TimeInterval = 60) throws -> CommandResult {
        let config = root + "/docker-config"
        try? FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        return try runCommand("/usr/bin/env", ["DOCKER_HOST=\(dockerHost)", "DOCKER_CONFIG=\(config)", "/usr/local/bin/docker"] + arguments,
                              timeout: timeout, input: Data(input.utf8))
    }
}
