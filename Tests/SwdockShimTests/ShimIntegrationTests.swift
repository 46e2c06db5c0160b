import Foundation
import SwdockOS
import SwdockShimCore
import SwdockTestSupport
import XCTest

/// swdock-shim driving runc on a busybox bundle, as root (`swift test --filter SwdockShimTests`).
final class ShimIntegrationTests: XCTestCase {
    private static let timePattern = try! NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$"#)

    func testOutputLandsInTheJSONLogInDockersFormat() throws {
        let c = try ShimFixture(self, args: ["sh", "-c", #"echo hi; echo '<b>&"q"' >&2; printf 'no newline'"#])
        try c.launch()
        let client = try c.client()
        try client.request("attach")
        try client.request("start")
        let (out, err) = try c.collectOutput(client)
        XCTAssertEqual(out, "hi\nno newline")
        XCTAssertEqual(err, "<b>&\"q\"\n")
        XCTAssertEqual(try client.request("wait")["exit-code"], "0")

        let raw = try String(contentsOfFile: c.logPath, encoding: .utf8)
        XCTAssertTrue(raw.contains(#"{"log":"\u003cb\u003e\u0026\"q\"\n","stream":"stderr","time":""#), raw)
        let records = try c.logRecords()
        XCTAssertEqual(records.count, 3)
        let stdout = records.filter { $0["stream"] == "stdout" }.map { $0["log"] }
        XCTAssertEqual(stdout, ["hi\n", "no newline"])
        XCTAssertEqual(records.filter { $0["stream"] == "stderr" }.map { $0["log"] }, ["<b>&\"q\"\n"])
        for record in records {
            XCTAssertEqual(Set(record.keys), ["log", "stream", "time"])
            let time = try XCTUnwrap(record["time"])
            XCTAssertNotNil(ShimIntegrationTests.timePattern.firstMatch(in: time, range: NSRange(time.startIndex..., in: time)), time)
            XCTAssertNotNil(Timestamp(rfc3339Nano: time), time)
        }
    }

    func testLongLinesAreSplitAt16KiBInTheLogAsDockerDoes() throws {
        let c = try ShimFixture(self, args: ["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a; echo; echo short"])
        try c.launch()
        let client = try c.client()
        try client.request("start")
        XCTAssertEqual(try client.request("wait")["exit-code"], "0")
        let records = try c.logRecords()
        XCTAssertEqual(records.map { $0["log"]?.count ?? -1 }, [16384, 16384, 40000 - 2 * 16384 + 1, 6])
        XCTAssertEqual(records.map { $0["log"]?.hasSuffix("\n") }, [false, false, true, true])
        XCTAssertEqual(Set(records[0..<3].map { $0["time"] ?? "" }).count, 1, "the parts of one line share its time")
    }

    func testTinyMaxSizeRotatesTheLogLikeDocker() throws {
        let c = try ShimFixture(self, args: ["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done"])
        try c.launch(c.options(maxSize: 2000, maxFiles: 3))
        let client = try c.client()
        try client.request("start")
        XCTAssertEqual(try client.request("wait")["exit-code"], "0")
        let names = try FileManager.default.contentsOfDirectory(atPath: c.state).filter { $0.hasPrefix("ctr-json.log") }.sorted()
        XCTAssertEqual(names, ["ctr-json.log", "ctr-json.log.1", "ctr-json.log.2"])
        for suffix in [".1", ".2"] {
            let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: c.logPath + suffix)[.size] as? Int)
            // Rotation happens before the write that finds the file full: ≥ max-size, less than one record over.
            XCTAssertGreaterThanOrEqual(size, 2000)
            XCTAssertLessThan(size, 2000 + 100)
        }
        let lines = try (c.logRecords(".2") + c.logRecords(".1") + c.logRecords()).map { $0["log"] ?? "" }
        let last = try XCTUnwrap(lines.last)
        XCTAssertEqual(last, "line-299\n")
        let first = try XCTUnwrap(Int(lines[0].dropFirst(5).dropLast()))
        XCTAssertEqual(lines, (first..<300).map { "line-\($0)\n" }, "the kept files hold a contiguous tail of the output")
    }

    func testExitIsRecordedInTheExitFileAndAnsweredToWait() throws {
        let c = try ShimFixture(self, args: ["sh", "-c", "exit 7"])
        let ready = try c.launch()
        let client = try c.client()
        XCTAssertEqual(try client.request("state")["status"], "created")
        try client.request("start")
        let waited = try client.request("wait")
        XCTAssertEqual(waited["exit-code"], "7")
        let record = try XCTUnwrap(ExitRecord.read(stateDirectory: c.state))
        XCTAssertEqual(record.exitCode, 7)
        XCTAssertEqual(record.pid, ready.initPID)
        XCTAssertEqual(record.time.rfc3339Nano, waited["exit-time"])
        XCTAssertFalse(record.oomKilled)
        XCTAssertEqual(waited["oom-killed"], "false")
        let state = try client.request("state")
        XCTAssertEqual(state["status"], "stopped")
        XCTAssertEqual(state["exit-code"], "7")
        XCTAssertEqual(ShimFixture.zombieChildren(of: ready.shimPID), [])

        // shutdown leaves the runtime's record of the stopped container for the daemon to delete.
        try client.request("shutdown")
        try c.eventually("the shim to exit") { !ShimFixture.isAlive(ready.shimPID) }
        XCTAssertEqual(try c.runcContainers(), c.id)
        XCTAssertFalse(FileManager.default.fileExists(atPath: c.socket))
    }

    func testSIGTERMStopsTheShimOnlyOnceTheContainerHasStopped() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        let ready = try c.launch()
        let client = try c.client()
        try client.request("start")
        XCTAssertEqual(kill(ready.shimPID, SIGTERM), 0)
        // The shim handles signals on its loop; a request answered after the signal was sent
        // proves the signal was handled (and ignored) first.
        XCTAssertEqual(try c.client().request("state")["status"], "running")
        XCTAssertTrue(ShimFixture.isAlive(ready.shimPID))
        try client.request("kill", [("signal", "KILL")])
        try client.request("wait")
        XCTAssertEqual(kill(ready.shimPID, SIGTERM), 0)
        try c.eventually("the shim to exit on SIGTERM") { !ShimFixture.isAlive(ready.shimPID) }
    }

    func testAnOOMKillIsRecordedWithTheExit() throws {
        // dd's 64 MiB buffer in a 16 MiB memory cgroup.
        let c = try ShimFixture(self, args: ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"], memoryLimit: 16 << 20)
        try c.launch()
        let client = try c.client()
        try client.request("start")
        let waited = try client.request("wait")
        XCTAssertEqual(waited["exit-code"], "137")
        XCTAssertEqual(waited["oom-killed"], "true")
        XCTAssertEqual(try client.request("state")["oom-killed"], "true")
        XCTAssertEqual(try ExitRecord.read(stateDirectory: c.state)?.oomKilled, true)
    }

    func testContainerSurvivesTheDeathOfTheProcessThatLaunchedTheShim() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        // A stand-in daemon in its own session launches the shim, then lingers; we kill -9 its
        // whole process group as a crashing or killed daemon would die.
        let readyFile = "\(c.root)/ready.txt"
        let arguments = c.options().arguments.map { "'\($0)'" }.joined(separator: " ")
        let script = "'\(ShimFixture.shimExecutable)' \(arguments) --ready-fd 1 > '\(readyFile)'; exec sleep 1000"
        let daemon = try ChildProcess.spawn("/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH=/usr/bin:/bin"],
                                            stdio: [nil, nil, nil], newSession: true)
        var daemonReaped = false
        addTeardownBlock { if !daemonReaped { kill(-daemon, SIGKILL); _ = try? ChildProcess.wait(daemon) } }
        var ready: ShimLauncher.Ready?
        try c.eventually("the ready line") {
            ready = ShimLauncher.parse(readyLine: (try? String(contentsOfFile: readyFile, encoding: .utf8)) ?? "")
            return ready != nil
        }
        let shim = try XCTUnwrap(ready)
        c.shimPID = shim.shimPID
        try ShimClient(socketPath: c.socket, timeoutSeconds: 30).request("start")

        XCTAssertEqual(kill(-daemon, SIGKILL), 0)
        XCTAssertEqual(try ChildProcess.wait(daemon), .signaled(SIGKILL, coreDumped: false))
        daemonReaped = true

        XCTAssertTrue(ShimFixture.isAlive(shim.shimPID), "the shim died with its launcher")
        XCTAssertTrue(ShimFixture.isAlive(shim.initPID), "the container died with the launcher")
        XCTAssertNotEqual(ShimFixture.status(of: shim.shimPID, field: "PPid"), String(daemon))
        XCTAssertEqual(ShimFixture.status(of: shim.initPID, field: "PPid"), String(shim.shimPID),
                       "the shim (a child subreaper) is the container's parent")
        let state = try c.client().request("state")
        XCTAssertEqual(state["status"], "running")
        XCTAssertEqual(state["pid"], String(shim.initPID))
    }

    func testTheDetachedShimHoldsNoFdItsLauncherInherited() throws {
        // The shim detaches by fork, not exec: whatever its launcher got open (fd 7 here, as a
        // daemon's stray pipe would be) must be closed, or a reader of it never sees its end.
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        let readyFile = "\(c.root)/ready.txt", leakFile = "\(c.root)/leak.txt"
        let arguments = c.options().arguments.map { "'\($0)'" }.joined(separator: " ")
        let script = "'\(ShimFixture.shimExecutable)' \(arguments) --ready-fd 1 > '\(readyFile)' 7> '\(leakFile)'"
        let launcher = try ChildProcess.spawn("/bin/sh", arguments: ["sh", "-c", script], environment: ["PATH=/usr/bin:/bin"],
                                              stdio: [nil, nil, nil])
        XCTAssertEqual(try ChildProcess.wait(launcher), .exited(0))
        var parsed: ShimLauncher.Ready?
        try c.eventually("the ready line") {
            parsed = ShimLauncher.parse(readyLine: (try? String(contentsOfFile: readyFile, encoding: .utf8)) ?? "")
            return parsed != nil
        }
        let ready = try XCTUnwrap(parsed)
        c.shimPID = ready.shimPID
        let held = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(ready.shimPID)/fd").compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(ready.shimPID)/fd/\($0)")
        }
        XCTAssertFalse(held.contains(leakFile), "the shim holds its launcher's fd 7: \(held)")
        XCTAssertFalse(held.contains(readyFile), "the shim closed its ready fd after the ready line")
        XCTAssertEqual(try c.client().request("state")["status"], "created")
    }

    func testReconnectingClientReadsStateThenKillAndDeleteRemoveEverything() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        let ready = try c.launch()
        do {
            let first = try c.client()
            XCTAssertEqual(first.hello["protocol"], "1")
            XCTAssertEqual(first.hello["id"], c.id)
            try first.request("start")
        }
        let second = try c.client()
        let state = try second.request("state")
        XCTAssertEqual(state["status"], "running")
        XCTAssertEqual(state["pid"], String(ready.initPID))
        XCTAssertNotNil(state["started-at"].flatMap { Timestamp(rfc3339Nano: $0) })

        XCTAssertThrowsError(try second.request("delete")) { XCTAssertEqual(($0 as? ShimError)?.code, .running) }
        XCTAssertThrowsError(try second.request("start")) { XCTAssertEqual(($0 as? ShimError)?.code, .running) }
        // PID 1 of a pid namespace ignores SIGTERM without a handler; SIGKILL it, through kill --all.
        try second.request("kill", [("signal", "KILL"), ("all", "true")])
        XCTAssertEqual(try second.request("wait")["exit-code"], "137")
        XCTAssertThrowsError(try second.request("kill", [("signal", "KILL")])) { XCTAssertEqual(($0 as? ShimError)?.code, .notRunning) }

        let deleted = try second.request("delete")
        XCTAssertEqual(deleted["exit-code"], "137")
        try c.eventually("the shim to exit") { !ShimFixture.isAlive(ready.shimPID) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: c.socket))
        XCTAssertEqual(try c.runcContainers(), "")
        XCTAssertEqual(try ExitRecord.read(stateDirectory: c.state)?.exitCode, 137, "the exit record outlives the shim")
    }

    func testForceDeleteOfARunningContainerRecordsItsEnd() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        let ready = try c.launch()
        let client = try c.client()
        try client.request("start")
        XCTAssertEqual(try client.request("delete", [("force", "true")])["exit-code"], "137")
        try c.eventually("the shim to exit") { !ShimFixture.isAlive(ready.shimPID) }
        XCTAssertFalse(ShimFixture.isAlive(ready.initPID))
        XCTAssertEqual(try c.runcContainers(), "")
    }

    func testStdinSentBeforeStartReachesTheContainerAndItsCloseEndsIt() throws {
        let c = try ShimFixture(self, args: ["cat"])
        try c.launch(c.options(stdin: true))
        let client = try c.client()
        try client.request("attach", [("stdin", "true")])
        try client.sendStdin(Array("hello\nworld".utf8))
        try client.closeStdin()
        try client.request("start")
        let (out, _) = try c.collectOutput(client)
        XCTAssertEqual(out, "hello\nworld")
        XCTAssertEqual(try client.request("wait")["exit-code"], "0")
        XCTAssertEqual(try c.logRecords().map { $0["log"] }, ["hello\n", "world"])
    }

    func testAttachWithStdinIsRefusedWithoutAStdinPipe() throws {
        let c = try ShimFixture(self, args: ["true"])
        try c.launch()
        XCTAssertThrowsError(try c.client().request("attach", [("stdin", "true")])) {
            XCTAssertEqual(($0 as? ShimError)?.code, .invalid)
        }
    }

    func testTerminalComesThroughTheConsoleSocketAndResizes() throws {
        let c = try ShimFixture(self, args: ["sh", "-c", "tty; stty size; read line; stty size"], terminal: true)
        try c.launch(c.options(stdin: true, tty: true, consoleSize: (30, 100)))
        let client = try c.client()
        XCTAssertEqual(try client.request("state")["tty"], "true")
        try client.request("attach", [("stdin", "true")])
        try client.request("start")
        var seen = ""
        while !seen.contains("30 100") {
            let frame = try XCTUnwrap(try client.nextFrame())
            seen += String(decoding: frame.payload, as: UTF8.self)
        }
        XCTAssertTrue(seen.contains("/dev/pts/0"), seen)
        try client.request("resize", [("width", "120"), ("height", "50")])
        try client.sendStdin(Array("go\r".utf8))
        let (rest, _) = try c.collectOutput(client)
        XCTAssertTrue(rest.contains("50 120"), rest)
        XCTAssertEqual(try client.request("wait")["exit-code"], "0")
        XCTAssertTrue(try c.logRecords().allSatisfy { $0["stream"] == "stdout" })
    }

    func testExecRunsInTheContainerWithItsOwnStreamsAndExitCode() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        let ready = try c.launch()
        let client = try c.client()
        try client.request("start")
        let process = try c.writeExecProcess(args: ["sh", "-c", "echo exec-$((6*7)); echo err >&2; cat /proc/1/cmdline; exit 5"])
        let execPID = try XCTUnwrap(Int32(try client.request("exec", [("exec-id", "e1"), ("process", process), ("attach", "true")])["pid"] ?? ""))
        XCTAssertNotEqual(execPID, ready.initPID)
        let (out, err) = try c.collectOutput(client)
        XCTAssertEqual(out, "exec-42\nsleep\u{0}1000\u{0}")
        XCTAssertEqual(err, "err\n")
        XCTAssertEqual(try client.request("wait", [("exec-id", "e1")])["exit-code"], "5")
        XCTAssertEqual(try client.request("state", [("exec-id", "e1")])["status"], "stopped")
        XCTAssertEqual(try client.request("state")["status"], "running", "the container outlives its exec")
        XCTAssertThrowsError(try client.request("wait", [("exec-id", "nope")])) { XCTAssertEqual(($0 as? ShimError)?.code, .notFound) }
        // Exec output is not the container's log (as with Docker).
        XCTAssertFalse(((try? String(contentsOfFile: c.logPath, encoding: .utf8)) ?? "").contains("exec-42"))
        // The exec'd process and the runtime's helpers were re-parented to the shim and reaped.
        XCTAssertEqual(ShimFixture.zombieChildren(of: ready.shimPID), [])
    }

    func testExecWithATerminalAndAnExecKilledBySignal() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        try c.launch()
        let client = try c.client()
        try client.request("start")
        // The size in process.json holds from the first instruction (the runtime sets it on the
        // new terminal); a resize through the shim can only follow the start.
        let tty = try c.writeExecProcess(args: ["sh", "-c", "tty; stty size"], terminal: true, consoleSize: (33, 90))
        try client.request("exec", [("exec-id", "t1"), ("process", tty), ("tty", "true"), ("attach", "true")])
        let (out, _) = try c.collectOutput(client)
        XCTAssertTrue(out.contains("/dev/pts/"), out.debugDescription)
        XCTAssertTrue(out.contains("33 90"), out.debugDescription)
        XCTAssertEqual(try client.request("wait", [("exec-id", "t1")])["exit-code"], "0")

        let sleeper = try c.writeExecProcess(args: ["sleep", "1000"])
        try client.request("exec", [("exec-id", "s1"), ("process", sleeper)])
        XCTAssertEqual(try client.request("state", [("exec-id", "s1")])["status"], "running")
        try client.request("kill", [("exec-id", "s1"), ("signal", "KILL")])
        let waited = try client.request("wait", [("exec-id", "s1")])
        XCTAssertEqual(waited["exit-code"], "137")
        XCTAssertEqual(waited["signal"], "9")
        XCTAssertThrowsError(try client.request("exec", [("exec-id", "s1"), ("process", sleeper)])) {
            XCTAssertEqual(($0 as? ShimError)?.code, .invalid, "exec ids are not reused")
        }
    }

    func testFinishedExecsAreRetiredSoFrequentExecsDoNotGrowTheShim() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        try c.launch()
        let client = try c.client()
        try client.request("start")
        let process = try c.writeExecProcess(args: ["true"])
        for i in 0..<66 {
            try client.request("exec", [("exec-id", "x\(i)"), ("process", process)])
            XCTAssertEqual(try client.request("wait", [("exec-id", "x\(i)")])["exit-code"], "0")
        }
        XCTAssertThrowsError(try client.request("state", [("exec-id", "x0")])) { XCTAssertEqual(($0 as? ShimError)?.code, .notFound) }
        XCTAssertThrowsError(try client.request("state", [("exec-id", "x1")])) { XCTAssertEqual(($0 as? ShimError)?.code, .notFound) }
        XCTAssertEqual(try client.request("state", [("exec-id", "x2")])["status"], "stopped")
        XCTAssertEqual(try client.request("state", [("exec-id", "x65")])["exit-code"], "0")
    }

    func testCreateFailureIsReportedAndLeavesNothingBehind() throws {
        let c = try ShimFixture(self, args: ["/no/such/binary"])
        XCTAssertThrowsError(try c.launch()) { error in
            let shimError = error as? ShimError
            XCTAssertEqual(shimError?.code, .runtime)
            XCTAssertTrue(shimError?.message.contains("/no/such/binary") ?? false, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: c.socket))
        XCTAssertEqual(try c.runcContainers(), "")
        let log = (try? String(contentsOfFile: "\(c.state)/\(ShimProtocol.StateFile.shimLog)", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("create failed"), log)
    }

    func testASecondShimOnTheSameStateDirectoryIsRefused() throws {
        let c = try ShimFixture(self, args: ["sleep", "1000"])
        let ready = try c.launch()
        var second = c.options()
        second.id = c.id + "-2"
        XCTAssertThrowsError(try ShimLauncher.start(executable: ShimFixture.shimExecutable, options: second)) {
            XCTAssertEqual(($0 as? ShimError)?.code, .running, "\($0)")
        }
        XCTAssertTrue(ShimFixture.isAlive(ready.shimPID))
        XCTAssertEqual(try c.client().request("state")["pid"], String(ready.initPID), "the first shim still serves its socket")
        XCTAssertEqual(try c.runcContainers(), c.id)
    }

    func testProtocolVersionAndOrderAreEnforced() throws {
        let c = try ShimFixture(self, args: ["true"])
        try c.launch()
        for first in [ShimMessage("hello", [("protocol", "2")]), ShimMessage("state")] {
            let fd = try UnixSocket.connect(path: c.socket)
            defer { fd.close() }
            try fd.writeAll(ShimFrame(kind: .request, payload: first.encoded).encoded)
            let reply = try fd.readAll() // the shim answers, then closes the connection
            var decoder = ShimFrameDecoder()
            decoder.feed(reply)
            let frame = try XCTUnwrap(try decoder.next())
            let message = try ShimMessage.decode(frame.payload)
            XCTAssertEqual(message.verb, "error")
            XCTAssertEqual(message["code"], "protocol")
        }
        XCTAssertThrowsError(try c.client().request("launch-missiles")) { XCTAssertEqual(($0 as? ShimError)?.code, .unsupported) }
    }

    func testSlowAttachedClientPausesOutputInsteadOfBufferingIt() throws {
        let total = 24 << 20
        let c = try ShimFixture(self, args: ["sh", "-c", "dd if=/dev/zero bs=65536 count=\(total / 65536) 2>/dev/null"])
        var options = c.options()
        options.logPath = nil
        let ready = try c.launch(options)
        let client = try c.client()
        try client.request("attach")
        try client.request("start")
        // Not reading for a moment: the container writes far more than the 4 MiB an attached
        // client may fall behind, so the shim must stop reading it rather than buffer it all.
        usleep(1_000_000)
        let rss = Int(ShimFixture.status(of: ready.shimPID, field: "VmRSS")?.split(separator: " ").first ?? "") ?? -1
        XCTAssertGreaterThan(rss, 0)
        XCTAssertLessThan(rss, 16 * 1024, "the shim buffered the output of a client that does not read")
        let (out, _) = try c.collectOutput(client)
        XCTAssertEqual(out.utf8.count, total)
        XCTAssertTrue(out.utf8.allSatisfy { $0 == 0 })
        XCTAssertEqual(try client.request("wait")["exit-code"], "0")
    }

    func testShimIsStaticAndItsIdleMemoryIsSmall() throws {
        let ldd = try runCommand("/usr/bin/ldd", [ShimFixture.shimExecutable])
        XCTAssertTrue((ldd.stdout + ldd.stderr).contains("not a dynamic executable"), ldd.stdout + ldd.stderr)
        let c = try ShimFixture(self, args: ["sh", "-c", "echo up; sleep 1000"])
        let ready = try c.launch()
        let client = try c.client()
        try client.request("start")
        try c.eventually("the first log line") { (try? c.logRecords().count) == 1 }
        func kib(_ field: String) -> Int { Int(ShimFixture.status(of: ready.shimPID, field: field)?.split(separator: " ").first ?? "") ?? -1 }
        let busy = kib("VmRSS")
        // Idle a second: the shim then releases the mappings of code it is not running.
        try c.eventually("the shim's code mappings to be released", seconds: 10) { kib("VmRSS") < busy }
        let idle = kib("VmRSS"), anon = kib("RssAnon")
        print("swdock-shim idle memory: VmRSS \(idle) KiB (before idling \(busy) KiB), RssAnon \(anon) KiB")
        XCTAssertLessThan(anon, 1024, "anonymous memory (heap, stacks, written data) of an idle shim")
        XCTAssertLessThanOrEqual(idle, 3277, "idle RSS target: 0.25 × containerd-shim-runc-v2's 12.9 MiB")
        // Still serving after the release.
        XCTAssertEqual(try client.request("state")["status"], "running")
    }
}
