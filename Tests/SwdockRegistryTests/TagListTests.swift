import Foundation
import XCTest
@testable import SwdockRegistry
import SwdockOCI
import SwdockTestSupport

/// `GET /v2/<name>/tags/list` with the spec's `Link` pagination (for `pull --all-tags`).
final class TagListTests: XCTestCase {
    func testNextLinkParsing() {
        XCTAssertEqual(RegistryClient.nextLink(#"</v2/a/tags/list?n=2&last=b>; rel="next""#), "/v2/a/tags/list?n=2&last=b")
        XCTAssertEqual(RegistryClient.nextLink(#"<https://r/v2/a/tags/list?last=b>;rel=next"#), "https://r/v2/a/tags/list?last=b")
        XCTAssertEqual(RegistryClient.nextLink(#"</x>; rel="prev", </y>; rel="next""#), "/y")
        XCTAssertNil(RegistryClient.nextLink(#"</x>; rel="prev""#))
        XCTAssertNil(RegistryClient.nextLink("garbage"))
        XCTAssertEqual(RegistryClient.resolve("/v2/a/tags/list?last=b", against: "http://127.0.0.1:5000"),
                       "http://127.0.0.1:5000/v2/a/tags/list?last=b")
        XCTAssertEqual(RegistryClient.resolve("https://other/v2/x", against: "http://127.0.0.1:5000"), "https://other/v2/x")
        XCTAssertEqual(RegistryClient.resolve("/v2/a/tags/list", against: "https://mirror/prefix"), "https://mirror/prefix/v2/a/tags/list")
    }

    /// The harness registry (distribution 2.8) answers in one page; a small server on 127.0.0.1
    /// speaks the paginated form (`n`, `last`, `Link`) the spec allows, and the client follows it.
    func testFollowsLinkPagesToTheLastOne() throws {
        let script = #"""
import http.server, json, sys, urllib.parse
TAGS = ["a", "b", "c", "d", "e"]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/v2/":
            body, link = b"{}", None
        elif url.path == "/v2/team/app/tags/list":
            q = urllib.parse.parse_qs(url.query)
            n = int(q.get("n", ["2"])[0]); last = q.get("last", [None])[0]
            start = TAGS.index(last) + 1 if last else 0
            page = TAGS[start:start + n]
            body = json.dumps({"name": "team/app", "tags": page}).encode()
            link = None
            if start + n < len(TAGS):
                link = '</v2/team/app/tags/list?n=%d&last=%s>; rel="next"' % (n, page[-1])
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if link: self.send_header("Link", link)
        self.end_headers(); self.wfile.write(body)
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        addTeardownBlock { process.terminate(); process.waitUntilExit() }
        var line = Data()
        while !line.contains(10) {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line.append(byte)
        }
        let port = try XCTUnwrap(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let client = makeClient()
        let reference = try Reference(parsing: "127.0.0.1:\(port)/team/app")
        let expectation = expectation(description: "tags")
        let box = ResultBox()
        Task {
            do { box.set(.success(try await client.listTags(of: reference, pageSize: 2))) } catch { box.set(.failure(error)) }
            expectation.fulfill()
        }
        wait(for: [expectation], timeout: 60)
        XCTAssertEqual(try box.get(), ["a", "b", "c", "d", "e"])
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<[String], any Error> = .success([])
    func set(_ value: Result<[String], any Error>) { lock.lock(); result = value; lock.unlock() }
    func get() throws -> [String] { lock.lock(); defer { lock.unlock() }; return try result.get() }
}
