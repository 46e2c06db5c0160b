import Foundation
import SwdockContent
import SwdockOCI
import SwdockOS
import XCTest

final class ContentStoreTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-content-\(UUID().uuidString)").path
        addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
    }

    func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= count { raw.storeBytes(of: generator.next(), toByteOffset: i, as: UInt64.self); i += 8 }
            while i < count { raw[i] = UInt8.random(in: 0...255, using: &generator); i += 1 }
        }
        return bytes
    }

    func ingestNames(_ store: ContentStore) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.root + "/content/ingest")
    }

    func testWriteReadInfoListDelete() throws {
        let store = try ContentStore(root: root)
        let bytes = Array("hello content".utf8)
        let digest = try store.write(bytes)
        XCTAssertEqual(digest, Digest.sha256(of: bytes))
        XCTAssertEqual(try store.read(digest), bytes)
        XCTAssertEqual(try store.info(digest)?.size, Int64(bytes.count))
        XCTAssertEqual(store.path(of: digest), root + "/content/blobs/sha256/" + digest.encoded)
        XCTAssertEqual(try store.list().map(\.digest), [digest])
        // Writing the same content again is a no-op.
        XCTAssertEqual(try store.write(bytes, expected: digest), digest)
        try store.delete(digest)
        XCTAssertNil(try store.info(digest))
        XCTAssertThrowsError(try store.delete(digest)) { XCTAssertEqual(($0 as? ContentError)?.code, .notFound) }
        XCTAssertThrowsError(try store.read(digest)) { XCTAssertEqual(($0 as? ContentError)?.code, .notFound) }
        XCTAssertEqual(try ingestNames(store), [])
    }

    func testWrongExpectedDigestIsRefused() throws {
        let store = try ContentStore(root: root)
        let other = Digest.sha256(of: Array("other".utf8))
        XCTAssertThrowsError(try store.write(Array("bytes".utf8), expected: other)) {
            XCTAssertEqual(($0 as? ContentError)?.code, .digestMismatch)
        }
        XCTAssertEqual(try store.list().count, 0)
    }

    func testStreamingWriterVerifiesBeforePublishing() throws {
        let store = try ContentStore(root: root)
        let bytes = randomBytes(3 << 20 + 17)
        let digest = Digest.sha256(of: bytes)
        guard case .writer(let writer) = try store.openWriter(digest: digest, size: Int64(bytes.count)) else {
            return XCTFail("blob unexpectedly present")
        }
        for start in stride(from: 0, to: bytes.count, by: 70_000) {
            try writer.write(Array(bytes[start..<min(start + 70_000, bytes.count)]))
            XCTAssertNil(try store.info(digest), "visible before commit")
        }
        let info = try writer.commit()
        XCTAssertEqual(info.size, Int64(bytes.count))
        XCTAssertEqual(try store.read(digest), bytes)
        XCTAssertEqual(try ingestNames(store), [])
        // Published read-only, as containerd does.
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path(of: digest))
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o444)
        if case .exists = try store.openWriter(digest: digest, size: nil) {} else { XCTFail("expected .exists") }
    }

    func testDigestMismatchLeavesNothing() throws {
        let store = try ContentStore(root: root)
        let bytes = randomBytes(100_000)
        var wrong = bytes
        wrong[5000] ^= 0xff
        let digest = Digest.sha256(of: bytes)
        guard case .writer(let writer) = try store.openWriter(digest: digest, size: Int64(bytes.count)) else {
            return XCTFail("blob unexpectedly present")
        }
        try writer.write(wrong)
        XCTAssertThrowsError(try writer.commit()) { XCTAssertEqual(($0 as? ContentError)?.code, .digestMismatch) }
        XCTAssertNil(try store.info(digest))
        XCTAssertEqual(try ingestNames(store), [])
        XCTAssertTrue(try store.check().isClean)
    }

    func testTooManyBytesAreRefused() throws {
        let store = try ContentStore(root: root)
        let digest = Digest.sha256(of: Array("abc".utf8))
        guard case .writer(let writer) = try store.openWriter(digest: digest, size: 3) else { return XCTFail() }
        XCTAssertThrowsError(try writer.write(Array("abcd".utf8))) { XCTAssertEqual(($0 as? ContentError)?.code, .sizeMismatch) }
        writer.discard()
        XCTAssertEqual(try ingestNames(store), [])
    }

    func testInterruptedIngestResumesFromWhatWasWritten() throws {
        let store = try ContentStore(root: root)
        let bytes = randomBytes(2_500_000)
        let digest = Digest.sha256(of: bytes)
        guard case .writer(let first) = try store.openWriter(digest: digest, size: Int64(bytes.count)) else { return XCTFail() }
        try first.write(Array(bytes[..<1_000_000]))
        XCTAssertThrowsError(try first.commit()) { XCTAssertEqual(($0 as? ContentError)?.code, .sizeMismatch) }
        // Short: kept for resume, and the check calls it resumable, not stale.
        let report = try store.check()
        XCTAssertEqual(report.ingests.count, 1)
        XCTAssertEqual(report.ingests.first?.stale, false)
        XCTAssertEqual(report.ingests.first?.bytes, 1_000_000)
        XCTAssertTrue(report.isClean)

        // A new writer (as after a restart) re-hashes the prefix and passes it to its tee first.
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let reader = FileDescriptor(rawValue: fds[0])
        let received = ReceivedBytes()
        let thread = Thread { received.set((try? reader.readAll()) ?? []); reader.close() }
        thread.start()
        guard case .writer(let second) = try store.openWriter(digest: digest, size: Int64(bytes.count),
                                                              tee: FileDescriptor(rawValue: fds[1])) else { return XCTFail() }
        XCTAssertEqual(second.offset, 1_000_000)
        XCTAssertEqual(second.resumedFrom, 1_000_000)
        try second.write(Array(bytes[1_000_000...]))
        try second.commit()
        XCTAssertEqual(try store.read(digest), bytes)
        XCTAssertEqual(received.wait(), bytes)
    }

    func testTeeConsumerThatGoesAwayDoesNotStopTheWrite() throws {
        let store = try ContentStore(root: root)
        let bytes = randomBytes(1 << 20)
        let digest = Digest.sha256(of: bytes)
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        Glibc.close(fds[0])  // the consumer is gone before the first byte
        guard case .writer(let writer) = try store.openWriter(digest: digest, size: Int64(bytes.count),
                                                              tee: FileDescriptor(rawValue: fds[1])) else { return XCTFail() }
        try writer.write(bytes)
        try writer.commit()
        XCTAssertEqual(try store.read(digest), bytes)
    }

    func testIngestLockExcludesOtherWritersAndWaitersSeeTheBlob() throws {
        let first = try ContentStore(root: root)
        let second = try ContentStore(root: root)  // as another process would open it
        let bytes = randomBytes(300_000)
        let digest = Digest.sha256(of: bytes)
        guard case .writer(let writer) = try first.openWriter(digest: digest, size: Int64(bytes.count)) else { return XCTFail() }
        XCTAssertThrowsError(try second.openWriter(digest: digest, size: Int64(bytes.count), wait: false)) {
            XCTAssertEqual(($0 as? ContentError)?.code, .locked)
        }
        let waited = expectation(description: "waiter saw the committed blob")
        let thread = Thread {
            if case .exists(let info) = try? second.openWriter(digest: digest, size: Int64(bytes.count), wait: true),
               info.size == Int64(bytes.count) {
                waited.fulfill()
            }
        }
        thread.start()
        usleep(100_000)
        try writer.write(bytes)
        try writer.commit()
        wait(for: [waited], timeout: 30)
    }

    func testWaiterTakesOverAfterADiscard() throws {
        let store = try ContentStore(root: root)
        let bytes = randomBytes(10_000)
        let digest = Digest.sha256(of: bytes)
        guard case .writer(let writer) = try store.openWriter(digest: digest, size: Int64(bytes.count)) else { return XCTFail() }
        let done = expectation(description: "waiter wrote the blob")
        let thread = Thread {
            guard case .writer(let mine) = try? store.openWriter(digest: digest, size: Int64(bytes.count)) else { return }
            try? mine.write(bytes)
            if (try? mine.commit()) != nil { done.fulfill() }
        }
        thread.start()
        usleep(100_000)
        try writer.write(Array(repeating: 0, count: 10))
        writer.discard()  // removes the ingest directory the waiter is queued on
        wait(for: [done], timeout: 30)
        XCTAssertEqual(try store.read(digest), bytes)
        XCTAssertTrue(try store.check().isClean)
    }

    func testCheckFindsAndRepairsBadBlobsAndStaleIngests() throws {
        let store = try ContentStore(root: root)
        let good = try store.write(Array("good".utf8))
        let bad = try store.write(Array("will be damaged".utf8))
        let path = store.path(of: bad)
        chmod(path, 0o644)
        try Data("damaged!".utf8).write(to: URL(fileURLWithPath: path))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/content/blobs/sha256/not-a-digest"))
        // A stale ingest: its blob is stored already.
        let staleDir = root + "/content/ingest/sha256-\(good.encoded)"
        try FileManager.default.createDirectory(atPath: staleDir, withIntermediateDirectories: true)
        try Data("\(good)\n".utf8).write(to: URL(fileURLWithPath: staleDir + "/ref"))
        try Data("good".utf8).write(to: URL(fileURLWithPath: staleDir + "/data"))

        let report = try store.check()
        XCTAssertFalse(report.isClean)
        XCTAssertEqual(Set(report.bad.map(\.name)), [bad.encoded, "not-a-digest"])
        XCTAssertEqual(report.ingests.filter(\.stale).count, 1)
        XCTAssertEqual(try store.read(bad), Array("damaged!".utf8), "check without repair changes nothing")

        let repaired = try store.check(repair: true)
        XCTAssertEqual(repaired.removed.count, 3, repaired.description)
        let after = try store.check()
        XCTAssertTrue(after.isClean, after.description)
        XCTAssertEqual(after.blobsChecked, 1)
        XCTAssertEqual(try store.read(good), Array("good".utf8))
    }

    func testConcurrentFetchesOfOneDigestRunOnce() async throws {
        let store = try ContentStore(root: root)
        let digest = Digest.sha256(of: Array("x".utf8))
        let runs = Counter()
        let outcomes = try await withThrowingTaskGroup(of: BlobFetchCoordinator.Outcome.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await store.fetches.fetch(digest) {
                        runs.increment()
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
            var all: [BlobFetchCoordinator.Outcome] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        XCTAssertEqual(runs.value, 1)
        XCTAssertEqual(outcomes.filter { $0 == .fetched }.count, 1)
        XCTAssertEqual(outcomes.filter { $0 == .joined }.count, 7)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class ReceivedBytes: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8]?
    func set(_ value: [UInt8]) {
        condition.lock()
        bytes = value
        condition.broadcast()
        condition.unlock()
    }
    func wait() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while bytes == nil { condition.wait() }
        return bytes!
    }
}
