import Foundation
@testable import SwdockRegistry
import SwdockTestSupport
import XCTest

final class AuthAndConfigurationTests: XCTestCase {
    func testParsesWWWAuthenticateChallenges() {
        let hub = AuthChallenge.parse(#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#)
        XCTAssertEqual(hub, [AuthChallenge(scheme: "bearer", parameters: [
            "realm": "https://auth.docker.io/token", "service": "registry.docker.io",
            "scope": "repository:library/busybox:pull"])])

        let spaced = AuthChallenge.parse(#"bearer  Realm = "http://127.0.0.1:5/token" , service=reg ,scope="a:b:pull,push""#)
        XCTAssertEqual(spaced.first?.scheme, "bearer")
        XCTAssertEqual(spaced.first?.parameters["realm"], "http://127.0.0.1:5/token")
        XCTAssertEqual(spaced.first?.parameters["service"], "reg")
        XCTAssertEqual(spaced.first?.parameters["scope"], "a:b:pull,push")

        let two = AuthChallenge.parse(#"Basic realm="basic \"quoted\" realm", Bearer realm="https://x/t",service="s""#)
        XCTAssertEqual(two.map(\.scheme), ["basic", "bearer"])
        XCTAssertEqual(two.first?.parameters["realm"], #"basic "quoted" realm"#)
        XCTAssertEqual(two.last?.parameters["service"], "s")

        XCTAssertEqual(AuthChallenge.parse("Basic").map(\.scheme), ["basic"])
        XCTAssertEqual(AuthChallenge.parse("").count, 0)
        XCTAssertEqual(AuthChallenge.parse(#"Bearer realm="x"; junk"#).first?.parameters["realm"], "x")
    }

    func testInsecureHostsAndCIDRs() {
        let config = RegistryConfiguration(insecureRegistries: ["myreg:5000", "10.1.0.0/16", "plain.example"])
        for host in ["localhost", "localhost:5000", "127.0.0.1:5000", "127.9.9.9", "[::1]:5000", "myreg:5000",
                     "10.1.200.3:443", "plain.example:8080"] {
            XCTAssertTrue(config.isInsecure(host), host)
        }
        for host in ["myreg", "10.2.0.1", "docker.io", "128.0.0.1", "example.com:5000"] {
            XCTAssertFalse(config.isInsecure(host), host)
        }
    }

    func testMirrorsComeBeforeDockerHub() {
        let config = RegistryConfiguration(mirrors: ["http://127.0.0.1:5001/", "https://mirror.example/prefix"])
        let endpoints = config.endpoints(for: "docker.io")
        XCTAssertEqual(endpoints.map(\.description),
                       ["http://127.0.0.1:5001", "https://mirror.example/prefix", "https://registry-1.docker.io"])
        XCTAssertEqual(endpoints.map(\.isMirror), [true, true, false])
        XCTAssertEqual(endpoints.last?.credentialKey, "docker.io")
        XCTAssertEqual(config.endpoints(for: "localhost:5000").map(\.description), ["localhost:5000"])
        XCTAssertEqual(RegistryConfiguration(mirrors: ["http://m:1"], fallbackToOrigin: false)
            .endpoints(for: "docker.io").map(\.description), ["http://m:1"])
    }

    func testDecodesXRegistryAuth() throws {
        let json = #"{"username":"u","password":"p?>","serveraddress":"localhost:5000"}"#
        let standard = Data(json.utf8).base64EncodedString()
        let url = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let unpadded = url.replacingOccurrences(of: "=", with: "")
        for header in [standard, url, unpadded] {
            let decoded = try XCTUnwrap(try RegistryAuthHeader.decode(header))
            XCTAssertEqual(decoded.credential.username, "u")
            XCTAssertEqual(decoded.credential.password, "p?>")
            XCTAssertEqual(decoded.serverAddress, "localhost:5000")
        }
        let tokens = Data(#"{"identitytoken":"refresh","registrytoken":"bearer"}"#.utf8).base64EncodedString()
        let decoded = try XCTUnwrap(try RegistryAuthHeader.decode(tokens))
        XCTAssertEqual(decoded.credential.identityToken, "refresh")
        XCTAssertEqual(decoded.credential.registryToken, "bearer")
        let auth = Data(#"{"auth":"dXNlcjpwYXNz"}"#.utf8).base64EncodedString()
        XCTAssertEqual(try RegistryAuthHeader.decode(auth)?.credential.password, "pass")
        XCTAssertNil(try RegistryAuthHeader.decode(""))
        XCTAssertNil(try RegistryAuthHeader.decode(Data("{}".utf8).base64EncodedString()))
        XCTAssertThrowsError(try RegistryAuthHeader.decode("!!!"))
    }

    func testDockerConfigAuthsHelpersAndStores() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-dockercfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        // A credential helper as docker-credential-* are: server URL on stdin, JSON on stdout.
        let helper = """
        #!/bin/sh
        read server
        case "$server" in
          helped.example) echo '{"ServerURL":"helped.example","Username":"hu","Secret":"hs"}' ;;
          https://index.docker.io/v1/) echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh-token"}' ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """
        try helper.write(toFile: dir + "/bin/docker-credential-fake", atomically: false, encoding: .utf8)
        chmod(dir + "/bin/docker-credential-fake", 0o755)
        let config = """
        {"auths":{"https://index.docker.io/v1/":{"auth":"\(Data("hub:hubpw".utf8).base64EncodedString())"},
                  "localhost:5000":{"username":"lu","password":"lp"},
                  "http://other.example:8080/v2/":{"auth":"\(Data("o:p:w".utf8).base64EncodedString())"}},
         "credHelpers":{"helped.example":"fake"}}
        """
        try config.write(toFile: dir + "/config.json", atomically: false, encoding: .utf8)
        let source = DockerConfigCredentials(path: dir + "/config.json", helperSearchPath: [dir + "/bin"])
        XCTAssertEqual(try source.credential(for: "docker.io")?.username, "hub")
        XCTAssertEqual(try source.credential(for: "docker.io")?.password, "hubpw")
        XCTAssertEqual(try source.credential(for: "localhost:5000")?.password, "lp")
        XCTAssertEqual(try source.credential(for: "other.example:8080")?.password, "p:w")
        XCTAssertEqual(try source.credential(for: "helped.example")?.username, "hu")
        XCTAssertNil(try source.credential(for: "unknown.example"))

        let store = #"{"credsStore":"fake"}"#
        try store.write(toFile: dir + "/config.json", atomically: false, encoding: .utf8)
        XCTAssertEqual(try source.credential(for: "docker.io")?.identityToken, "refresh-token")
        XCTAssertNil(try source.credential(for: "unknown.example"), "helper's not-found is anonymous")
        let missing = #"{"credsStore":"absent"}"#
        try missing.write(toFile: dir + "/config.json", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try source.credential(for: "docker.io"))
        XCTAssertNil(try DockerConfigCredentials(path: dir + "/nonexistent.json").credential(for: "docker.io"))
    }

    func testRegistryErrorsReadAsDocker() {
        let body = Array(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#.utf8)
        let error = RegistryError.fromResponse(status: 404, body: body, step: "fetch manifest x of r")
        XCTAssertEqual(error.code, .manifestUnknown)
        XCTAssertEqual(error.message, "fetch manifest x of r: manifest unknown: manifest unknown")
        let unauthorized = RegistryError.fromResponse(
            status: 401, body: Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8), step: "s")
        XCTAssertEqual(unauthorized.message, "s: unauthorized: authentication required")
        let plain = RegistryError.fromResponse(status: 401, body: Array("bad creds\n".utf8), step: "s")
        XCTAssertEqual(plain.code, .unauthorized)
        XCTAssertEqual(plain.message, "s: unauthorized: bad creds")
        XCTAssertTrue(RegistryError.fromResponse(status: 503, body: [], step: "s").isRetryable)
    }
}
