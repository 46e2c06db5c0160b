#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// Wait, logs and attach on the wire: headers flushed at once, dropped clients, follow, rotation.
final class StreamTests: XCTestCase {
    func testWaitFlushesHeadersAtOnceAndToleratesADroppedClient() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "w1", "busybox", "sleep", "300"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // curl gives up after 2 s: by then it must have the status line and headers, not the body.
        let waited = try runCommand("/usr/bin/curl", ["-s", "-i", "--max-time", "2", "--unix-socket", rig.socketPath, "-X", "POST",
                                                     "http://swdock/v1.41/containers/w1/wait?condition=next-exit"], timeout: 30)
        XCTAssertEqual(waited.status, 28, "curl timed out waiting for the body")
        XCTAssertTrue(waited.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"), waited.stdout)
        XCTAssertTrue(waited.stdout.lowercased().contains("transfer-encoding: chunked"), waited.stdout)
        // The daemon forgot that wait and serves on; a new wait sees the kill.
        let waiter = Task { try rig.docker(["wait", "w1"]) }
        usleep(200_000)
        let kill = try rig.docker(["kill", "-s", "KILL", "w1"])
        XCTAssertEqual(kill.stdout, "w1\n", kill.stderr)
        let code = try await waiter.value
        XCTAssertEqual(code.stdout, "137\n", code.stderr)
        let killAgain = try rig.docker(["kill", "w1"])
        XCTAssertTrue(killAgain.stderr.contains("is not running"), killAgain.stderr)
        XCTAssertEqual(try rig.docker(["rm", "w1"]).status, 0)
    }

    func testLogsFollowTimestampsTailAndRestart() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "l1", "busybox", "sh", "-c",
                                  "for i in 1 2 3; do echo line$i; echo err$i >&2; sleep 0.2; done"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // follow ends when the container stops.
        let follow = try rig.docker(["logs", "-f", "l1"])
        XCTAssertEqual(follow.stdout, "line1\nline2\nline3\n", follow.stderr)
        XCTAssertEqual(follow.stderr, "err1\nerr2\nerr3\n")
        let tail = try rig.docker(["logs", "--tail", "1", "-t", "l1"])
        XCTAssertNotNil(tail.stderr.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z err3\n/), tail.stderr)
        XCTAssertEqual(tail.stdout, "")
        let restart = try rig.docker(["restart", "-t", "1", "l1"])
        XCTAssertEqual(restart.stdout, "l1\n", restart.stderr)
        let again = try rig.docker(["logs", "-f", "l1"])
        XCTAssertEqual(again.stdout, "line1\nline2\nline3\nline1\nline2\nline3\n", "the log is appended across runs")
        let until = try rig.docker(["logs", "--until", "2000-01-01T00:00:00Z", "l1"])
        XCTAssertEqual(until.stdout + until.stderr, "")
    }

    func testStartAttachedAndAttachWithLogs() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let created = try rig.docker(["create", "--name", "s1", "busybox", "sh", "-c", "echo out; echo err >&2; exit 4"])
        XCTAssertEqual(created.status, 0, created.stderr)
        let first = try rig.docker(["start", "-a", "s1"])
        XCTAssertEqual(first.stdout, "out\n", first.stderr)
        XCTAssertEqual(first.stderr, "err\n")
        XCTAssertEqual(first.status, 4)
        let second = try rig.docker(["start", "-a", "s1"])
        XCTAssertEqual(second.stdout, "out\n", "an exited container attached and started again: \(second.stderr)")
        // attach?logs=1 without stream: the stored output, then the end.
        let output = try await rig.service.attach("s1", stdout: true, stderr: false, logs: true, stream: false)
        let (out, err) = await collect(output)
        XCTAssertEqual(out, "out\nout\n")
        XCTAssertEqual(err, "")
    }

    func testAFollowerThatHangsUpEndsTheFollow() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        XCTAssertEqual(try rig.docker(["run", "-d", "--name", "quiet", "busybox", "sleep", "300"]).status, 0)
        // The CLI is killed after 1 s while the container writes nothing.
        _ = try? rig.docker(["logs", "-f", "quiet"], timeout: 1)
        let deadline = Date().addingTimeInterval(10)
        while threads(named: "swdock-logs") > 0 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(threads(named: "swdock-logs"), 0, "the log reader stopped when its client went away")
        XCTAssertEqual(try rig.docker(["rm", "-f", "quiet"]).status, 0)
    }

    func threads(named name: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }

    func testLogRotationWithMaxSizeAndMaxFile() async throws {
        let rig = try ContainerRig(test: self, logOptions: ["max-size": "1k", "max-file": "3"])
        let config = ContainerConfiguration(cmd: ["sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i-padding-padding; i=$((i+1)); done"],
                                            image: "busybox")
        let created = try await rig.service.create(name: nil, config: config, hostConfig: HostConfiguration())
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        _ = try await rig.service.start(created.id)
        _ = await waiter.result()
        let log = rig.layout.containerDirectory(created.id) + "/\(created.id)-json.log"
        let files = try FileManager.default.contentsOfDirectory(atPath: rig.layout.containerDirectory(created.id))
            .filter { $0.hasPrefix(created.id + "-json.log") }.sorted()
        XCTAssertEqual(files, ["\(created.id)-json.log", "\(created.id)-json.log.1", "\(created.id)-json.log.2"])
        for file in files {
            let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: rig.layout.containerDirectory(created.id) + "/" + file)[.size] as? Int)
            XCTAssertLessThan(size, 1000 + 200, "\(file) is rotated near max-size")
        }
        let first = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").first ?? ""
        XCTAssertTrue(first.hasPrefix("{\"log\":\"line-"), String(first))
        let (text, _) = await collect(try rig.service.logs(created.id, options: ContainerLogOptions()))
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.last, "line-199-padding-padding", "logs read the rotated files in order")
        XCTAssertLessThan(lines.count, 200, "the oldest were rotated away")
        XCTAssertEqual(lines, lines.sorted { Int($0.split(separator: "-")[1])! < Int($1.split(separator: "-")[1])! })
    }

    func testParallelRunsThroughTheCLI() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for index in 0..<4 {
                group.addTask { try rig.docker(["run", "--rm", "busybox", "echo", "run\(index)"]) }
            }
            var outputs: [String] = []
            for try await result in group {
                XCTAssertEqual(result.status, 0, result.stderr)
                outputs.append(result.stdout)
            }
            XCTAssertEqual(outputs.sorted(), ["run0\n", "run1\n", "run2\n", "run3\n"])
        }
        XCTAssertEqual(try rig.docker(["ps", "-aq"]).stdout, "")
    }
}
