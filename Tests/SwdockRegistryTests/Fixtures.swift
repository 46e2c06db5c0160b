import Foundation
import SwdockContent
import SwdockOCI
@testable import SwdockRegistry
import SwdockTestSupport
import XCTest

/// The fixture catalog the harness builds (`$SWDOCK_FIXTURES/catalog.json`).
struct Catalog: Decodable {
    struct Fixture: Decodable {
        let name: String
        let repository: String
        let kind: String
        let tags: [Tag]
    }
    struct Tag: Decodable {
        let tag: String
        let digest: Digest
        let mediaType: String
        let images: [Image]
    }
    struct Image: Decodable {
        let manifest: Descriptor
        let platform: Platform
        let config: Descriptor
        let layers: [Layer]
    }
    struct Layer: Decodable {
        let digest: Digest
        let mediaType: String
        let size: Int64
    }
    let fixtures: [Fixture]

    static func load() throws -> (Catalog, String) {
        let dir = try TestEnvironment.require("SWDOCK_FIXTURES")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/catalog.json"))
        return (try JSONDecoder().decode(Catalog.self, from: data), dir)
    }

    func fixture(_ name: String) throws -> Fixture {
        try XCTUnwrap(fixtures.first { $0.name == name }, "fixture \(name) missing from the catalog")
    }
}

extension XCTestCase {
    /// A fresh content store in a temp dir, removed after the test.
    func makeStore() throws -> ContentStore {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-pull-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        return try ContentStore(root: root)
    }

    /// A client whose certs.d is an empty temp dir (the host's /etc/swdock/certs.d is not read).
    func makeClient(_ configuration: RegistryConfiguration = RegistryConfiguration(),
                    credentials: any CredentialSource = AnonymousCredentials()) -> RegistryClient {
        var configuration = configuration
        if configuration.certsDirectory == "/etc/swdock/certs.d" {
            configuration.certsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-no-certs").path
        }
        return RegistryClient(configuration: configuration, credentials: credentials)
    }

    func reference(_ registry: String, _ repository: String, _ tagOrDigest: String) throws -> Reference {
        let separator = tagOrDigest.hasPrefix("sha256:") ? "@" : ":"
        return try Reference(parsing: "\(registry)/\(repository)\(separator)\(tagOrDigest)")
    }

    /// The pulled image is the catalog's, every blob is stored with its size, and the store is clean.
    func assertPulled(_ result: PullResult, _ image: Catalog.Image, store: ContentStore,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.manifestDigest, image.manifest.digest, file: file, line: line)
        XCTAssertEqual(result.configDigest, image.config.digest, file: file, line: line)
        XCTAssertEqual(result.layers.map(\.digest), image.layers.map(\.digest), file: file, line: line)
        for layer in image.layers {
            XCTAssertEqual(try store.info(layer.digest)?.size, layer.size, "layer \(layer.digest)", file: file, line: line)
        }
        XCTAssertNotNil(try store.info(image.config.digest), file: file, line: line)
        XCTAssertNotNil(try store.info(image.manifest.digest), file: file, line: line)
        let report = try store.check()
        XCTAssertTrue(report.isClean, report.description, file: file, line: line)
    }
}

/// Collects pull events from download threads.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [PullEvent] = []
    func append(_ event: PullEvent) { lock.withLock { events.append(event) } }
    var all: [PullEvent] { lock.withLock { events } }

    func progress(of digest: Digest) -> [Int64] {
        all.compactMap { if case .layerProgress(let d, let current, _) = $0, d.digest == digest { return current } else { return nil } }
    }
    var verified: [Digest] { all.compactMap { if case .layerVerified(let d) = $0 { return d.digest } else { return nil } } }
    var alreadyExisting: [Digest] { all.compactMap { if case .layerAlreadyExists(let d) = $0 { return d.digest } else { return nil } } }
}
