import Foundation
import SwdockArchive
import SwdockOCI
import SwdockSnapshot
import SwdockTestSupport
import XCTest

/// The unpack path of the pull pipeline on both snapshotters: each layer applied into a
/// prepared snapshot (the layout the snapshotter asks for), committed under its chain ID, and
/// a container-style snapshot mounted on top shows whiteouts and opaque directories applied.
final class SnapshotApplyTests: XCTestCase {
    func testOverlaySnapshotsShowWhiteoutsInTheMergedView() throws {
        try TestEnvironment.requireRoot()
        try checkUnpackAndMount { try OverlaySnapshotter(root: $0) }
    }

    func testCopyingSnapshotsApplyWhiteoutsToTheTree() throws {
        try TestEnvironment.requireRoot()
        try checkUnpackAndMount { try CopyingSnapshotter(root: $0) }
    }

    private func checkUnpackAndMount(_ make: (String) throws -> any Snapshotter) throws {
        let snapshotter = try make(try makeTemporaryDirectory(self, "snapshots"))
        let layers: [[TarEntry]] = [
            [.dir("etc"), .file("etc/passwd", "root:x:0:0"), .file("etc/motd", "hello"),
             .dir("cache"), .file("cache/a", "lower"), .dir("cache/sub"), .file("cache/sub/b", "lower"),
             .file("bin/tool", "v1", mode: 0o4755)],
            [.dir("etc"), .file("etc/.wh.motd"), .dir("cache"), .file("cache/.wh..wh..opq"), .file("cache/c", "upper"),
             .file("bin/tool", "v2", mode: 0o4755)],
        ]
        var diffIDs: [Digest] = []
        var parent: String?
        for (index, entries) in layers.enumerated() {
            let blob = try makeTemporaryDirectory(self, "blob") + "/layer"
            try writeTar(entries, to: blob, compression: index == 0 ? .gzip : .zstd)
            let key = "unpack-\(index)"
            _ = try snapshotter.prepare(key, parent: parent)
            let result: LayerApplyResult
            switch try snapshotter.writeTarget(key) {
            case .layerDirectory(let dir):
                result = try LayerApplier.apply(file: blob, into: dir, options: LayerApplyOptions(target: .overlayLayer))
            case .fullTree(let dir):
                result = try LayerApplier.apply(file: blob, into: dir, options: LayerApplyOptions(target: .mergedTree))
            }
            diffIDs.append(result.diffID)
            let chainID = ChainID.compute(diffIDs).last!.description
            try snapshotter.commit(chainID, key: key)
            parent = chainID
        }
        XCTAssertEqual(parent, Digest.sha256(of: Array("\(diffIDs[0]) \(diffIDs[1])".utf8)).description)

        let target = try makeTemporaryDirectory(self, "rootfs")
        let mounts = try snapshotter.prepare("container", parent: parent)
        for mount in mounts { try mount.perform(at: target) }
        defer { for _ in mounts { try? Mount.unmount(target, detach: true) } }
        XCTAssertEqual(contentsOf(target + "/etc/passwd"), "root:x:0:0")
        XCTAssertNil(lstatOf(target + "/etc/motd"), "a whited-out file is absent from the merged view")
        XCTAssertNil(lstatOf(target + "/cache/a"), "an opaque directory hides the lower content")
        XCTAssertNil(lstatOf(target + "/cache/sub"))
        XCTAssertEqual(contentsOf(target + "/cache/c"), "upper")
        XCTAssertEqual(contentsOf(target + "/bin/tool"), "v2")
        XCTAssertEqual(try XCTUnwrap(lstatOf(target + "/bin/tool")).st_mode & 0o7777, 0o4755)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target + "/cache"), ["c"])
    }
}
