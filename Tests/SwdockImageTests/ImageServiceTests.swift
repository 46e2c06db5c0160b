import Foundation
import XCTest
import SwdockContent
import SwdockEngine
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockRegistry
import SwdockSnapshot
import SwdockTestSupport

/// A private image store (database, content store, snapshotter) in a temp dir, removed after the test.
final class ImageStoreFixture {
    let directory: String
    let database: Database
    let content: ContentStore
    let snapshotter: any Snapshotter
    let service: ImageService

    init(driver: String = "overlayfs", registry: RegistryConfiguration = RegistryConfiguration()) throws {
        directory = "/tmp/swdock-images-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let layout = EngineLayout(dataRoot: directory + "/root", execRoot: directory + "/exec")
        try FileManager.default.createDirectory(atPath: layout.dataRoot, withIntermediateDirectories: true)
        database = try Database(path: layout.database)
        content = try ContentStore(root: layout.dataRoot)
        snapshotter = driver == "vfs" ? try CopyingSnapshotter(root: layout.snapshotsRoot(driver: "vfs"))
                                      : try OverlaySnapshotter(root: layout.snapshotsRoot(driver: "overlayfs"))
        service = ImageService(database: database, content: content, snapshotter: snapshotter, registry: registry, layout: layout)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var blobNames: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: content.root + "/content/blobs/sha256")) ?? ["<unreadable>"]
    }

    var snapshotDirectories: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: snapshotter.root + "/snapshots")) ?? ["<unreadable>"]
    }

    /// Mounts a read-only view of `chainID` (the merged image tree) and scans it.
    func scanTree(chainID: String) throws -> TreeManifest {
        let key = "test-view-\(UUID().uuidString.prefix(8))"
        let mounts = try snapshotter.view(key, parent: chainID)
        defer { try? snapshotter.remove(key) }
        let target = directory + "/" + key
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        defer { rmdir(target) }
        try mounts[0].perform(at: target)
        defer { try? Mount.unmount(target, detach: true) }
        return try TreeManifest.scan(root: target)
    }
}

final class ImageServiceTests: XCTestCase {
    var registry = ""
    var catalog: FixtureCatalog!

    override func setUpWithError() throws {
        try TestEnvironment.requireRoot()
        registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        catalog = try FixtureCatalog.fromEnvironment()
    }

    func makeStore(driver: String = "overlayfs", registry: RegistryConfiguration = RegistryConfiguration()) throws -> ImageStoreFixture {
        let store = try ImageStoreFixture(driver: driver, registry: registry)
        addTeardownBlock { store.remove() }
        return store
    }

    func pull(_ store: ImageStoreFixture, _ repository: String, _ tag: String, platform: Platform? = nil,
              credential: RegistryCredential? = nil, host: String? = nil) async throws -> (PullOutcome, [PullProgress]) {
        let messages = Locked<[PullProgress]>([])
        let outcome = try await store.service.pull("\(host ?? registry)/\(repository):\(tag)", platform: platform,
                                                   credential: credential) { message in messages.withLock { $0.append(message) } }
        return (outcome, messages.withLock { $0 })
    }

    func assertTree(_ store: ImageStoreFixture, _ outcome: PullOutcome, _ image: FixtureCatalog.Image,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(outcome.imageID, image.config.digest, file: file, line: line)
        let local = try store.service.resolveImage(outcome.reference)
        let chain = try XCTUnwrap(local.chainID, file: file, line: line)
        let actual = try store.scanTree(chainID: chain)
        let expected = try catalog.tree(image.expected)
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: actual, ignoring: [.xattrPrefix("trusted.overlay.")]), [],
                       "tree of \(outcome.reference)", file: file, line: line)
    }

    /// Every single-platform fixture pulls and its merged snapshot is exactly the expected tree
    /// (types, modes, owners, sizes, contents, link targets, hard links, xattrs, whiteouts applied).
    func testEveryFixtureImageUnpacksToItsExpectedTree() async throws {
        for driver in ["overlayfs", "vfs"] {
            let store = try makeStore(driver: driver)
            for fixture in catalog.fixtures where fixture.kind == .image && (driver == "overlayfs" || fixture.name != "bench") {
                for tag in fixture.tags {
                    let (outcome, messages) = try await pull(store, fixture.repository, tag.tag)
                    try assertTree(store, outcome, tag.images[0])
                    XCTAssertEqual(messages.last?.status.hasPrefix("Status: "), true)
                }
            }
        }
    }

    func testMultiplatformPicksHostByDefaultAndArm64WithPlatform() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("multiplatform"))
        let tag = try XCTUnwrap(fixture.tag("latest"))
        let amd64 = try XCTUnwrap(tag.images.first { $0.platform.architecture == "amd64" })
        let arm64 = try XCTUnwrap(tag.images.first { $0.platform.architecture == "arm64" })
        let store = try makeStore()
        let (defaultOutcome, _) = try await pull(store, fixture.repository, "latest")
        try assertTree(store, defaultOutcome, amd64)
        XCTAssertEqual(defaultOutcome.digest, tag.digest, "the repository digest of an index is the index's")

        let other = try makeStore()
        let (armOutcome, _) = try await pull(other, fixture.repository, "latest", platform: try Platform(parsing: "linux/arm64/v8"))
        try assertTree(other, armOutcome, arm64)
    }

    func testPullByDigestRecordsTheDigestReference() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("busybox"))
        let tag = try XCTUnwrap(fixture.tag("latest"))
        let store = try makeStore()
        let outcome = try await store.service.pull("\(registry)/\(fixture.repository)@\(tag.digest)")
        try assertTree(store, outcome, tag.images[0])
        let image = try store.service.resolveImage("\(registry)/\(fixture.repository)@\(tag.digest)")
        XCTAssertEqual(image.repoTags, [])
        XCTAssertEqual(image.repoDigests, ["\(registry)/\(fixture.repository)@\(tag.digest)"])
    }

    func testProgressMessagesFollowDockerd() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("multilayer"))
        let tag = try XCTUnwrap(fixture.tag("latest"))
        let store = try makeStore()
        let (_, messages) = try await pull(store, fixture.repository, "latest")
        XCTAssertEqual(messages.first, PullProgress(status: "Pulling from \(fixture.repository)", id: "latest"))
        for layer in tag.images[0].layers {
            let short = String(layer.digest.dropFirst(7).prefix(12))
            let statuses = messages.filter { $0.id == short }.map(\.status)
            XCTAssertEqual(statuses.first, "Pulling fs layer", short)
            XCTAssertEqual(statuses.last, "Pull complete", short)
            XCTAssertTrue(statuses.contains("Download complete"), "\(short): \(statuses)")
            XCTAssertTrue(statuses.contains("Extracting"), "\(short): \(statuses)")
        }
        XCTAssertEqual(messages.suffix(2).map(\.status),
                       ["Digest: \(tag.digest)", "Status: Downloaded newer image for \(registry)/\(fixture.repository):latest"])

        let (again, second) = try await pull(store, fixture.repository, "latest")
        XCTAssertFalse(again.downloadedNewer)
        XCTAssertEqual(second.map(\.status), ["Pulling from \(fixture.repository)", "Digest: \(tag.digest)",
                                              "Status: Image is up to date for \(registry)/\(fixture.repository):latest"])
    }

    /// A tag that points elsewhere locally is moved by a pull of it (and the old image keeps
    /// its other references).
    func testPullRepointsAMovedTag() async throws {
        let store = try makeStore()
        let (busybox, _) = try await pull(store, "swdock-fixtures/busybox", "latest")
        let moved = "\(registry)/swdock-fixtures/multilayer"
        try store.service.tag(busybox.imageID, repository: moved, tag: "latest")
        XCTAssertEqual(try store.service.resolveImage(moved).id, busybox.imageID)
        let (multilayer, messages) = try await pull(store, "swdock-fixtures/multilayer", "latest")
        XCTAssertEqual(messages.last?.status, "Status: Downloaded newer image for \(moved):latest")
        XCTAssertEqual(try store.service.resolveImage(moved).id, multilayer.imageID)
        XCTAssertEqual(try store.service.resolveImage(busybox.imageID).repoTags, ["\(registry)/swdock-fixtures/busybox:latest"])
    }

    func testBasicAndTokenAuthAndWrongCredentialsStoreNothing() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("busybox"))
        let image = try XCTUnwrap(fixture.tag("latest")).images[0]
        for (hostVariable, userVariable, passwordVariable) in [
            ("SWDOCK_TEST_REGISTRY_BASIC", "SWDOCK_TEST_REGISTRY_BASIC_USER", "SWDOCK_TEST_REGISTRY_BASIC_PASSWORD"),
            ("SWDOCK_TEST_REGISTRY_TOKEN", "SWDOCK_TEST_REGISTRY_TOKEN_USER", "SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD"),
        ] {
            let host = try TestEnvironment.require(hostVariable)
            let user = try TestEnvironment.require(userVariable)
            let password = try TestEnvironment.require(passwordVariable)

            let refused = try makeStore()
            do {
                _ = try await pull(refused, fixture.repository, "latest",
                                   credential: RegistryCredential(username: user, password: password + "-wrong"), host: host)
                XCTFail("\(hostVariable): a wrong password pulled")
            } catch let error as EngineError {
                XCTAssertTrue(error.message.lowercased().contains("unauthorized"), "\(hostVariable): \(error)")
            }
            XCTAssertEqual(refused.blobNames, [], hostVariable)
            XCTAssertEqual(refused.snapshotDirectories, [], hostVariable)
            XCTAssertEqual(try refused.service.list().count, 0)

            let store = try makeStore()
            let (outcome, _) = try await pull(store, fixture.repository, "latest",
                                              credential: RegistryCredential(username: user, password: password), host: host)
            try assertTree(store, outcome, image)
        }
    }

    func testResolveByNameDigestIDAndPrefix() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("busybox"))
        let tag = try XCTUnwrap(fixture.tag("latest"))
        let store = try makeStore()
        let (outcome, _) = try await pull(store, fixture.repository, "latest")
        let id = outcome.imageID
        let hex = String(id.dropFirst(7))
        for name in ["\(registry)/\(fixture.repository)", "\(registry)/\(fixture.repository):latest",
                     "\(registry)/\(fixture.repository)@\(tag.digest)", id, hex, String(hex.prefix(12)), "sha256:" + hex.prefix(5)] {
            XCTAssertEqual(try store.service.resolveImage(name).id, id, name)
        }
        XCTAssertThrowsError(try store.service.resolveImage("busybox")) { error in
            XCTAssertEqual((error as? EngineError)?.message, "No such image: busybox:latest")
            XCTAssertEqual((error as? EngineError)?.code, .notFound)
        }
        try store.service.tag(id, repository: "busybox", tag: nil)
        XCTAssertEqual(try store.service.resolveImage("busybox").id, id)
        XCTAssertEqual(try store.service.inspect("docker.io/library/busybox:latest").repoTags.sorted(),
                       ["\(registry)/\(fixture.repository):latest", "busybox:latest"].sorted())
    }

    func testSharedLayersSurviveRemovalOfOneImageAndEverythingGoesAtTheEnd() async throws {
        // busybox's only layer is the bottom layer of the multiplatform images.
        let busyboxFixture = try XCTUnwrap(catalog.fixture("busybox"))
        let platformFixture = try XCTUnwrap(catalog.fixture("multiplatform"))
        let platformImage = try XCTUnwrap(platformFixture.tag("latest")?.images.first { $0.platform.architecture == "amd64" })
        let busyboxImage = try XCTUnwrap(busyboxFixture.tag("latest")).images[0]
        XCTAssertEqual(busyboxImage.layers[0].diffID, platformImage.layers[0].diffID)
        let store = try makeStore()
        let (busybox, _) = try await pull(store, busyboxFixture.repository, "latest")
        let (platform, platformMessages) = try await pull(store, platformFixture.repository, "latest")
        let shared = String(platformImage.layers[0].digest.dropFirst(7).prefix(12))
        if busyboxImage.layers[0].digest == platformImage.layers[0].digest {
            XCTAssertEqual(platformMessages.filter { $0.id == shared }.map(\.status), ["Already exists"])
        }
        let usage = try store.service.diskUsage()
        XCTAssertEqual(usage.images.count, 2)
        let sharedSizes = usage.images.map(\.sharedSize)
        XCTAssertTrue(sharedSizes.allSatisfy { $0 > 0 && $0 == sharedSizes[0] }, "the busybox layer is shared: \(sharedSizes)")
        XCTAssertLessThan(usage.layersSize, usage.images.reduce(0) { $0 + $1.image.size }, "shared layers counted once")
        let removed = try await store.service.remove("\(registry)/\(busyboxFixture.repository):latest", force: false, noprune: false)
        XCTAssertEqual(removed.prefix(2), [.untagged("\(registry)/\(busyboxFixture.repository):latest"),
                                           .untagged("\(registry)/\(busyboxFixture.repository)@\(try XCTUnwrap(busyboxFixture.tag("latest")).digest)")])
        XCTAssertEqual(removed.dropFirst(2).first, .deleted(busybox.imageID))
        XCTAssertEqual(removed.count, 3, "the shared layer snapshot stays: \(removed)")
        try assertTree(store, platform, platformImage)
        XCTAssertTrue(store.blobNames.contains(String(platformImage.layers[0].digest.dropFirst(7))))
        XCTAssertFalse(store.blobNames.contains(String(busyboxImage.config.digest.dropFirst(7))))

        let last = try await store.service.remove(platform.imageID, force: false, noprune: false)
        XCTAssertEqual(last.filter { if case .deleted = $0 { return true } else { return false } }.count, 3, "\(last)")
        XCTAssertEqual(store.blobNames, [])
        XCTAssertEqual(store.snapshotDirectories, [])
        XCTAssertEqual(try store.snapshotter.list().map(\.name), [])
        XCTAssertEqual(try store.service.list().count, 0)
    }

    func testContainerReferencedImageNeedsForce() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("busybox"))
        let store = try makeStore()
        let (outcome, _) = try await pull(store, fixture.repository, "latest")
        let chain = try XCTUnwrap(try store.service.resolveImage(outcome.imageID).chainID)
        let containerID = String(repeating: "ab", count: 32)
        try store.database.write { c in
            try c.insertContainer(ContainerRecord(id: containerID, name: "/c1", image: outcome.imageID, createdNanoseconds: 1,
                                                  state: #"{"Status":"exited"}"#, config: "{}"))
        }
        // The container's rootfs snapshot sits on the image's top layer.
        _ = try store.snapshotter.prepare(containerID, parent: chain)
        let name = "\(registry)/\(fixture.repository):latest"
        do {
            _ = try await store.service.remove(name, force: false, noprune: false)
            XCTFail("removed an image a container uses")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .conflict)
            XCTAssertEqual(error.message, "conflict: unable to remove repository reference \"\(name)\" (must force) - container \(containerID.prefix(12)) is using its referenced image \(outcome.imageID.dropFirst(7).prefix(12))")
        }
        do {
            _ = try await store.service.remove(outcome.imageID, force: false, noprune: false)
            XCTFail("removed an image a container uses")
        } catch let error as EngineError {
            XCTAssertEqual(error.message, "conflict: unable to delete \(outcome.imageID.dropFirst(7).prefix(12)) (must be forced) - image is being used by stopped container \(containerID.prefix(12))")
        }
        XCTAssertNoThrow(try store.service.resolveImage(outcome.imageID))
        let removed = try await store.service.remove(name, force: true, noprune: false)
        XCTAssertTrue(removed.contains(.deleted(outcome.imageID)))
        // The image is gone, the container's layers are not.
        XCTAssertNotNil(try? store.snapshotter.stat(chain))
        XCTAssertNotNil(try? store.snapshotter.stat(containerID))
        try store.snapshotter.remove(containerID)
        try await store.service.collectGarbage()
        XCTAssertEqual(store.snapshotDirectories, [])
    }

    /// Two pulls of images sharing layers, at the same time into one store: each layer is
    /// downloaded once, committed once, and both trees are whole.
    func testConcurrentPullsOfSharedLayersAreSafe() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("multilayer"))
        let image = try XCTUnwrap(fixture.tag("latest")).images[0]
        let platformFixture = try XCTUnwrap(catalog.fixture("multiplatform"))
        let platformImage = try XCTUnwrap(platformFixture.tag("latest")?.images.first { $0.platform.architecture == "amd64" })
        let busyboxImage = try XCTUnwrap(catalog.fixture("busybox")?.tag("latest")).images[0]
        for _ in 0..<3 {
            let store = try makeStore()
            let service = store.service, host = registry
            async let a = service.pull("\(host)/\(fixture.repository):latest")
            async let b = service.pull("\(host)/\(fixture.repository):latest")
            async let c = service.pull("\(host)/\(platformFixture.repository):latest")
            async let d = service.pull("\(host)/swdock-fixtures/busybox:latest")
            let outcomes = try await [a, b, c, d]
            try assertTree(store, outcomes[0], image)
            try assertTree(store, outcomes[1], image)
            try assertTree(store, outcomes[2], platformImage)
            try assertTree(store, outcomes[3], busyboxImage)
            let snapshots = try store.snapshotter.list()
            XCTAssertEqual(snapshots.filter { $0.kind != .committed }.map(\.name), [], "no unpack snapshot left")
            XCTAssertEqual(snapshots.count, 4 + 2, "multilayer's 4 layers, busybox's shared one and the platform layer")
            XCTAssertTrue(try store.content.check().isClean)
        }
    }

    func testGarbageCollectionRemovesLeftoversOfAnInterruptedPull() async throws {
        let store = try makeStore()
        // What a kill -9 mid-pull leaves: a verified blob no image names, a half-unpacked layer.
        let stray = try store.content.write(Array("stray layer".utf8))
        _ = try store.snapshotter.prepare("unpack-interrupted", parent: nil)
        let report = try await store.service.collectGarbage()
        XCTAssertEqual(report.blobs, [stray.description])
        XCTAssertEqual(store.blobNames, [])
        XCTAssertEqual(try store.snapshotter.list().map(\.name), [])
    }

    func testListFiltersAndPrune() async throws {
        let fixture = try XCTUnwrap(catalog.fixture("busybox"))
        let store = try makeStore()
        let (busybox, _) = try await pull(store, fixture.repository, "latest")
        let (multi, _) = try await pull(store, "swdock-fixtures/multilayer", "latest")
        XCTAssertEqual(Set(try store.service.list().map(\.id)), [busybox.imageID, multi.imageID])
        var filters = ImageListFilters()
        filters.references = ["*/swdock-fixtures/busybox"]
        XCTAssertEqual(try store.service.list(filters: filters).map(\.id), [busybox.imageID])
        filters = ImageListFilters(dangling: true)
        XCTAssertEqual(try store.service.list(filters: filters).map(\.id), [])
        // Untag the multilayer image's tag but keep a digest reference: not dangling by tags.
        _ = try await store.service.remove("\(registry)/swdock-fixtures/multilayer:latest", force: false, noprune: false)
        XCTAssertEqual(try store.service.list().map(\.id), [busybox.imageID])
        let history = try store.service.history(busybox.imageID)
        XCTAssertEqual(history.first?.id, busybox.imageID)
        let pruned = try await store.service.prune(all: true)
        XCTAssertTrue(pruned.items.contains(.deleted(busybox.imageID)))
        XCTAssertEqual(store.blobNames, [])
    }
}
