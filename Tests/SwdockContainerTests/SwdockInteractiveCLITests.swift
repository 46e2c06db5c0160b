#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockTestSupport
import XCTest

/// The swdock CLI's interactive verbs (exec, attach, pause/unpause, stats) against the container
/// routes; containers are made with the docker CLI, the TTY cases run under a real pty.
final class SwdockInteractiveCLITests: XCTestCase {
    func requireDocker() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
    }

    func swdock(_ rig: ContainerRig, _ arguments: [String], input: String? = nil) throws -> CommandResult {
        try runCommand(TestEnvironment.executable("swdock"), ["-H", rig.dockerHost] + arguments, timeout: 60,
                       input: input.map { Data($0.utf8) })
    }

    func swdockUnderPty(_ rig: ContainerRig, _ arguments: [String], rows: Int = 24, columns: Int = 80,
                        steps: [PtyDriver.Step]) throws -> PtyDriver.Outcome {
        try PtyDriver.run([TestEnvironment.executable("swdock"), "-H", rig.dockerHost] + arguments, rows: rows, columns: columns,
                          steps: steps, workDirectory: rig.root)
    }

    func testRunWithATerminalThroughSwdock() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let outcome = try swdockUnderPty(rig, ["run", "-it", "--rm", "busybox", "sh"], rows: 30, columns: 100, steps: [
            .expect("# "), .send("echo $((6*7))\r"), .expect("42\r\n"),
            .send("stty size\r"), .expect("30 100"),
            .resize(rows: 40, columns: 120), .sleep(0.5),
            .send("stty size\r"), .expect("40 120"),
            .send("exit 3\r"),
        ])
        XCTAssertNil(outcome.failure, outcome.output)
        XCTAssertEqual(outcome.status, 3, outcome.output)
        XCTAssertEqual(outcome.modesAfter, outcome.modesBefore, "swdock restored the terminal's modes")
        let left = try rig.docker(["ps", "-aq"])
        XCTAssertEqual(left.stdout, "", "--rm removed the container")

        let detached = try swdockUnderPty(rig, ["run", "-it", "--name", "t9", "busybox", "sh"], steps: [
            .expect("# "), .send("echo one-$((1+1))\r"), .expect("one-2"), .send("\u{10}\u{11}"),
        ])
        XCTAssertNil(detached.failure, detached.output)
        XCTAssertEqual(detached.status, 0, detached.output)
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "t9"]).stdout, "running\n")
    }

    func testExecThroughSwdock() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        XCTAssertEqual(try rig.docker(["run", "-d", "--name", "x1", "busybox", "sleep", "300"]).status, 0)
        let hi = try swdock(rig, ["exec", "x1", "echo", "hi"])
        XCTAssertEqual(hi.stdout, "hi\n", hi.stderr)
        XCTAssertEqual(hi.status, 0)
        let line = try swdock(rig, ["exec", "-i", "x1", "cat"], input: "line\n")
        XCTAssertEqual(line.stdout, "line\n", line.stderr)
        let code = try swdock(rig, ["exec", "-e", "A=b", "-u", "1000", "-w", "/tmp", "x1", "sh", "-c", "echo $A $(id -u) $(pwd) >&2; exit 6"])
        XCTAssertEqual(code.stderr, "b 1000 /tmp\n")
        XCTAssertEqual(code.status, 6)
        XCTAssertEqual(try swdock(rig, ["exec", "-d", "x1", "touch", "/tmp/d"]).status, 0)
        let tty = try swdockUnderPty(rig, ["exec", "-it", "x1", "sh"], rows: 31, columns: 97, steps: [
            .expect("# "), .send("echo $((6*7)); stty size\r"), .expect("42\r\n"), .expect("31 97"),
            .resize(rows: 20, columns: 70), .sleep(0.5), .send("stty size\r"), .expect("20 70"), .send("exit 5\r"),
        ])
        XCTAssertNil(tty.failure, tty.output)
        XCTAssertEqual(tty.status, 5, tty.output)
        XCTAssertEqual(tty.modesAfter, tty.modesBefore, "raw mode was undone")
        let gone = try swdock(rig, ["exec", "nosuch", "true"])
        XCTAssertEqual(gone.status, 1)
        XCTAssertTrue(gone.stderr.contains("No such container: nosuch"), gone.stderr)
    }

    func testAttachDetachAndReattachThroughSwdock() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        XCTAssertEqual(try rig.docker(["run", "-dit", "--name", "a1", "busybox", "sh"]).status, 0)
        let first = try swdockUnderPty(rig, ["attach", "a1"], steps: [
            .sleep(0.3), .send("echo one-$((1+1))\r"), .expect("one-2"), .send("\u{10}\u{11}"),
        ])
        XCTAssertNil(first.failure, first.output)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertEqual(first.modesAfter, first.modesBefore)
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "a1"]).stdout, "running\n")
        let second = try swdockUnderPty(rig, ["attach", "a1"], steps: [
            .sleep(0.3), .send("echo two-$((2+3)); exit 9\r"), .expect("two-5"),
        ])
        XCTAssertNil(second.failure, second.output)
        XCTAssertEqual(second.status, 9, second.output)
        XCTAssertEqual(second.modesAfter, second.modesBefore)
    }

    func testPauseUnpauseAndStatsThroughSwdock() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        XCTAssertEqual(try rig.docker(["run", "-d", "--name", "p2", "-m", "32m", "busybox", "sleep", "300"]).status, 0)
        let pause = try swdock(rig, ["pause", "p2"])
        XCTAssertEqual(pause.stdout, "p2\n", pause.stderr)
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "p2"]).stdout, "paused\n")
        let again = try swdock(rig, ["pause", "p2"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("is already paused"), again.stderr)
        XCTAssertEqual(try swdock(rig, ["unpause", "p2"]).stdout, "p2\n")
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "p2"]).stdout, "running\n")

        let table = try swdock(rig, ["stats", "--no-stream"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, table.stdout)
        XCTAssertTrue(lines.first?.hasPrefix("CONTAINER ID   NAME   CPU %") == true, table.stdout)
        XCTAssertTrue(lines.last?.contains(" p2 ") == true && lines.last?.contains("/ 32MiB") == true, table.stdout)
        let formatted = try swdock(rig, ["stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "p2"])
        XCTAssertEqual(formatted.stdout, "p2 1\n", formatted.stderr)
    }
}
