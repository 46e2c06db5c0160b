import Foundation
import Logging
import NIOCore
import SwdockAPI
import SwdockClient
@testable import SwdockServer
import SwdockTestSupport
import XCTest

/// The server's streaming and hijack machinery, with routes made for the test, on a real socket.
final class StreamingAndHijackTests: XCTestCase {
    private func startServer(_ configure: (inout Router) -> Void) async throws -> (APIServer, EngineClient) {
        try await TestAPIServer.start(for: self, configure)
    }

    func testStreamFlushesHeadersBeforeTheBodyAndChunksIt() async throws {
        let gate = Gate()
        let (_, client) = try await startServer { router in
            router.add(.POST, "/containers/{name*}/wait") { _ in
                .jsonStream { writer in
                    await gate.wait()  // released only after the client saw the headers
                    try await writer.write(Array("{\"StatusCode\":0}\n".utf8))
                    try await writer.write(Array("second\n".utf8))
                }
            }
        }
        let result = try await Task.detached {
            var response = try client.send("POST", "/containers/x/wait", query: [("condition", "next-exit")])
            XCTAssertEqual(response.head.status, 200)
            XCTAssertEqual(response.head.header("transfer-encoding"), "chunked")
            XCTAssertEqual(response.head.header("api-version"), "1.41")
            await gate.open()
            var chunks: [String] = []
            while let chunk = try response.body.next() { chunks.append(String(decoding: chunk, as: UTF8.self)) }
            return chunks
        }.value
        XCTAssertEqual(result, ["{\"StatusCode\":0}\n", "second\n"])
    }

    func testStreamProducerSeesTheClientGo() async throws {
        let sawClose = Gate()
        let (_, client) = try await startServer { router in
            router.add(.GET, "/events") { _ in
                .jsonStream { writer in
                    await writer.waitForClose()
                    XCTAssertTrue(writer.isClientGone)
                    await sawClose.open()
                }
            }
        }
        try await Task.detached {
            let response = try client.send("GET", "/events")
            XCTAssertEqual(response.head.status, 200)
            // Dropping the response closes the connection (docker run -d abandoning its wait).
        }.value
        await sawClose.wait()
    }

    func testHijackKeepsStreamingAfterTheClientHalfCloses() async throws {
        let (_, client) = try await startServer { router in
            router.add(.POST, "/containers/{name*}/attach") { request in
                guard request.wantsUpgrade else { throw APIError.badRequest("upgrade required") }
                return .hijack { stream in
                    var received: [UInt8] = []
                    for await bytes in stream.input { received += bytes }  // ends at the half-close
                    // Output after stdin EOF must still reach the client.
                    try await stream.write(Array("got:".utf8) + received)
                    try await stream.write(Array(" bye".utf8))
                }
            }
        }
        let answer = try await Task.detached {
            let response = try client.send("POST", "/containers/c1/attach", query: [("stream", "1"), ("stdin", "1")],
                                           headers: [("Connection", "Upgrade"), ("Upgrade", "tcp")])
            XCTAssertEqual(response.head.status, 101)
            XCTAssertEqual(response.head.reason, "UPGRADED")
            XCTAssertEqual(response.head.header("upgrade"), "tcp")
            XCTAssertEqual(response.head.header("content-type"), "application/vnd.docker.raw-stream")
            XCTAssertNil(response.head.header("transfer-encoding"))
            try response.connection.write(Array("hello stdin\n".utf8))
            try response.connection.shutdownWrite()
            var bytes: [UInt8] = []
            while true {
                let chunk = try response.connection.readSome()
                if chunk.isEmpty { break }
                bytes += chunk
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        XCTAssertEqual(answer, "got:hello stdin\n bye")
    }

    func testHijackRouteCanStillAnswerAnError() async throws {
        let (_, client) = try await startServer { router in
            router.add(.POST, "/containers/{name*}/attach") { request in throw APIError.notFound("No such container: \(request.parameter("name"))") }
        }
        let (status, body) = try await Task.detached {
            var response = try client.send("POST", "/containers/nosuch/attach", headers: [("Connection", "Upgrade"), ("Upgrade", "tcp")])
            return (response.head.status, String(decoding: try response.body.readAll(), as: UTF8.self))
        }.value
        XCTAssertEqual(status, 404)
        XCTAssertEqual(body, "{\"message\":\"No such container: nosuch\"}\n")
    }

    func testHandlerErrorsBecome500WithTheMessage() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk on fire" } }
        let (_, client) = try await startServer { router in
            router.add(.GET, "/info") { _ in throw Broken() }
        }
        let (status, body) = try await Task.detached {
            var response = try client.send("GET", "/info")
            return (response.head.status, String(decoding: try response.body.readAll(), as: UTF8.self))
        }.value
        XCTAssertEqual(status, 500)
        XCTAssertEqual(body, "{\"message\":\"disk on fire\"}\n")
    }
}

/// A one-shot signal between the test and a handler.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
