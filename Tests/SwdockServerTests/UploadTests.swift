import Foundation
import Logging
import SwdockAPI
import SwdockClient
import SwdockOS
@testable import SwdockServer
import SwdockTestSupport
import XCTest

/// Upload routes (`Router.addUpload`): bodies far beyond the server's buffered-body limit
/// stream to the handler with backpressure, and an early answer ends the upload cleanly.
final class UploadTests: XCTestCase {
    private func startServer(_ configure: (inout Router) -> Void) async throws -> EngineClient {
        try await TestAPIServer.start(for: self, configure).client
    }

    /// A file of `size` bytes whose byte i is i % 251, and its path.
    private func patternFile(size: Int) throws -> String {
        let path = "/tmp/swdock-upload-src-\(UUID().uuidString.prefix(8))"
        let file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        defer { file.close() }
        var written = 0
        while written < size {
            let count = min(1 << 20, size - written)
            // Keep the pattern continuous across blocks: 1 MiB is not a multiple of 251.
            let offset = written % 251
            try file.writeAll((0..<count).map { UInt8(($0 + offset) % 251) })
            written += count
        }
        addTeardownBlock { unlink(path) }
        return path
    }

    func testUploadStreamsABodyFarOverTheBufferedLimit() async throws {
        let size = 20 << 20  // the buffered limit is 16 MiB
        let client = try await startServer { router in
            router.addUpload(.POST, "/images/load") { request in
                var count = 0
                var intact = true
                for try await chunk in request.bodyStream {
                    for (i, byte) in chunk.enumerated() where byte != UInt8((count + i) % 251) {
                        intact = false
                        break
                    }
                    count += chunk.count
                    // A slow consumer: the connection must stop reading rather than buffer it all.
                    if count % (8 << 20) < chunk.count { try await Task.sleep(for: .milliseconds(50)) }
                }
                return try .json(["count": count, "intact": intact ? 1 : 0])
            }
        }
        let path = try patternFile(size: size)
        let source = try FileDescriptor.open(path, O_RDONLY)
        defer { source.close() }
        let body = try await Task.detached {
            var response = try client.upload("POST", "/images/load", from: source)
            XCTAssertEqual(response.head.status, 200)
            return try response.body.readAll()
        }.value
        let answer = try JSONDecoder().decode([String: Int].self, from: Data(body))
        XCTAssertEqual(answer["count"], size)
        XCTAssertEqual(answer["intact"], 1)
    }

    func testTheFeedHoldsReadingAboveHighWaterAndResumesBelowLowWater() async throws {
        let resumed = Locked(0)
        let feed = UploadFeed { resumed.withLock { $0 += 1 } }
        for _ in 0..<5 { feed.deliver([UInt8](repeating: 1, count: 1 << 20)) }
        XCTAssertTrue(feed.isFull)
        feed.finish()
        var iterator = feed.body.makeAsyncIterator()
        for _ in 0..<3 { _ = try await iterator.next() }
        XCTAssertFalse(feed.isFull)
        XCTAssertEqual(resumed.withLock { $0 }, 0, "2 MiB still wait: above the low-water mark")
        _ = try await iterator.next()
        XCTAssertEqual(resumed.withLock { $0 }, 0, "1 MiB still waits: not below the low-water mark")
        _ = try await iterator.next()
        XCTAssertEqual(resumed.withLock { $0 }, 1)
        let end = try await iterator.next()
        XCTAssertNil(end)
        XCTAssertEqual(resumed.withLock { $0 }, 1)
    }

    func testAnUploadAnsweredEarlyGivesTheClientTheAnswer() async throws {
        let client = try await startServer { router in
            router.addUpload(.PUT, "/containers/{name*}/archive") { request in
                throw APIError.notFound("No such container: \(request.parameter("name"))")
            }
        }
        let path = try patternFile(size: 24 << 20)
        let source = try FileDescriptor.open(path, O_RDONLY)
        defer { source.close() }
        let error = await Task.detached { () -> ClientError? in
            do {
                _ = try client.upload("PUT", "/containers/nope/archive", query: [("path", "/")], from: source)
                return nil
            } catch { return error as? ClientError }
        }.value
        XCTAssertEqual(error?.status, 404)
        XCTAssertEqual(error?.message, "No such container: nope")
    }

    func testAClientThatGoesMidUploadTruncatesTheBody() async throws {
        let outcome = Locked<String?>(nil)
        let done = Gate()
        let client = try await startServer { router in
            router.addUpload(.POST, "/images/load") { request in
                do {
                    for try await _ in request.bodyStream {}
                    outcome.withLock { $0 = "complete" }
                } catch {
                    outcome.withLock { $0 = "\(error)" }
                }
                await done.open()
                return try .json([String: String]())
            }
        }
        try await Task.detached {
            let connection = try SocketConnection(client.address, timeout: .seconds(5))
            let head = "POST /v1.41/images/load HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
            try connection.write(Array(head.utf8) + [UInt8](repeating: 7, count: 5000))
            _ = connection  // closed as it goes out of scope, mid-body
        }.value
        await done.wait()
        XCTAssertEqual(outcome.withLock { $0 }, RequestBody.Truncated().description)
    }
}
