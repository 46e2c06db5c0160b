import SwdockOS
import XCTest

@testable import SwdockShimCore

final class ShimProtocolTests: XCTestCase {
    func testFramesSurviveArbitrarySplitting() throws {
        let frames = [ShimFrame(kind: .request, payload: ShimMessage("hello", [("protocol", "1")]).encoded),
                      ShimFrame(kind: .output, stream: 2, payload: Array(repeating: 7, count: 70_000)),
                      ShimFrame(kind: .stdinClose)]
        let wire = frames.flatMap(\.encoded)
        for step in [1, 3, 8, 4096, wire.count] {
            var decoder = ShimFrameDecoder()
            var decoded: [ShimFrame] = []
            var offset = 0
            while offset < wire.count {
                decoder.feed(Array(wire[offset..<min(wire.count, offset + step)]))
                offset += step
                while let frame = try decoder.next() { decoded.append(frame) }
            }
            XCTAssertEqual(decoded.map(\.kind), [.request, .output, .stdinClose], "step \(step)")
            XCTAssertEqual(decoded[1].stream, 2)
            XCTAssertEqual(decoded[1].payload.count, 70_000)
            XCTAssertEqual(decoder.bufferedCount, 0)
        }
    }

    func testHeaderLayoutIsBigEndianLength() {
        XCTAssertEqual(ShimFrame(kind: .output, stream: 1, payload: [0x41, 0x42]).encoded, [3, 1, 0, 0, 0, 0, 0, 2, 0x41, 0x42])
    }

    func testMalformedFramesAreProtocolErrors() {
        var oversized = ShimFrameDecoder()
        oversized.feed([1, 0, 0, 0, 0x7f, 0, 0, 0])
        XCTAssertThrowsError(try oversized.next()) { XCTAssertEqual(($0 as? ShimError)?.code, .protocol) }
        var unknown = ShimFrameDecoder()
        unknown.feed([99, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertThrowsError(try unknown.next())
    }

    func testMessagesRoundTripAndKeepValuesOnOneLine() throws {
        var message = ShimMessage("kill", [("signal", "TERM"), ("all", "true")])
        message.set("note", "two\nlines=ok")
        let decoded = try ShimMessage.decode(message.encoded)
        XCTAssertEqual(decoded.verb, "kill")
        XCTAssertEqual(decoded["note"], "two lines=ok")
        XCTAssertEqual(try decoded.bool("all"), true)
        XCTAssertThrowsError(try ShimMessage.decode(Array("x\nnovalue".utf8)))
        XCTAssertThrowsError(try ShimMessage("a", [("n", "x")]).int("n"))
    }

    func testOptionsRoundTripThroughArguments() throws {
        let parsed = try ShimOptions.parse(["--id", "c1", "--bundle", "/b", "--runtime", "/usr/bin/runc",
                                            "--runtime-root", "/r", "--runtime-arg", "--systemd-cgroup",
                                            "--state-dir", "/s", "--log-path", "/s/c.log", "--log-max-size=10k",
                                            "--log-max-file", "3", "--stdin", "--tty", "--console-size", "24x80"])
        XCTAssertEqual(parsed.logMaxSize, 10_000)
        XCTAssertEqual(parsed.consoleSize?.columns, 80)
        XCTAssertEqual(try ShimOptions.parse(parsed.arguments), parsed)
        XCTAssertThrowsError(try ShimOptions.parse(["--id", "c1", "--bundle", "relative", "--runtime", "/r", "--state-dir", "/s"]))
        XCTAssertThrowsError(try ShimOptions.parse(["--id", "c1", "--bundle", "/b", "--runtime", "/r"]))
        XCTAssertThrowsError(try ShimOptions.parse(["--bogus"]))
    }

    func testExitRecordRoundTrips() throws {
        let record = ExitRecord(pid: 42, status: .signaled(9, coreDumped: false), time: Timestamp(seconds: 1_796_154_316, nanoseconds: 5))
        XCTAssertEqual(record.exitCode, 137)
        let text = String(decoding: record.encoded, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("swdock-shim-exit 1\n"))
        XCTAssertEqual(try ExitRecord(decoding: record.encoded), record)
        var oom = record
        oom.oomKilled = true
        XCTAssertEqual(try ExitRecord(decoding: oom.encoded).oomKilled, true)
        // A record without the oom-killed line (or with keys this reader does not know) still reads.
        let older = Array("swdock-shim-exit 1\npid=1\nexit-code=0\nsignal=0\nexit-time=2026-12-01T19:45:16Z\nfuture=x\n".utf8)
        XCTAssertEqual(try ExitRecord(decoding: older).oomKilled, false)
        XCTAssertThrowsError(try ExitRecord(decoding: Array("something else\n".utf8)))
    }

    func testReadyAndErrorLines() {
        let ready = ShimLauncher.parse(readyLine: "swdock-shim ready protocol=1 shim-pid=10 init-pid=11 socket=/run/x/shim.sock\n")
        XCTAssertEqual(ready, ShimLauncher.Ready(protocolVersion: 1, shimPID: 10, initPID: 11, socketPath: "/run/x/shim.sock"))
        let error = ShimLauncher.parseError("swdock-shim error code=runtime message=runc create: exec: \"nope\": not found\n")
        XCTAssertEqual(error.code, .runtime)
        XCTAssertEqual(error.message, "runc create: exec: \"nope\": not found")
    }

    func testRuntimeLogMessageExtraction() {
        let line = Array(#"{"level":"error","msg":"exec: \"nope\": executable file not found in $PATH\u0021","time":"x"}"#.utf8)
        XCTAssertEqual(RuntimeCLI.jsonStringField("msg", in: line[...]), "exec: \"nope\": executable file not found in $PATH!")
    }

    func testSignalNames() {
        XCTAssertEqual(Signals.number("KILL"), 9)
        XCTAssertEqual(Signals.number("sigterm"), 15)
        XCTAssertEqual(Signals.number("SIGRTMIN+2"), 36)
        XCTAssertEqual(Signals.number("10"), 10)
        XCTAssertNil(Signals.number("NOPE"))
        XCTAssertNil(Signals.number("0"))
    }
}
