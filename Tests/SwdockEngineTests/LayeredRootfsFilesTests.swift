#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import Foundation
@testable import SwdockEngine
import SwdockSnapshot
import SwdockTestSupport
import XCTest

/// The layer reader `create` uses instead of mounting must see what the mounted overlay shows.
final class LayeredRootfsFilesTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = "/tmp/swdock-layered-\(UUID().uuidString.prefix(8))"
        for dir in ["lower1/etc/deep", "lower2/etc/opaque", "lower2/etc/deep", "upper", "work", "merged", "lower1/etc/opaque"] {
            try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
    }

    override func tearDown() {
        umount2(root + "/merged", Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: root)
    }

    private func write(_ path: String, _ text: String) throws {
        try text.write(toFile: root + "/" + path, atomically: false, encoding: .utf8)
    }

    /// lower2 (bottom) ← lower1 ← upper (top), with whiteouts, an opaque dir and a symlink.
    private func makeLayers() throws {
        try write("lower2/etc/passwd", "root:x:0:0:bottom:/root:/bin/sh\n")
        try write("lower2/etc/group", "root:x:0:\n")
        try write("lower2/etc/opaque/hidden", "from lower2\n")
        try write("lower2/etc/deep/kept", "lower2 kept\n")
        try write("lower2/etc/gone", "deleted above\n")
        try write("lower1/etc/passwd", "root:x:0:0:middle:/root:/bin/sh\n")
        try write("lower1/etc/opaque/shown", "from lower1\n")
        XCTAssertEqual(setxattr(root + "/lower1/etc/opaque", "trusted.overlay.opaque", "y", 1, 0), 0)
        XCTAssertEqual(mknod(root + "/lower1/etc/gone", S_IFCHR, 0), 0, "a whiteout (needs root)")
        XCTAssertEqual(symlink("/etc/passwd", root + "/lower1/etc/link"), 0)
    }

    private var overlay: Mount {
        Mount(type: "overlay", source: "overlay",
              options: ["index=off", "lowerdir=\(root)/lower1:\(root)/lower2", "upperdir=\(root)/upper", "workdir=\(root)/work"])
    }

    func testLookupMatchesTheMountedOverlay() throws {
        try TestEnvironment.requireRoot()
        try makeLayers()
        let layered = try XCTUnwrap(LayeredRootfsFiles(mounts: [overlay]))
        try overlay.perform(at: root + "/merged")
        let mounted = RootfsFiles(rootfs: root + "/merged")
        for path in ["/etc/passwd", "/etc/group", "/etc/opaque/hidden", "/etc/opaque/shown", "/etc/deep/kept", "/etc/gone",
                     "/etc/nosuch", "/nosuch/x"] {
            XCTAssertEqual(try layered.contents(of: path), try mounted.contents(of: path), path)
        }
        XCTAssertEqual(try layered.contents(of: "/etc/passwd"), "root:x:0:0:middle:/root:/bin/sh\n", "the top copy wins")
        XCTAssertNil(try layered.contents(of: "/etc/opaque/hidden"), "an opaque dir hides the layers below")
        XCTAssertTrue(layered.servable(["/etc/passwd", "/etc/group"]))
        XCTAssertFalse(layered.servable(["/etc/link"]), "a symlink needs the mounted root")
        XCTAssertThrowsError(try layered.contents(of: "/etc/link"))
        XCTAssertThrowsError(try layered.contents(of: "/etc"), "a directory is not a file, as through the mount")
        XCTAssertThrowsError(try mounted.contents(of: "/etc"))
    }

    func testBindMountsReadTheirSourceAndOtherShapesAreRefused() throws {
        try write("lower2/etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        let bind = try XCTUnwrap(LayeredRootfsFiles(mounts: [Mount(type: "bind", source: root + "/lower2", options: ["rbind", "rw"])]))
        XCTAssertEqual(try bind.contents(of: "/etc/passwd"), "root:x:0:0::/root:/bin/sh\n")
        XCTAssertNil(LayeredRootfsFiles(mounts: []))
        XCTAssertNil(LayeredRootfsFiles(mounts: [Mount(type: "tmpfs", source: "tmpfs")]))
        XCTAssertNil(LayeredRootfsFiles(mounts: [overlay, overlay]))
    }
}
