#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockClient
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

    func swdockUnderPty(_ rig: ContainerRig, _ arguments: [String], env: [String: String] = [:], rows: Int = 24,
                        columns: Int = 80, steps: [PtyDriver.Step]) throws -> PtyDriver.Outcome {
        try PtyDriver.run([TestEnvironment.executable("swdock"), "-H", rig.dockerHost] + arguments, env: env, rows: rows,
                          columns: columns, steps: steps, workDirectory: rig.root)
    }

    func testStartAttachInteractiveWithATerminal() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        XCTAssertEqual(try rig.docker(["create", "-it", "--name", "s1", "busybox", "sh"]).status, 0)
        let first = try swdockUnderPty(rig, ["start", "-ai", "s1"], rows: 27, columns: 91, steps: [
            .expect("# "), .send("echo $((6*7)); stty size\r"), .expect("42\r\n"), .expect("27 91"),
            .resize(rows: 33, columns: 77), .sleep(0.5), .send("stty size\r"), .expect("33 77"),
            .send("\u{10}\u{11}"),
        ])
        XCTAssertNil(first.failure, first.output)
        XCTAssertEqual(first.status, 0, "ctrl-p ctrl-q detached: \(first.output)")
        XCTAssertEqual(first.modesAfter, first.modesBefore, "swdock restored the terminal's modes")
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "s1"]).stdout, "running\n")

        // The detach keys of the CLI's config file; ctrl-p ctrl-q is then plain input.
        let configDirectory = rig.root + "/swdock-config"
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try #"{"detachKeys": "ctrl-x,x"}"#.write(toFile: configDirectory + "/config.json", atomically: true, encoding: .utf8)
        let second = try swdockUnderPty(rig, ["attach", "s1"], env: ["SWDOCK_CONFIG": configDirectory], steps: [
            .sleep(0.3), .send("\u{10}\u{11}"), .sleep(0.3),
            // (ash took ctrl-p as "previous line": ctrl-u clears it)
            .send("\u{15}echo still-$((1+2))\r"), .expect("still-3"), .send("\u{18}x"),
        ])
        XCTAssertNil(second.failure, second.output)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "s1"]).stdout, "running\n")

        // --detach-keys beats the config file; then exit: start -ai of the stopped container
        // starts it again and returns its code.
        let third = try swdockUnderPty(rig, ["attach", "--detach-keys", "ctrl-a", "s1"], env: ["SWDOCK_CONFIG": configDirectory],
                                       steps: [.sleep(0.3), .send("exit 4\r")])
        XCTAssertNil(third.failure, third.output)
        XCTAssertEqual(third.status, 4, third.output)
        let again = try swdockUnderPty(rig, ["start", "-ai", "s1"], steps: [.expect("# "), .send("exit 6\r")])
        XCTAssertNil(again.failure, again.output)
        XCTAssertEqual(again.status, 6, again.output)
    }

    func testTheDaemonsDefaultDetachKeysApplyToClientsThatSendNone() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self, defaultDetachKeys: "ctrl-e")
        try await rig.startServer()
        XCTAssertEqual(try rig.docker(["run", "-dit", "--name", "k1", "busybox", "sh"]).status, 0)
        // An API client that sends no detachKeys (docker-py's attach_socket): ctrl-p ctrl-q is
        // input, the daemon's ctrl-e ends the stream and the container runs on.
        let client = EngineClient(address: DaemonAddress(socketPath: rig.socketPath), timeout: .seconds(20))
        let seen = try await Task.detached { () -> String in
            let stream = try client.hijack("/containers/k1/attach",
                                           query: [("stream", "1"), ("stdin", "1"), ("stdout", "1"), ("stderr", "1")])
            try stream.write(Array("\u{10}\u{11}\u{15}echo k-$((4+4))\r".utf8))
            var output = ""
            while !output.contains("k-8") {
                let bytes = try stream.read()
                if bytes.isEmpty { break }
                output += String(decoding: bytes, as: UTF8.self)
            }
            try stream.write([0x05])
            while true {
                let bytes = try stream.read()  // ends: the daemon closed its side
                if bytes.isEmpty { break }
                output += String(decoding: bytes, as: UTF8.self)
            }
            return output
        }.value
        XCTAssertTrue(seen.contains("k-8"), seen)
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.State.Status}}", "k1"]).stdout, "running\n")
        // Without a TTY the detach keys are data.
        XCTAssertEqual(try rig.docker(["run", "-d", "-i", "--name", "k2", "busybox", "sleep", "300"]).status, 0)
        let piped = try swdock(rig, ["exec", "-i", "k2", "od", "-An", "-tx1"], input: "\u{10}\u{11}\u{05}")
        XCTAssertEqual(piped.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "10 11 05", piped.stderr)
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
