import NIOHTTP1
import SwdockAPI
@testable import SwdockServer
import XCTest

final class RouterTests: XCTestCase {
    func testGreedyNameTakesImageReferencesWithSlashesAndColons() {
        let pattern = RoutePattern("/images/{name*}/json")
        XCTAssertEqual(pattern.match("/images/localhost:5000/busybox:latest/json"), ["name": "localhost:5000/busybox:latest"])
        XCTAssertEqual(pattern.match("/images/busybox/json"), ["name": "busybox"])
        XCTAssertNil(pattern.match("/images/json"))
        XCTAssertNil(pattern.match("/images//json"))
        let tag = RoutePattern("/images/{name*}/tag")
        XCTAssertEqual(tag.match("/images/localhost:5000/busybox:latest/tag"), ["name": "localhost:5000/busybox:latest"])
        let delete = RoutePattern("/images/{name*}")
        XCTAssertEqual(delete.match("/images/localhost:5000/busybox:latest"), ["name": "localhost:5000/busybox:latest"])
    }

    func testGreedyMatchIsLongestAsDockersRegex() {
        // dockerd's {name:.*}/json takes everything up to the LAST /json.
        XCTAssertEqual(RoutePattern("/containers/{name*}/json").match("/containers/a/json/json"), ["name": "a/json"])
    }

    func testSingleSegmentParameter() {
        let pattern = RoutePattern("/services/{id}")
        XCTAssertEqual(pattern.match("/services/abc"), ["id": "abc"])
        XCTAssertNil(pattern.match("/services/a/b"))
        XCTAssertNil(pattern.match("/services/"))
    }

    private func request(_ method: HTTPMethod, _ path: String) -> APIRequest {
        APIRequest(method: method, path: path, apiVersion: nil, query: QueryParameters(""), headers: [:], body: [])
    }

    private func status(_ router: Router, _ method: HTTPMethod, _ path: String) async -> (Int, String) {
        let (handler, resolved) = router.resolve(request(method, path))
        do {
            let response = try await handler(resolved)
            return (Int(response.status.code), resolved.parameters["name"] ?? "")
        } catch let error as APIError {
            return (error.status, error.message)
        } catch {
            return (-1, "\(error)")
        }
    }

    func testServedDeclaredAndUnknownRoutes() async {
        var router = Router()
        router.add(.GET, "/containers/{name*}/json") { _ in .noContent }
        for (method, path) in DockerRoutes.all { router.declare(method, path) }
        let served = await status(router, .GET, "/containers/localhost:5000/busybox:latest/json")
        XCTAssertEqual(served.0, 204)
        let declared = await status(router, .POST, "/containers/create")
        XCTAssertEqual(declared.0, 501)
        XCTAssertTrue(declared.1.hasPrefix("not supported: POST /containers/create"), declared.1)
        let unknown = await status(router, .GET, "/nosuch")
        XCTAssertEqual(unknown.0, 404)
        XCTAssertEqual(unknown.1, "page not found")
        let wrongMethod = await status(router, .PUT, "/containers/create")
        XCTAssertEqual(wrongMethod.0, 404, "dockerd answers a wrong method with page not found too")
    }

    func testVersionPrefix() {
        func parse(_ uri: String) -> APIPath.Parsed { APIPath.parse(method: .GET, uri: uri, headers: [:], body: []) }
        guard case .request(let r) = parse("/v1.41/containers/json?all=1") else { return XCTFail() }
        XCTAssertEqual(r.path, "/containers/json")
        XCTAssertEqual(r.apiVersion, APIVersion("1.41"))
        XCTAssertTrue(r.query.bool("all"))
        guard case .request(let unversioned) = parse("/_ping") else { return XCTFail() }
        XCTAssertNil(unversioned.apiVersion)
        XCTAssertEqual(unversioned.path, "/_ping")
        guard case .request(let older) = parse("/v1.24/version") else { return XCTFail() }
        XCTAssertEqual(older.apiVersion, APIVersion("1.24"))
        guard case .failure(let tooNew, _) = parse("/v1.50/version") else { return XCTFail() }
        XCTAssertEqual(tooNew.message, "client version 1.50 is too new. Maximum supported API version is 1.41")
        XCTAssertEqual(tooNew.status, 400)
        guard case .failure(let tooOld, let version) = parse("/v1.11/version") else { return XCTFail() }
        XCTAssertTrue(tooOld.message.hasPrefix("client version 1.11 is too old. Minimum supported API version is 1.12"))
        XCTAssertEqual(version, APIVersion("1.11"))
        // Not a version prefix: routed as a path (and so 404s).
        guard case .request(let notVersion) = parse("/vabc/version") else { return XCTFail() }
        XCTAssertEqual(notVersion.path, "/vabc/version")
    }

    func testOldClientsGetPlainTextErrors() {
        let response = APIResponse.error(.badRequest("x"), version: APIVersion("1.11"))
        XCTAssertEqual(response.headers["Content-Type"].first, "text/plain; charset=utf-8")
        let json = APIResponse.error(.notFound("No such container: x"), version: APIVersion("1.41"))
        XCTAssertEqual(json.headers["Content-Type"].first, "application/json")
        guard case .bytes(let body) = json.body else { return XCTFail() }
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "{\"message\":\"No such container: x\"}\n")
    }
}
