import Foundation
import XCTest
import SwdockOCI
import SwdockSnapshot
import SwdockTestSupport

/// `docker save` / `docker load` between swdockd and a private dockerd, both directions.
final class DockerArchiveTests: XCTestCase {
    func testSaveFromSwdockLoadsIntoDockerdAndDockerdsSaveLoadsIntoSwdock() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let catalog = try FixtureCatalog.fromEnvironment()
        let cli = "/usr/local/bin/docker"
        let dataRoot = "/tmp/swdock-archive-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dataRoot) }
        let swdock = try PrivateDaemon(dataRoot: dataRoot)
        addTeardownBlock { swdock.stop() }
        let dockerd = try PrivateDockerd(runtimes: [:])
        addTeardownBlock { dockerd.stop() }
        func sw(_ arguments: String...) throws -> CommandResult {
            let result = try runCommand(cli, ["-H", swdock.host] + arguments, timeout: 300)
            XCTAssertEqual(result.status, 0, "swdock \(arguments): \(result.stdout)\(result.stderr)\n\(swdock.log)")
            return result
        }
        func dk(_ arguments: String...) throws -> CommandResult {
            let result = try dockerd.docker(arguments, timeout: 300)
            XCTAssertEqual(result.status, 0, "dockerd \(arguments): \(result.stdout)\(result.stderr)\n\(dockerd.log)")
            return result
        }
        let scratch = swdock.directory.path

        // swdock → dockerd: the multilayer fixture (whiteouts, opaque dirs, hard links).
        let multilayer = try XCTUnwrap(catalog.fixture("multilayer")?.tag("latest")).images[0]
        let multilayerRef = "\(registry)/swdock-fixtures/multilayer:latest"
        try sw("pull", "-q", multilayerRef)
        try sw("save", "-o", scratch + "/multilayer.tar", multilayerRef)
        XCTAssertEqual(try dk("load", "-i", scratch + "/multilayer.tar").stdout, "Loaded image: \(multilayerRef)\n")
        XCTAssertEqual(try dk("image", "inspect", "-f", "{{.Id}}", multilayerRef).stdout, multilayer.config.digest + "\n")

        // dockerd → swdock: busybox pulled by dockerd, saved by it, loaded into swdock.
        let busybox = try XCTUnwrap(catalog.fixture("busybox")?.tag("latest")).images[0]
        let busyboxRef = "\(registry)/swdock-fixtures/busybox:latest"
        try dk("pull", "-q", busyboxRef)
        try dk("save", "-o", scratch + "/busybox.tar", busyboxRef)
        XCTAssertEqual(try sw("load", "-i", scratch + "/busybox.tar").stdout, "Loaded image: \(busyboxRef)\n")
        XCTAssertEqual(try sw("image", "inspect", "-f", "{{.Id}}", busyboxRef).stdout, busybox.config.digest + "\n")
        // What swdock saves again loads into dockerd under a new name.
        try sw("tag", busyboxRef, "swdock-test/roundtrip:1")
        try sw("save", "-o", scratch + "/roundtrip.tar", "swdock-test/roundtrip:1")
        XCTAssertEqual(try dk("load", "-i", scratch + "/roundtrip.tar").stdout, "Loaded image: swdock-test/roundtrip:1\n")
        swdock.stop()

        // The loaded busybox is unpacked exactly: mount its top layer snapshot and compare.
        let snapshotter = try OverlaySnapshotter(root: dataRoot + "/snapshots/overlayfs")
        let diffIDs = try busybox.layers.map { try Digest(parsing: $0.diffID) }
        let top = try XCTUnwrap(ChainID.compute(diffIDs).last).description
        let mounts = try snapshotter.view("test-view", parent: top)
        defer { try? snapshotter.remove("test-view") }
        let target = dataRoot + "/view"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try mounts[0].perform(at: target)
        defer { try? Mount.unmount(target, detach: true) }
        XCTAssertEqual(TreeManifest.differences(expected: try catalog.tree(busybox.expected), actual: try TreeManifest.scan(root: target),
                                                ignoring: [.xattrPrefix("trusted.overlay.")]), [])
    }
}
