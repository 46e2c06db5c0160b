import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// The three registries `Tests/Harness/with-test-services.sh` starts serve every fixture,
/// byte for byte as skopeo pushed it, behind the authentication each is configured with.
/// HTTP goes through curl: FoundationNetworking's URLSession can stall on a Basic challenge.
final class RegistryServesFixturesTests: XCTestCase {
    private static let manifestAccept = [
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ].joined(separator: ", ")

    /// Fixtures the harness pushes into the authenticated registries too.
    private static let authenticatedFixtures = ["busybox", "multiplatform", "multilayer", "compression"]

    private struct Response {
        let status: Int
        let headers: [String: String]
        let body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    private var scratch: String = ""
    private var requestCount = 0

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-registry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
        let directory = scratch
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// One HTTP request with curl (status, headers of the final response, body as bytes).
    private func get(_ url: String, accept: String? = nil, authorization: String? = nil,
                     method: String = "GET", body: Data? = nil, contentType: String? = nil) throws -> Response {
        requestCount += 1
        let bodyFile = "\(scratch)/body-\(requestCount)", headerFile = "\(scratch)/headers-\(requestCount)"
        defer {
            try? FileManager.default.removeItem(atPath: bodyFile)
            try? FileManager.default.removeItem(atPath: headerFile)
        }
        var arguments = ["-sS", "--max-time", "300", "-o", bodyFile, "-D", headerFile, "-w", "%{http_code}"]
        if method != "GET" { arguments += ["-X", method] }
        if let accept { arguments += ["-H", "Accept: \(accept)"] }
        if let authorization { arguments += ["-H", "Authorization: \(authorization)"] }
        if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        if let body {
            let requestFile = "\(scratch)/request-\(requestCount)"
            try body.write(to: URL(fileURLWithPath: requestFile))
            arguments += ["--data-binary", "@" + requestFile]
        }
        arguments.append(url)
        let result = try runCommand("/usr/bin/curl", arguments)
        guard result.status == 0, let status = Int(result.stdout) else {
            throw TreeManifestError(what: "\(method) \(url)", message: "curl exited \(result.status): \(result.stderr)")
        }
        var headers: [String: String] = [:]
        let headerText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        for line in headerText.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") { headers = [:]; continue }  // keep the last response's headers
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let data = (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data()
        return Response(status: status, headers: headers, body: data)
    }

    private static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Checks one tag: the manifest (or index and its platform manifests), config and layers.
    private func checkTag(registry: String, fixture: FixtureCatalog.Fixture, tag: FixtureCatalog.Tag,
                          authorization: String?, file: StaticString = #filePath, line: UInt = #line) throws {
        let base = "http://\(registry)/v2/\(fixture.repository)"
        let what = "\(registry) \(fixture.repository):\(tag.tag)"
        let root = try get("\(base)/manifests/\(tag.tag)", accept: Self.manifestAccept, authorization: authorization)
        XCTAssertEqual(root.status, 200, what, file: file, line: line)
        XCTAssertEqual(root.header("Content-Type"), tag.mediaType, what, file: file, line: line)
        XCTAssertEqual(root.header("Docker-Content-Digest"), tag.digest, what, file: file, line: line)
        XCTAssertEqual(Digest.sha256(of: root.body).description, tag.digest, "\(what): manifest bytes", file: file, line: line)
        XCTAssertEqual(Int64(root.body.count), tag.size, what, file: file, line: line)

        var layersSeen = Set<String>()
        for image in tag.images {
            let imageWhat = "\(what) \(image.platform)"
            if tag.isIndex {
                let manifest = try get("\(base)/manifests/\(image.manifest.digest)", accept: Self.manifestAccept,
                                             authorization: authorization)
                XCTAssertEqual(manifest.status, 200, imageWhat, file: file, line: line)
                XCTAssertEqual(manifest.header("Content-Type"), image.manifest.mediaType, imageWhat, file: file, line: line)
                XCTAssertEqual(manifest.header("Docker-Content-Digest"), image.manifest.digest, imageWhat, file: file, line: line)
                XCTAssertEqual(Digest.sha256(of: manifest.body).description, image.manifest.digest, imageWhat,
                               file: file, line: line)
            }
            let config = try get("\(base)/blobs/\(image.config.digest)", authorization: authorization)
            XCTAssertEqual(config.status, 200, "\(imageWhat) config", file: file, line: line)
            XCTAssertEqual(Digest.sha256(of: config.body).description, image.config.digest, "\(imageWhat) config",
                           file: file, line: line)
            for layer in image.layers where layersSeen.insert(layer.digest).inserted {
                let blob = try get("\(base)/blobs/\(layer.digest)", authorization: authorization)
                XCTAssertEqual(blob.status, 200, "\(imageWhat) layer \(layer.digest)", file: file, line: line)
                XCTAssertEqual(Int64(blob.body.count), layer.size, "\(imageWhat) layer \(layer.digest)", file: file, line: line)
                XCTAssertEqual(Digest.sha256(of: blob.body).description, layer.digest, "\(imageWhat) layer bytes",
                               file: file, line: line)
            }
        }
    }

    func testAnonymousRegistryServesEveryFixture() throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let catalog = try FixtureCatalog.fromEnvironment()
        let probe = try get("http://\(registry)/v2/")
        XCTAssertEqual(probe.status, 200)
        XCTAssertEqual(probe.header("Docker-Distribution-API-Version"), "registry/2.0")
        for fixture in catalog.fixtures {
            for tag in fixture.tags {
                try checkTag(registry: registry, fixture: fixture, tag: tag, authorization: nil)
            }
        }
        let missing = try get("http://\(registry)/v2/swdock-fixtures/busybox/manifests/no-such-tag",
                                    accept: Self.manifestAccept)
        XCTAssertEqual(missing.status, 404)
    }

    func testBasicAuthRegistryWantsCredentialsAndServesTheFixtures() throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC")
        let user = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC_USER")
        let password = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC_PASSWORD")
        let catalog = try FixtureCatalog.fromEnvironment()

        let anonymous = try get("http://\(registry)/v2/")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertTrue(anonymous.header("WWW-Authenticate")?.hasPrefix("Basic realm=") == true,
                      anonymous.header("WWW-Authenticate") ?? "no WWW-Authenticate")
        let anonymousManifest = try get("http://\(registry)/v2/swdock-fixtures/busybox/manifests/latest",
                                              accept: Self.manifestAccept)
        XCTAssertEqual(anonymousManifest.status, 401)
        let wrong = try get("http://\(registry)/v2/", authorization: Self.basic(user, password + "x"))
        XCTAssertEqual(wrong.status, 401)
        let right = try get("http://\(registry)/v2/", authorization: Self.basic(user, password))
        XCTAssertEqual(right.status, 200)

        for name in Self.authenticatedFixtures {
            let fixture = try XCTUnwrap(catalog.fixture(name))
            for tag in fixture.tags {
                try checkTag(registry: registry, fixture: fixture, tag: tag, authorization: Self.basic(user, password))
            }
        }
    }

    /// `Bearer realm="…",service="…",scope="…"` → its parameters.
    private func challengeParameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        let scanner = header.dropFirst("Bearer ".count)
        var rest = Substring(scanner)
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
            rest = rest[rest.index(after: equals)...]
            guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { break }
            result[key] = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    private func token(realm: String, service: String, scope: String, authorization: String?) throws -> Response {
        var components = try XCTUnwrap(URLComponents(string: realm))
        components.queryItems = [URLQueryItem(name: "service", value: service), URLQueryItem(name: "scope", value: scope)]
        return try get(try XCTUnwrap(components.url?.absoluteString), authorization: authorization)
    }

    private func bearer(from response: Response) throws -> String {
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        let token = try XCTUnwrap(json["token"] as? String, "token response: \(String(decoding: response.body, as: UTF8.self))")
        XCTAssertEqual(token.split(separator: ".").count, 3, "a JWT")
        return "Bearer " + token
    }

    func testTokenRegistryChallengesAndAcceptsTokensFromTheRealm() throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN")
        let realm = try TestEnvironment.require("SWDOCK_TEST_TOKEN_REALM")
        let user = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_USER")
        let password = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD")
        let catalog = try FixtureCatalog.fromEnvironment()

        let probe = try get("http://\(registry)/v2/")
        XCTAssertEqual(probe.status, 401)
        XCTAssertTrue(probe.header("WWW-Authenticate")?.hasPrefix("Bearer ") == true)

        for name in Self.authenticatedFixtures {
            let fixture = try XCTUnwrap(catalog.fixture(name))
            let challenged = try get("http://\(registry)/v2/\(fixture.repository)/manifests/latest-or-any",
                                           accept: Self.manifestAccept)
            XCTAssertEqual(challenged.status, 401, fixture.name)
            let header = try XCTUnwrap(challenged.header("WWW-Authenticate"), fixture.name)
            XCTAssertTrue(header.hasPrefix("Bearer "), header)
            let challenge = challengeParameters(header)
            XCTAssertEqual(challenge["realm"], realm, header)
            let service = try XCTUnwrap(challenge["service"], header)
            XCTAssertEqual(challenge["scope"], "repository:\(fixture.repository):pull", header)

            let denied = try token(realm: realm, service: service, scope: challenge["scope"]!,
                                         authorization: Self.basic(user, password + "x"))
            XCTAssertEqual(denied.status, 401, "wrong password at the realm")
            let anonymous = try token(realm: realm, service: service, scope: challenge["scope"]!, authorization: nil)
            XCTAssertEqual(anonymous.status, 401, "no credentials at the realm")

            let granted = try token(realm: realm, service: service, scope: challenge["scope"]!,
                                          authorization: Self.basic(user, password))
            XCTAssertEqual(granted.status, 200, String(decoding: granted.body, as: UTF8.self))
            let authorization = try bearer(from: granted)
            for tag in fixture.tags {
                try checkTag(registry: registry, fixture: fixture, tag: tag, authorization: authorization)
            }
            let forged = try get("http://\(registry)/v2/\(fixture.repository)/manifests/\(fixture.tags[0].tag)",
                                       accept: Self.manifestAccept, authorization: String(authorization.dropLast(4)) + "AAAA")
            XCTAssertEqual(forged.status, 401, "a token with a bad signature")
        }

        // A token is only good for the scope it grants.
        let busybox = try XCTUnwrap(catalog.fixture("busybox"))
        let multilayer = try XCTUnwrap(catalog.fixture("multilayer"))
        let other = try token(realm: realm, service: "swdock-test-registry",
                                    scope: "repository:\(multilayer.repository):pull", authorization: Self.basic(user, password))
        let wrongScope = try get("http://\(registry)/v2/\(busybox.repository)/manifests/latest",
                                       accept: Self.manifestAccept, authorization: try bearer(from: other))
        XCTAssertEqual(wrongScope.status, 401, "token for \(multilayer.repository) used on \(busybox.repository)")

        // The OAuth2 password grant (containerd's flow) gives a token that works too.
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "grant_type", value: "password"), URLQueryItem(name: "username", value: user),
                           URLQueryItem(name: "password", value: password),
                           URLQueryItem(name: "service", value: "swdock-test-registry"),
                           URLQueryItem(name: "scope", value: "repository:\(busybox.repository):pull"),
                           URLQueryItem(name: "client_id", value: "swdock-tests")]
        let oauth = try get(realm, method: "POST", body: Data((form.percentEncodedQuery ?? "").utf8),
                                  contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(oauth.status, 200, String(decoding: oauth.body, as: UTF8.self))
        let oauthJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: oauth.body) as? [String: Any])
        let accessToken = try XCTUnwrap(oauthJSON["access_token"] as? String)
        let viaOAuth = try get("http://\(registry)/v2/\(busybox.repository)/manifests/latest",
                                     accept: Self.manifestAccept, authorization: "Bearer " + accessToken)
        XCTAssertEqual(viaOAuth.status, 200)
        XCTAssertEqual(viaOAuth.header("Docker-Content-Digest"), busybox.tags[0].digest)
        var wrongForm = form
        wrongForm.queryItems![2] = URLQueryItem(name: "password", value: password + "x")
        let oauthDenied = try get(realm, method: "POST", body: Data((wrongForm.percentEncodedQuery ?? "").utf8),
                                        contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(oauthDenied.status, 401)
    }
}
