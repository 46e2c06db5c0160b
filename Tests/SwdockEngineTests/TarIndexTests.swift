import Foundation
import XCTest
@testable import SwdockEngine
import SwdockOCI
import SwdockTestSupport

/// `TarIndex` (the index `docker load` builds over a spooled archive) on archives GNU tar
/// writes in each format, and on broken ones.
final class TarIndexTests: XCTestCase {
    private func makeTree() throws -> (directory: String, longName: String, content: [String: Data]) {
        let directory = NSTemporaryDirectory() + "tarindex-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        let longName = "blobs/sha256/" + String(repeating: "d", count: 120) + "/layer.tar"
        let content: [String: Data] = [
            "manifest.json": Data(#"[{"Config":"c.json"}]"#.utf8),
            "c.json": Data("{}".utf8),
            longName: Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
            "empty": Data(),
        ]
        for (name, data) in content {
            let path = directory + "/tree/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path))
        }
        try FileManager.default.linkItem(atPath: directory + "/tree/c.json", toPath: directory + "/tree/linked.json")
        return (directory, longName, content)
    }

    func testGNUPAXAndUstarArchivesIndexEveryFileWithItsBytes() throws {
        let (directory, longName, content) = try makeTree()
        for format in ["gnu", "pax", "ustar"] {
            let archive = directory + "/\(format).tar"
            let result = try runCommand("/usr/bin/tar", ["--format=\(format)", "-C", directory + "/tree", "-cf", archive, "."], timeout: 60)
            if format == "ustar" {
                // ustar cannot hold the 140-byte name at all: GNU tar says so and leaves it out.
                XCTAssertNotEqual(result.status, 0)
            } else {
                XCTAssertEqual(result.status, 0, result.stderr)
            }
            let index = try TarIndex(path: archive)
            defer { index.close() }
            for (name, data) in content where format != "ustar" || name != longName {
                let member = try XCTUnwrap(index.member(name), "\(format): \(name)")
                XCTAssertEqual(member.size, Int64(data.count), "\(format): \(name)")
                XCTAssertEqual(try index.contents(name).map { Data($0) }, data, "\(format): \(name)")
                XCTAssertEqual(try index.digest(of: member), Digest.sha256(of: data), "\(format): \(name)")
            }
            XCTAssertEqual(try index.contents("linked.json").map { Data($0) }, content["c.json"], "\(format): hard link")
            XCTAssertEqual(try index.contents("./c.json").map { Data($0) }, content["c.json"], "names are normalised")
            XCTAssertNil(index.member("missing"))
        }
    }

    func testTruncatedCorruptAndEscapingArchivesAreRefused() throws {
        let (directory, _, _) = try makeTree()
        let archive = directory + "/gnu.tar"
        XCTAssertEqual(try runCommand("/usr/bin/tar", ["--format=gnu", "-C", directory + "/tree", "-cf", archive, "."], timeout: 60).status, 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        func refused(_ data: Data, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let path = directory + "/broken-\(UUID().uuidString.prefix(6)).tar"
            try data.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try TarIndex(path: path), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
            }
        }
        try refused(bytes.prefix(bytes.count - 40_000), "truncated")
        try refused(bytes.prefix(700), "truncated")
        var corrupt = bytes
        corrupt[10] ^= 0x55
        try refused(corrupt, "bad tar header at offset 0")

        // A member named "../x": refused, not resolved outside.
        let escaping = directory + "/escape"
        try FileManager.default.createDirectory(atPath: escaping + "/a", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: escaping + "/x"))
        let escapingArchive = directory + "/escape.tar"
        XCTAssertEqual(try runCommand("/usr/bin/tar", ["-C", escaping + "/a", "-cPf", escapingArchive, "../x"], timeout: 60).status, 0)
        XCTAssertThrowsError(try TarIndex(path: escapingArchive)) { error in
            XCTAssertTrue("\(error)".contains("points outside the archive"), "\(error)")
        }
    }
}
