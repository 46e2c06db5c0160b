import Foundation
import SwdockContent
import SwdockOCI
import SwdockOS
@testable import SwdockRegistry
import SwdockTestSupport
import XCTest

/// Pulls through `FaultProxy` in front of the anonymous test registry.
final class FaultInjectionTests: XCTestCase {
    var catalog: Catalog!
    var fixtureDirectory = ""
    var upstream = ""

    override func setUpWithError() throws {
        upstream = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        (catalog, fixtureDirectory) = try Catalog.load()
    }

    /// A proxy removed after the test; `rule` sees every request.
    func proxy(_ rule: @escaping @Sendable (FaultProxy.Request) -> FaultProxy.Action) throws -> FaultProxy {
        let proxy = try FaultProxy(upstream: upstream, rule: rule)
        addTeardownBlock { proxy.stop() }
        return proxy
    }

    /// Fast retries so fault tests do not wait for production back-off.
    func fastClient(attempts: Int = 5) -> RegistryClient {
        makeClient(RegistryConfiguration(maxAttempts: attempts, retryBaseDelay: .milliseconds(20)))
    }

    var busybox: (repository: String, image: Catalog.Image, layer: Catalog.Layer) {
        let fixture = try! catalog.fixture("busybox")
        return (fixture.repository, fixture.tags[0].images[0], fixture.tags[0].images[0].layers[0])
    }

    static func isBlob(_ request: FaultProxy.Request, _ digest: Digest) -> Bool {
        request.method == "GET" && request.path.hasSuffix("/blobs/\(digest)")
    }

    /// Counts requests matching a predicate, for rules that act on the n-th one.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func next(_ key: String) -> Int { lock.withLock { counts[key, default: 0] += 1; return counts[key]! } }
    }

    func testServerErrorsAreRetried() async throws {
        let (repository, image, layer) = busybox
        let counter = Counter()
        let proxy = try proxy { request in
            // First manifest request and first two blob requests fail.
            if request.path.contains("/manifests/"), counter.next("manifest") == 1 { return .respond(status: 503, body: "{}") }
            if Self.isBlob(request, layer.digest), counter.next("blob") <= 2 { return .respond(status: 500, body: "{}") }
            return .forward
        }
        let store = try makeStore()
        let result = try await ImagePuller(client: fastClient(), store: store).pull(try reference(proxy.address, repository, "latest"))
        try assertPulled(result, image, store: store)
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.count, 3)
    }

    func testPersistentServerErrorGivesUpAndStoresNoLayer() async throws {
        let (repository, _, layer) = busybox
        let proxy = try proxy { Self.isBlob($0, layer.digest) ? .respond(status: 502, body: "bad gateway") : .forward }
        let store = try makeStore()
        do {
            _ = try await ImagePuller(client: fastClient(attempts: 3), store: store).pull(try reference(proxy.address, repository, "latest"))
            XCTFail("pull succeeded through a broken blob endpoint")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .transport, error.message)
            XCTAssertTrue(error.message.contains("gave up after 3 attempts"), error.message)
        }
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.count, 3)
        XCTAssertNil(try store.info(layer.digest))
        XCTAssertTrue(try store.check().isClean)
    }

    func testConnectionResetMidBlobResumesWithRange() async throws {
        let (repository, image, layer) = busybox
        let counter = Counter()
        let proxy = try proxy { request in
            Self.isBlob(request, layer.digest) && counter.next("blob") == 1 ? .resetAfter(400_000) : .forward
        }
        let store = try makeStore()
        let events = EventLog()
        let result = try await ImagePuller(client: fastClient(), store: store)
            .pull(try reference(proxy.address, repository, "latest"), events: events.append)
        try assertPulled(result, image, store: store)
        let blobRequests = proxy.log.filter { Self.isBlob($0, layer.digest) }
        XCTAssertEqual(blobRequests.count, 2)
        XCTAssertNil(blobRequests[0].headers["range"])
        let range = try XCTUnwrap(blobRequests[1].headers["range"], "second request resumes")
        let start = try XCTUnwrap(Int(range.dropFirst("bytes=".count).dropLast()))
        XCTAssertGreaterThan(start, 0)
        XCTAssertLessThanOrEqual(start, 400_000)
        XCTAssertEqual(events.verified, [layer.digest])
        XCTAssertLessThan(result.bytesDownloaded, layer.size + 400_000, "resumed, not downloaded twice")
    }

    func testTruncatedBodyIsCompletedWithRange() async throws {
        let (repository, image, layer) = busybox
        let counter = Counter()
        let proxy = try proxy { request in
            Self.isBlob(request, layer.digest) && counter.next("blob") == 1 ? .truncateAfter(500_000) : .forward
        }
        let store = try makeStore()
        let result = try await ImagePuller(client: fastClient(), store: store).pull(try reference(proxy.address, repository, "latest"))
        try assertPulled(result, image, store: store)
        let blobRequests = proxy.log.filter { Self.isBlob($0, layer.digest) }
        XCTAssertEqual(blobRequests.map { $0.headers["range"] }, [nil, "bytes=500000-"])
        XCTAssertEqual(result.bytesDownloaded, layer.size)
    }

    func testWrongBytesAreRefusedAndNothingIsStored() async throws {
        let (repository, image, layer) = busybox
        let proxy = try proxy { Self.isBlob($0, layer.digest) ? .corrupt(at: 123_456) : .forward }
        let store = try makeStore()
        let consumer = HashingConsumer()
        do {
            _ = try await ImagePuller(client: fastClient(), store: store)
                .pull(try reference(proxy.address, repository, "latest"), options: PullOptions(layerConsumer: consumer))
            XCTFail("corrupted layer accepted")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .digestMismatch, error.message)
            XCTAssertTrue(error.message.contains("verification failed"), error.message)
        }
        XCTAssertNil(try store.info(layer.digest), "bad layer not stored")
        XCTAssertNil(try store.info(image.manifest.digest), "manifest of an incomplete image not stored")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.root + "/content/ingest"), [])
        XCTAssertTrue(try store.check().isClean)
        // The consumer was told.
        XCTAssertEqual(consumer.results()[layer.digest]?.error?.code, .digestMismatch)
        // No retry of a fresh download that failed verification: the bytes were wrong, not short.
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.count, 1)
    }

    func testSlowServerKeepsProgressMovingWithoutTimeout() async throws {
        let (repository, image, layer) = busybox
        // ~1 MB at 256 KiB/s: about 4 s, with progress every 100 ms.
        let proxy = try proxy { Self.isBlob($0, layer.digest) ? .throttle(bytesPerSecond: 256 << 10) : .forward }
        let store = try makeStore()
        let events = EventLog()
        let client = makeClient(RegistryConfiguration(timeouts: TransferTimeouts(lowSpeedBytes: 1024, lowSpeedSeconds: 3)))
        let result = try await ImagePuller(client: client, store: store)
            .pull(try reference(proxy.address, repository, "latest"), events: events.append)
        try assertPulled(result, image, store: store)
        let progress = events.progress(of: layer.digest)
        XCTAssertGreaterThan(progress.count, 10, "progress reported while the slow body arrives")
        XCTAssertEqual(progress, progress.sorted(), "progress never goes back")
        XCTAssertEqual(progress.last, layer.size)
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.count, 1, "no timeout, no retry")
    }

    func testRedirectsAreFollowed() async throws {
        let (repository, image, _) = busybox
        let proxy = try proxy { $0.path.contains("/blobs/") ? .redirect : .forward }
        let store = try makeStore()
        let result = try await ImagePuller(client: fastClient(), store: store).pull(try reference(proxy.address, repository, "latest"))
        try assertPulled(result, image, store: store)
        XCTAssertEqual(proxy.log.filter(\.redirected).count, 2, "config and layer came from the redirect target")
    }

    func testSchema1IsRefusedClearly() async throws {
        let schema1 = #"{"schemaVersion":1,"name":"x","tag":"latest","architecture":"amd64","fsLayers":[],"history":[],"signatures":[]}"#
        let proxy = try proxy {
            $0.path.contains("/manifests/")
                ? .respond(status: 200, body: schema1, contentType: MediaType.dockerSchema1SignedManifest) : .forward
        }
        do {
            _ = try await ImagePuller(client: fastClient(), store: try makeStore())
                .pull(try reference(proxy.address, "swdock-fixtures/busybox", "latest"))
            XCTFail("schema 1 accepted")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .unsupported)
            XCTAssertTrue(error.message.contains("schema 1"), error.message)
        }
    }

    func testManifestNotMatchingDockerContentDigestIsRefused() async throws {
        // The registry answers with another image's manifest under this tag's digest header: the
        // proxy serves a body whose digest differs from the one asked for.
        let other = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef","size":2},"layers":[]}"#
        let (repository, image, _) = busybox
        let proxy = try proxy { $0.path.contains("/manifests/sha256:") ? .respond(status: 200, body: other, contentType: MediaType.ociManifest) : .forward }
        do {
            _ = try await ImagePuller(client: fastClient(), store: try makeStore())
                .pull(try reference(proxy.address, repository, image.manifest.digest.description))
            XCTFail("wrong manifest accepted")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .digestMismatch, error.message)
        }
    }

    func testConcurrentPullsOfOneImageDownloadEachLayerOnce() async throws {
        let (repository, image, layer) = busybox
        let proxy = try proxy { Self.isBlob($0, layer.digest) ? .throttle(bytesPerSecond: 2 << 20) : .forward }
        let store = try makeStore()
        let puller = ImagePuller(client: fastClient(), store: store)
        let ref = try reference(proxy.address, repository, "latest")
        let results = try await withThrowingTaskGroup(of: PullResult.self) { group in
            for _ in 0..<4 { group.addTask { try await puller.pull(ref) } }
            var all: [PullResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        XCTAssertEqual(results.count, 4)
        for result in results { try assertPulled(result, image, store: store) }
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.count, 1)
    }

    func testIngestLeftByAnEarlierRunIsResumed() async throws {
        let (repository, image, layer) = busybox
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: "\(fixtureDirectory)/busybox/oci/blobs/sha256/\(layer.digest.encoded)")))
        XCTAssertEqual(Int64(bytes.count), layer.size)
        let store = try makeStore()
        // What a killed daemon leaves: an ingest with a verified-so-far prefix.
        guard case .writer(let writer) = try store.openWriter(digest: layer.digest, size: layer.size) else { return XCTFail() }
        try writer.write(Array(bytes[..<300_000]))
        writer.close()
        let proxy = try proxy { _ in .forward }
        let consumer = HashingConsumer()
        let result = try await ImagePuller(client: fastClient(), store: store)
            .pull(try reference(proxy.address, repository, "latest"), options: PullOptions(layerConsumer: consumer))
        try assertPulled(result, image, store: store)
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.map { $0.headers["range"] }, ["bytes=300000-"])
        XCTAssertEqual(result.bytesDownloaded, layer.size - 300_000)
        XCTAssertEqual(consumer.results()[layer.digest]?.hashed, layer.digest, "consumer got the prefix too")
    }

    func testDamagedIngestPrefixIsDiscardedAndDownloadedAgain() async throws {
        let (repository, image, layer) = busybox
        let store = try makeStore()
        guard case .writer(let writer) = try store.openWriter(digest: layer.digest, size: layer.size) else { return XCTFail() }
        try writer.write([UInt8](repeating: 0, count: 200_000))  // zeros, as after a crash without fsync
        writer.close()
        let proxy = try proxy { _ in .forward }
        let result = try await ImagePuller(client: fastClient(), store: store).pull(try reference(proxy.address, repository, "latest"))
        try assertPulled(result, image, store: store)
        XCTAssertEqual(proxy.log.filter { Self.isBlob($0, layer.digest) }.map { $0.headers["range"] }, ["bytes=200000-", nil])
    }

    func testRegistryErrorCodesAreCarried() async throws {
        let nameUnknown = #"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]}"#
        let denied = #"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#
        let cases: [(Int, String, RegistryError.Code, String)] = [
            (404, nameUnknown, .nameUnknown, "name unknown: repository name not known to registry"),
            (403, denied, .denied, "denied: requested access to the resource is denied"),
            (429, #"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#, .tooManyRequests, "toomanyrequests: slow down"),
        ]
        for (status, body, code, text) in cases {
            let proxy = try proxy { $0.path.contains("/manifests/") ? .respond(status: status, body: body) : .forward }
            do {
                _ = try await ImagePuller(client: fastClient(attempts: 2), store: try makeStore())
                    .pull(try reference(proxy.address, "swdock-fixtures/busybox", "latest"))
                XCTFail("pull succeeded")
            } catch let error as RegistryError {
                XCTAssertEqual(error.code, code, error.message)
                XCTAssertTrue(error.message.hasSuffix(text), error.message)
                XCTAssertEqual(error.httpStatus, status)
            }
        }
    }

    func testCancelledPullKeepsTheIngestAndTheNextPullResumes() async throws {
        let (repository, image, layer) = busybox
        let counter = Counter()
        // The first blob request is slow so the pull can be cancelled in the middle of it.
        let proxy = try proxy { request in
            Self.isBlob(request, layer.digest) && counter.next("blob") == 1 ? .throttle(bytesPerSecond: 200_000) : .forward
        }
        let store = try makeStore()
        let events = EventLog()
        let ref = try reference(proxy.address, repository, "latest")
        let client = fastClient()
        let pull = Task { try await ImagePuller(client: client, store: store).pull(ref, events: events.append) }
        while (events.progress(of: layer.digest).last ?? 0) < 300_000 { try await Task.sleep(for: .milliseconds(20)) }
        pull.cancel()
        do {
            _ = try await pull.value
            XCTFail("cancelled pull completed")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .cancelled, error.description)
        }
        XCTAssertNil(try store.info(layer.digest))
        let report = try store.check()
        XCTAssertTrue(report.isClean, report.description)
        let ingest = try XCTUnwrap(report.ingests.first { $0.digest == layer.digest }, "interrupted ingest kept")
        XCTAssertGreaterThanOrEqual(ingest.bytes, 300_000)

        let result = try await ImagePuller(client: client, store: store).pull(ref)
        try assertPulled(result, image, store: store)
        let ranges = proxy.log.filter { Self.isBlob($0, layer.digest) }.map { $0.headers["range"] }
        XCTAssertEqual(ranges.count, 2)
        XCTAssertEqual(ranges.last, "bytes=\(ingest.bytes)-")
        XCTAssertEqual(result.bytesDownloaded, layer.size - ingest.bytes)
    }
}
