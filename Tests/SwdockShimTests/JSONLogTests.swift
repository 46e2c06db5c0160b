import Foundation
import SwdockOS
import XCTest

@testable import SwdockShimCore

final class JSONLogEntryTests: XCTestCase {
    private func encode(_ bytes: [UInt8], complete: Bool = true, stream: StdioStream = .stdout) -> String {
        var out: [UInt8] = []
        JSONLogEntry.append(line: bytes[...], complete: complete, stream: stream,
                            time: Timestamp(seconds: 1_796_154_316, nanoseconds: 582_534_027), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testRecordHasDockersFieldOrderAndTrailingNewline() {
        XCTAssertEqual(encode(Array("hi".utf8)),
                       #"{"log":"hi\n","stream":"stdout","time":"2026-12-01T19:45:16.582534027Z"}"# + "\n")
        XCTAssertEqual(encode(Array("x".utf8), complete: false, stream: .stderr),
                       #"{"log":"x","stream":"stderr","time":"2026-12-01T19:45:16.582534027Z"}"# + "\n")
    }

    func testEscapingMatchesDockersWriter() {
        func escaped(_ bytes: [UInt8]) -> String {
            var out: [UInt8] = []
            JSONLogEntry.appendJSONString(bytes[...], to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        XCTAssertEqual(escaped(Array("<a&b>".utf8)), #""\u003ca\u0026b\u003e""#)
        XCTAssertEqual(escaped(Array("q\"b\\".utf8)), #""q\"b\\""#)
        XCTAssertEqual(escaped([0x0a, 0x0d, 0x09, 0x00, 0x1f, 0x7f]), #""\n\r\u0009\u0000\u001f"# + "\u{7f}\"")
        // Valid multi-byte UTF-8 passes through; U+2028/U+2029 are escaped.
        XCTAssertEqual(escaped(Array("é€😀".utf8)), "\"é€😀\"")
        XCTAssertEqual(escaped(Array("a\u{2028}b\u{2029}".utf8)), #""a\u2028b\u2029""#)
        // Each byte of invalid UTF-8 becomes U+FFFD: a lone continuation byte, a truncated
        // sequence, an overlong encoding, an encoded surrogate.
        XCTAssertEqual(escaped([0x80]), #""\ufffd""#)
        XCTAssertEqual(escaped([0xe2, 0x82]), #""\ufffd\ufffd""#)
        XCTAssertEqual(escaped([0xc0, 0xaf]), #""\ufffd\ufffd""#)
        XCTAssertEqual(escaped([0xed, 0xa0, 0x80]), #""\ufffd\ufffd\ufffd""#)
        XCTAssertEqual(escaped([0x61, 0xff, 0x62]), #""a\ufffdb""#)
    }

    func testEscapedOutputIsValidJSONThatDecodesToTheLine() throws {
        var bytes: [UInt8] = Array(0..<128)
        bytes += Array("Grüße <tag> & \"quote\"".utf8)
        let line = encode(bytes)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        XCTAssertEqual(object?["log"], String(decoding: bytes, as: UTF8.self) + "\n")
        XCTAssertEqual(object?["stream"], "stdout")
    }
}

final class LogLineSplitterTests: XCTestCase {
    private struct Cut: Equatable {
        var text: String
        var complete: Bool
        var time: Int64
    }

    private func split(_ chunks: [[UInt8]], finish: Bool = true) -> [Cut] {
        var splitter = LogLineSplitter()
        var clock: Int64 = 0
        var cuts: [Cut] = []
        let now = { () -> Timestamp in clock += 1; return Timestamp(seconds: clock, nanoseconds: 0) }
        for chunk in chunks {
            chunk.withUnsafeBytes { raw in
                splitter.feed(raw, now: now) { cuts.append(Cut(text: String(decoding: $0.line, as: UTF8.self), complete: $0.complete, time: $0.time.seconds)) }
            }
        }
        if finish {
            splitter.finish(now: now) { cuts.append(Cut(text: String(decoding: $0.line, as: UTF8.self), complete: $0.complete, time: $0.time.seconds)) }
        }
        return cuts
    }

    func testLinesAcrossReads() {
        let cuts = split([Array("one\ntw".utf8), Array("o\n\nthree".utf8)])
        XCTAssertEqual(cuts, [Cut(text: "one", complete: true, time: 1), Cut(text: "two", complete: true, time: 2),
                              Cut(text: "", complete: true, time: 3), Cut(text: "three", complete: false, time: 4)])
    }

    func testLongLineIsCutInto16KiBPartialsSharingTheFirstTime() {
        let size = LogLineSplitter.bufferSize
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: size * 2 + 10) + [UInt8(ascii: "\n")]
        let cuts = split([Array(long[0..<5000]), Array(long[5000...]) + Array("next\n".utf8)])
        XCTAssertEqual(cuts.map { $0.text.count }, [size, size, 10, 4])
        XCTAssertEqual(cuts.map(\.complete), [false, false, true, true])
        XCTAssertEqual(cuts[0].time, cuts[1].time)
        XCTAssertEqual(cuts[1].time, cuts[2].time)
        XCTAssertNotEqual(cuts[2].time, cuts[3].time)
    }

    func testNewlineRightAfterAFull16KiBBufferIsAnEmptyCompleteLine() {
        let size = LogLineSplitter.bufferSize
        let cuts = split([[UInt8](repeating: 0x62, count: size) + [0x0a]])
        XCTAssertEqual(cuts.map { $0.text.count }, [size, 0])
        XCTAssertEqual(cuts.map(\.complete), [false, true])
    }
}

final class JSONFileLogTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("shimlog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    private func write(_ log: JSONFileLog, lines: Int, prefix: String) throws {
        for i in 0..<lines {
            let line = Array("\(prefix)-\(i)".utf8)
            try log.write(LogLineSplitter.Message(line: line[...], complete: true, time: Timestamp(seconds: 0, nanoseconds: 1)), stream: .stdout)
        }
    }

    private func lines(_ name: String) throws -> [String] {
        try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testRotationKeepsMaxFilesAndRotatesBeforeTheWriteThatFindsTheFileFull() throws {
        let path = "\(directory)/c-json.log"
        // Each record is 74 bytes; a file reaching 100 bytes is rotated before the next write: 2 records a file.
        let log = try JSONFileLog(path: path, maxSize: 100, maxFiles: 3)
        try write(log, lines: 7, prefix: "l")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertEqual(names, ["c-json.log", "c-json.log.1", "c-json.log.2"])
        XCTAssertEqual(try lines("c-json.log").count, 1)
        XCTAssertTrue(try lines("c-json.log")[0].contains(#""log":"l-6\n""#))
        XCTAssertTrue(try lines("c-json.log.1")[0].contains(#""log":"l-4\n""#))
        XCTAssertTrue(try lines("c-json.log.2")[1].contains(#""log":"l-3\n""#))
    }

    func testMaxFileOneStartsTheLogOver() throws {
        let path = "\(directory)/c-json.log"
        let log = try JSONFileLog(path: path, maxSize: 100, maxFiles: 1)
        try write(log, lines: 3, prefix: "m")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["c-json.log"])
        XCTAssertEqual(try lines("c-json.log").count, 1)
    }

    func testReopenedLogContinuesAndCountsExistingBytes() throws {
        let path = "\(directory)/c-json.log"
        try write(try JSONFileLog(path: path, maxSize: 100, maxFiles: 2), lines: 1, prefix: "a")
        let reopened = try JSONFileLog(path: path, maxSize: 100, maxFiles: 2)
        try write(reopened, lines: 2, prefix: "b")
        XCTAssertEqual(try lines("c-json.log.1").count, 2)
        XCTAssertEqual(try lines("c-json.log").count, 1)
    }
}
