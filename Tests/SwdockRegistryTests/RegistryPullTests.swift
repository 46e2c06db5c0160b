import Foundation
import SwdockContent
import SwdockOCI
import SwdockOS
@testable import SwdockRegistry
import SwdockTestSupport
import XCTest

/// Pulls from the harness's real registries (anonymous, htpasswd Basic, Bearer token).
final class RegistryPullTests: XCTestCase {
    /// Fixtures the harness also seeds into the basic and token registries.
    static let authFixtures: Set<String> = ["busybox", "multiplatform", "multilayer", "compression"]

    func pullEveryTag(registry: String, credentials: any CredentialSource, only: Set<String>? = nil) async throws {
        let (catalog, _) = try Catalog.load()
        var pulled = 0
        for fixture in catalog.fixtures where only?.contains(fixture.name) ?? true {
            for tag in fixture.tags {
                let store = try makeStore()
                let puller = ImagePuller(client: makeClient(credentials: credentials), store: store)
                let result = try await puller.pull(try reference(registry, fixture.repository, tag.tag))
                let image = try XCTUnwrap(tag.images.first { PlatformMatcher.only(.host).matches($0.platform) })
                try assertPulled(result, image, store: store)
                XCTAssertEqual(result.repositoryDigest, tag.digest, "\(fixture.name):\(tag.tag)")
                XCTAssertEqual(result.indexDigest != nil, fixture.kind == "index")
                pulled += 1
            }
        }
        XCTAssertGreaterThanOrEqual(pulled, only == nil ? 12 : 11)
    }

    func testPullsEveryFixtureAnonymously() async throws {
        try await pullEveryTag(registry: try TestEnvironment.require("SWDOCK_TEST_REGISTRY"), credentials: AnonymousCredentials())
    }

    func testPullsWithBasicAuth() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC")
        let credentials = StaticCredentials([registry: RegistryCredential(
            username: try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC_USER"),
            password: try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC_PASSWORD"))])
        try await pullEveryTag(registry: registry, credentials: credentials, only: Self.authFixtures)
    }

    func testPullsWithTokenAuth() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN")
        let credentials = StaticCredentials([registry: RegistryCredential(
            username: try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_USER"),
            password: try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD"))])
        try await pullEveryTag(registry: registry, credentials: credentials, only: Self.authFixtures)
    }

    func testCredentialsFromDockerConfigAndRegistryAuthHeader() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN")
        let user = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_USER")
        let password = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD")
        let (catalog, _) = try Catalog.load()
        let busybox = try catalog.fixture("busybox")
        // ~/.docker/config.json style, with the base64 "auth" field.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-cfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let auth = Data("\(user):\(password)".utf8).base64EncodedString()
        try #"{"auths":{"\#(registry)":{"auth":"\#(auth)"}}}"#.write(toFile: dir + "/config.json", atomically: false, encoding: .utf8)
        let store = try makeStore()
        let fromConfig = ImagePuller(client: makeClient(credentials: DockerConfigCredentials(path: dir + "/config.json")), store: store)
        try assertPulled(try await fromConfig.pull(try reference(registry, busybox.repository, "latest")),
                         busybox.tags[0].images[0], store: store)
        // The Engine API's X-Registry-Auth header (base64url JSON).
        let header = Data(#"{"username":"\#(user)","password":"\#(password)","serveraddress":"\#(registry)"}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let decoded = try XCTUnwrap(try RegistryAuthHeader.decode(header))
        let store2 = try makeStore()
        let fromHeader = ImagePuller(client: makeClient(credentials: StaticCredentials([decoded.serverAddress!: decoded.credential])),
                                     store: store2)
        try assertPulled(try await fromHeader.pull(try reference(registry, busybox.repository, "latest")),
                         busybox.tags[0].images[0], store: store2)
    }

    func testWrongCredentialsAreUnauthorizedAndStoreNothing() async throws {
        let (catalog, _) = try Catalog.load()
        let busybox = try catalog.fixture("busybox")
        let cases: [(String, RegistryCredential?)] = [
            (try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC"),
             RegistryCredential(username: try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC_USER"), password: "wrong")),
            (try TestEnvironment.require("SWDOCK_TEST_REGISTRY_BASIC"), nil),
            (try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN"),
             RegistryCredential(username: try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_USER"), password: "wrong")),
            (try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN"), RegistryCredential(username: "nobody", password: "x")),
        ]
        for (registry, credential) in cases {
            let store = try makeStore()
            let credentials = StaticCredentials(credential.map { [registry: $0] } ?? [:])
            let puller = ImagePuller(client: makeClient(credentials: credentials), store: store)
            do {
                _ = try await puller.pull(try reference(registry, busybox.repository, "latest"))
                XCTFail("\(registry) with \(String(describing: credential?.username)): pull succeeded")
            } catch let error as RegistryError {
                XCTAssertTrue([.unauthorized, .denied].contains(error.code), "\(error.code): \(error)")
                XCTAssertTrue(error.message.contains("unauthorized") || error.message.contains("denied"), error.message)
            }
            XCTAssertEqual(try store.list().count, 0, "nothing stored")
            XCTAssertTrue(try store.check().isClean)
        }
    }

    func testIndexPicksAmd64ByDefaultAndArm64WhenAsked() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let (catalog, _) = try Catalog.load()
        let fixture = try catalog.fixture("multiplatform")
        let tag = fixture.tags[0]
        let amd64 = try XCTUnwrap(tag.images.first { $0.platform.architecture == "amd64" })
        let arm64 = try XCTUnwrap(tag.images.first { $0.platform.architecture == "arm64" })

        let store = try makeStore()
        let puller = ImagePuller(client: makeClient(), store: store)
        #if arch(x86_64)
        let byDefault = try await puller.pull(try reference(registry, fixture.repository, "latest"))
        try assertPulled(byDefault, amd64, store: store)
        XCTAssertEqual(byDefault.config.architecture, "amd64")
        #endif
        let explicit = try await puller.pull(try reference(registry, fixture.repository, "latest"),
                                             options: PullOptions(platform: try Platform(parsing: "linux/amd64")))
        XCTAssertEqual(explicit.manifestDigest, amd64.manifest.digest)
        for spec in ["linux/arm64/v8", "linux/arm64", "linux/aarch64"] {
            let store = try makeStore()
            let puller = ImagePuller(client: makeClient(), store: store)
            let result = try await puller.pull(try reference(registry, fixture.repository, "latest"),
                                               options: PullOptions(platform: try Platform(parsing: spec)))
            try assertPulled(result, arm64, store: store)
            XCTAssertEqual(result.config.architecture, "arm64", spec)
            XCTAssertEqual(result.indexDigest, tag.digest)
            XCTAssertEqual(result.repositoryDigest, tag.digest)
            XCTAssertNotNil(try store.info(tag.digest), "index stored")
        }
        do {
            _ = try await puller.pull(try reference(registry, "swdock-fixtures/busybox", "latest"),
                                      options: PullOptions(platform: try Platform(parsing: "linux/arm64")))
            XCTFail("an amd64-only image matched linux/arm64")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .noMatchingPlatform)
            XCTAssertTrue(error.message.contains("does not match the specified platform: wanted linux/arm64, actual: linux/amd64"),
                          error.message)
        }
        do {
            _ = try await puller.pull(try reference(registry, fixture.repository, "latest"),
                                      options: PullOptions(platform: try Platform(parsing: "linux/s390x")))
            XCTFail("s390x should not match")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .noMatchingPlatform)
            XCTAssertEqual(error.message, "no matching manifest for linux/s390x in the manifest list entries")
        }
    }

    func testPullByDigest() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let (catalog, _) = try Catalog.load()
        let busybox = try catalog.fixture("busybox").tags[0]
        let multi = try catalog.fixture("multiplatform").tags[0]
        let store = try makeStore()
        let puller = ImagePuller(client: makeClient(), store: store)
        let byDigest = try await puller.pull(try reference(registry, "swdock-fixtures/busybox", busybox.digest.description))
        try assertPulled(byDigest, busybox.images[0], store: store)
        XCTAssertNil(byDigest.reference.tag)
        let tagged = try Reference(parsing: "\(registry)/swdock-fixtures/busybox:latest@\(busybox.digest)")
        let taggedResult = try await puller.pull(tagged)
        XCTAssertEqual(taggedResult.manifestDigest, busybox.digest)
        // An index by digest, then its platform manifest by digest.
        let index = try await puller.pull(try reference(registry, "swdock-fixtures/multiplatform", multi.digest.description),
                                          options: PullOptions(platform: try Platform(parsing: "linux/arm64/v8")))
        XCTAssertEqual(index.indexDigest, multi.digest)
        let armManifest = try XCTUnwrap(multi.images.first { $0.platform.architecture == "arm64" }).manifest.digest
        let armResult = try await puller.pull(try reference(registry, "swdock-fixtures/multiplatform", armManifest.description),
                                              options: PullOptions(platform: try Platform(parsing: "linux/arm64/v8")))
        XCTAssertEqual(armResult.manifestDigest, armManifest)
        // A digest the repository does not have.
        let missing = Digest.sha256(of: Array("no such manifest".utf8))
        do {
            _ = try await puller.pull(try reference(registry, "swdock-fixtures/busybox", missing.description))
            XCTFail("unknown digest pulled")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .manifestUnknown, error.message)
            XCTAssertTrue(error.message.contains("not found: manifest unknown"), error.message)
        }
    }

    func testUnknownTagAndRepositoryCarryTheRegistrysMessage() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let puller = ImagePuller(client: makeClient(), store: try makeStore())
        do {
            _ = try await puller.pull(try reference(registry, "swdock-fixtures/busybox", "no-such-tag"))
            XCTFail("unknown tag pulled")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .manifestUnknown)
            XCTAssertEqual(error.message, "manifest for \(registry)/swdock-fixtures/busybox:no-such-tag not found: manifest unknown: manifest unknown")
        }
        do {
            _ = try await puller.pull(try reference(registry, "swdock-fixtures/nothing-here", "latest"))
            XCTFail("unknown repository pulled")
        } catch let error as RegistryError {
            // distribution 2.8 answers a manifest GET in an unknown repository with MANIFEST_UNKNOWN.
            XCTAssertEqual(error.code, .manifestUnknown, error.message)
            XCTAssertEqual(error.message, "manifest for \(registry)/swdock-fixtures/nothing-here:latest not found: manifest unknown: manifest unknown")
        }
    }

    func testMirrorServesDockerHubNames() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let (catalog, _) = try Catalog.load()
        let busybox = try catalog.fixture("busybox")
        let store = try makeStore()
        // fallbackToOrigin: false keeps the test off the internet whatever happens.
        let client = makeClient(RegistryConfiguration(mirrors: ["http://\(registry)"], fallbackToOrigin: false))
        let result = try await ImagePuller(client: client, store: store)
            .pull(try Reference(parsing: "\(busybox.repository):latest"))
        XCTAssertEqual(result.reference.domain, "docker.io")
        XCTAssertTrue(result.endpoint.isMirror)
        try assertPulled(result, busybox.tags[0].images[0], store: store)
    }

    func testLayerConsumerReceivesEveryByteWhileDownloading() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let (catalog, _) = try Catalog.load()
        let fixture = try catalog.fixture("multilayer")
        let consumer = HashingConsumer()
        let store = try makeStore()
        let result = try await ImagePuller(client: makeClient(), store: store)
            .pull(try reference(registry, fixture.repository, "latest"), options: PullOptions(layerConsumer: consumer))
        try assertPulled(result, fixture.tags[0].images[0], store: store)
        let seen = consumer.results()
        XCTAssertEqual(Set(seen.keys), Set(fixture.tags[0].images[0].layers.map(\.digest)))
        for (digest, outcome) in seen {
            XCTAssertEqual(outcome.hashed, digest, "consumer saw the exact bytes of \(digest)")
            XCTAssertTrue(outcome.ended, "endLayer called for \(digest)")
            XCTAssertNil(outcome.error)
        }
        // A second pull: layers are there, no stream, reported as already existing.
        let again = HashingConsumer()
        let events = EventLog()
        _ = try await ImagePuller(client: makeClient(), store: store)
            .pull(try reference(registry, fixture.repository, "latest"), options: PullOptions(layerConsumer: again),
                  events: events.append)
        XCTAssertTrue(again.results().isEmpty)
        XCTAssertEqual(Set(events.alreadyExisting), Set(fixture.tags[0].images[0].layers.map(\.digest)))
    }

    func testConnectionsAreReused() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let client = makeClient(RegistryConfiguration(maxConcurrentDownloads: 1))  // two worker threads
        let info = try await client.hostInfo(RegistryEndpoint(host: registry, credentialKey: registry))
        var opened = 0
        for _ in 0..<10 {
            let response = try await client.perform(HTTPRequest(url: info.baseURL + "/v2/", tls: info.tls), step: "probe")
            XCTAssertEqual(response.status, 200)
            opened += response.newConnections
        }
        XCTAssertLessThanOrEqual(opened, 2, "each worker thread keeps its connection alive")
    }

    func testIdentityTokenAndRegistryTokenCredentials() async throws {
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN")
        let realm = try TestEnvironment.require("SWDOCK_TEST_TOKEN_REALM")
        let service = try TestEnvironment.require("SWDOCK_TEST_TOKEN_SERVICE")
        let user = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_USER")
        let password = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD")
        let (catalog, _) = try Catalog.load()
        let busybox = try catalog.fixture("busybox")
        // What `docker login` keeps for an OAuth registry: a refresh token (identitytoken).
        let login = try runCommand("/usr/bin/curl", ["-sf", "-X", "POST", "--data-urlencode", "grant_type=password",
                                                     "--data-urlencode", "username=\(user)", "--data-urlencode", "password=\(password)",
                                                     "--data-urlencode", "service=\(service)", realm])
        XCTAssertEqual(login.status, 0, login.stderr)
        struct Grant: Decodable { var refresh_token: String?; var token: String? }
        let refresh = try XCTUnwrap(try JSONDecoder().decode(Grant.self, from: Data(login.stdout.utf8)).refresh_token)
        let store = try makeStore()
        let withIdentity = ImagePuller(client: makeClient(credentials: StaticCredentials([registry: RegistryCredential(identityToken: refresh)])),
                                       store: store)
        try assertPulled(try await withIdentity.pull(try reference(registry, busybox.repository, "latest")),
                         busybox.tags[0].images[0], store: store)
        let bogus = ImagePuller(client: makeClient(credentials: StaticCredentials([registry: RegistryCredential(identityToken: "nope")])),
                                store: try makeStore())
        do {
            _ = try await bogus.pull(try reference(registry, busybox.repository, "latest"))
            XCTFail("unknown refresh token accepted")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .unauthorized, error.message)
        }
        // A registry token (registrytoken) is sent as the bearer token as is.
        let scope = "repository:\(busybox.repository):pull"
        let grant = try runCommand("/usr/bin/curl", ["-sf", "-u", "\(user):\(password)", "-G", "--data-urlencode", "service=\(service)",
                                                     "--data-urlencode", "scope=\(scope)", realm])
        XCTAssertEqual(grant.status, 0, grant.stderr)
        let token = try XCTUnwrap(try JSONDecoder().decode(Grant.self, from: Data(grant.stdout.utf8)).token)
        let store2 = try makeStore()
        let withToken = ImagePuller(client: makeClient(credentials: StaticCredentials([registry: RegistryCredential(registryToken: token)])),
                                    store: store2)
        try assertPulled(try await withToken.pull(try reference(registry, busybox.repository, "latest")),
                         busybox.tags[0].images[0], store: store2)
    }
}

/// A layer consumer that reads each layer from a pipe on its own thread and hashes it.
final class HashingConsumer: LayerStreamConsumer, @unchecked Sendable {
    struct Outcome { var hashed: Digest?; var ended = false; var error: RegistryError? }
    private let lock = NSLock()
    private var outcomes: [Digest: Outcome] = [:]
    private var threads: [Digest: Thread] = [:]
    private let finished = DispatchGroup()

    func beginLayer(_ layer: Descriptor, index: Int) throws -> FileDescriptor? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw OSError(call: "pipe", errno: errno) }
        let reader = FileDescriptor(rawValue: fds[0])
        finished.enter()
        let thread = Thread { [self] in
            let bytes = (try? reader.readAll()) ?? []
            reader.close()
            lock.withLock { outcomes[layer.digest, default: Outcome()].hashed = Digest.sha256(of: bytes) }
            finished.leave()
        }
        thread.start()
        return FileDescriptor(rawValue: fds[1])
    }

    func endLayer(_ layer: Descriptor, index: Int, error: RegistryError?) {
        lock.withLock {
            outcomes[layer.digest, default: Outcome()].ended = true
            outcomes[layer.digest, default: Outcome()].error = error
        }
    }

    func results() -> [Digest: Outcome] {
        finished.wait()
        return lock.withLock { outcomes }
    }
}
