import Foundation
import SwdockMetadata
import SwdockTestSupport
import XCTest

/// kill -9 of a process in the middle of writing leaves a consistent database.
///
/// The writer is this test binary re-invoked on `testWriterLoopKeepsInvariants` with
/// `SWDOCK_CRASH_WRITER_DB` set: it then writes until it is killed, printing the number of each
/// committed transaction. Run normally, that test runs a bounded loop and checks it.
final class CrashSafetyTests: XCTestCase {
    static let databaseVariable = "SWDOCK_CRASH_WRITER_DB"

    /// One transaction: a container, an image and a tag, all numbered `n`. Every committed
    /// state therefore has equal counts in the three tables and no gaps.
    static func writeGeneration(_ n: Int, to db: Database) throws {
        try db.write { connection in
            let hex = String(n, radix: 16)
            let id = String(repeating: "0", count: 64 - hex.count) + hex
            let image = "sha256:" + id
            try connection.upsertImage(ImageRecord(id: image, manifestDigest: nil, configDigest: image,
                                                   createdNanoseconds: Int64(n), size: Int64(n)))
            try connection.insertContainer(ContainerRecord(id: id, name: "/c\(n)", image: image, createdNanoseconds: Int64(n),
                                                           state: #"{"Status":"created","Pad":"\#(String(repeating: "x", count: 2000))"}"#,
                                                           config: "{}"))
            try connection.setTag("r/\(n):latest", imageID: image)
        }
    }

    /// Checks the invariant of `writeGeneration`; returns the number of generations present.
    static func verify(_ db: Database) throws -> Int {
        XCTAssertEqual(try db.integrityCheck(), "ok")
        return try db.read { connection in
            let containers = try connection.containerCount()
            XCTAssertEqual(try connection.imageCount(), containers)
            XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM image_tags"), Int64(containers))
            let joined = try connection.scalarInt("""
                SELECT count(*) FROM containers c JOIN images i ON i.id = c.image
                JOIN image_tags t ON t.image_id = i.id AND t.reference = 'r/' || c.created_ns || ':latest'
                """)
            XCTAssertEqual(joined, Int64(containers))
            if containers > 0 {
                XCTAssertEqual(try connection.scalarInt("SELECT max(created_ns) FROM containers"), Int64(containers), "no gaps")
            }
            return containers
        }
    }

    func testWriterLoopKeepsInvariants() throws {
        if let path = ProcessInfo.processInfo.environment[Self.databaseVariable] {
            // Child mode: write until killed.
            let db = try Database(path: path)
            var n = try Self.verify(db)
            while true {
                n += 1
                try Self.writeGeneration(n, to: db)
                FileHandle.standardOutput.write(Data("committed \(n)\n".utf8))
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try Database(path: dir.appendingPathComponent("m.db").path)
        for n in 1...100 { try Self.writeGeneration(n, to: db) }
        XCTAssertEqual(try Self.verify(db), 100)
    }

    func testKill9WhileWritingLeavesAConsistentDatabase() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-kill9-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.db").path

        // Three rounds: each child resumes on the database the previous one was killed on.
        var lastReported = 0
        for round in 1...3 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            child.arguments = ["SwdockMetadataTests.CrashSafetyTests/testWriterLoopKeepsInvariants"]
            var environment = ProcessInfo.processInfo.environment
            environment[Self.databaseVariable] = path
            child.environment = environment
            let output = Pipe()
            child.standardOutput = output
            child.standardError = FileHandle.nullDevice
            try child.run()
            let pid = child.processIdentifier
            addTeardownBlock { if child.isRunning { kill(pid, SIGKILL); child.waitUntilExit() } }

            // Read "committed N" lines until this round has committed 50 more transactions.
            var buffer = Data()
            let target = lastReported + 50
            let deadline = Date().addingTimeInterval(60)
            var reported = lastReported
            while reported < target && Date() < deadline {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n")
                if let last = lines.last(where: { $0.hasPrefix("committed ") }), let n = Int(last.dropFirst(10)) {
                    reported = n
                }
            }
            kill(pid, SIGKILL)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, "round \(round): the writer must die by SIGKILL")
            XCTAssertGreaterThanOrEqual(reported, target, "round \(round): the writer did not get far enough")

            let db = try Database(path: path)
            let present = try Self.verify(db)
            // Every commit the writer reported happened before the kill, so it must be there.
            XCTAssertGreaterThanOrEqual(present, reported, "round \(round): a reported commit was lost")
            lastReported = present
        }
    }
}
