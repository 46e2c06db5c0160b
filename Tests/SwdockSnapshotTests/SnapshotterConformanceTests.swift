import CSwdockSys
import Foundation
import SwdockSnapshot
import SwdockTestSupport
import XCTest

/// The conformance suite on the overlayfs snapshotter.
final class OverlaySnapshotterTests: XCTestCase {
    private var suite: SnapshotterConformance {
        SnapshotterConformance(test: self, make: { try OverlaySnapshotter(root: $0) })
    }

    override func setUpWithError() throws { try TestEnvironment.requireRoot() }

    func testLayersStackAndViewsAreReadOnly() throws { try suite.checkLayersStackAndViewsAreReadOnly() }
    func testStatAndList() throws { try suite.checkStatAndList() }
    func testMisuseIsRefused() throws { try suite.checkMisuseIsRefused() }
    func testRemoveLeavesNothing() throws { try suite.checkRemoveLeavesNothing() }
    func testReopenKeepsStateAndFinishesInterruptedWork() throws { try suite.checkReopenKeepsStateAndFinishesInterruptedWork() }
    func testVolatileSnapshotsAreRecordedAndForgotten() throws { try suite.checkVolatileSnapshotsAreRecordedAndForgotten() }
    func testUsageCountsTheSnapshotsOwnFiles() throws { try suite.checkUsageCountsTheSnapshotsOwnFiles() }
    func test128Layers() throws { try suite.check128Layers() }

    func testMountsAreOverlayValuesAndDeepStacksUseLowerdirAppends() throws {
        let root = try suite.temporaryDirectory("snapshots")
        let snapshotter = try OverlaySnapshotter(root: root)
        let first = try snapshotter.prepare("a")
        XCTAssertEqual(first.map(\.type), ["bind"], "a snapshot without parent is a bind of its directory")
        XCTAssertEqual(try snapshotter.writeTarget("a"), .layerDirectory(first[0].source))
        try snapshotter.commit("l0", key: "a")
        _ = try snapshotter.prepare("b", parent: "l0")
        try snapshotter.commit("l1", key: "b")
        let shallow = try XCTUnwrap(try snapshotter.prepare("c", parent: "l1").first)
        XCTAssertEqual(shallow.type, "overlay")
        let lower = try XCTUnwrap(shallow.options.first { $0.hasPrefix("lowerdir=") })
        XCTAssertEqual(lower.split(separator: ":").count, 2, "one lowerdir option while it fits a page")
        XCTAssertTrue(lower.hasPrefix("lowerdir=\(root)/snapshots/"), "the topmost parent first: \(lower)")
        XCTAssertTrue(shallow.options.contains { $0.hasPrefix("upperdir=") } && shallow.options.contains { $0.hasPrefix("workdir=") })

        var parent = "l1"
        for index in 2..<120 {
            _ = try snapshotter.prepare("u\(index)", parent: parent)
            try snapshotter.commit("l\(index)", key: "u\(index)")
            parent = "l\(index)"
        }
        let deep = try XCTUnwrap(try snapshotter.view("deep", parent: parent).first)
        XCTAssertFalse(deep.options.contains { $0.hasPrefix("lowerdir=") })
        XCTAssertEqual(deep.options.filter { $0.hasPrefix("lowerdir+=") }.count, 120)
        XCTAssertGreaterThan(deep.options.joined(separator: ",").utf8.count, Mount.legacyOptionLimit)
        try suite.withMounted([deep]) { _ in }
    }
}

/// The same conformance suite on the copying (vfs) snapshotter.
final class CopyingSnapshotterTests: XCTestCase {
    private var suite: SnapshotterConformance {
        SnapshotterConformance(test: self, make: { try CopyingSnapshotter(root: $0) })
    }

    override func setUpWithError() throws { try TestEnvironment.requireRoot() }

    func testLayersStackAndViewsAreReadOnly() throws { try suite.checkLayersStackAndViewsAreReadOnly() }
    func testStatAndList() throws { try suite.checkStatAndList() }
    func testMisuseIsRefused() throws { try suite.checkMisuseIsRefused() }
    func testRemoveLeavesNothing() throws { try suite.checkRemoveLeavesNothing() }
    func testReopenKeepsStateAndFinishesInterruptedWork() throws { try suite.checkReopenKeepsStateAndFinishesInterruptedWork() }
    func testVolatileSnapshotsAreRecordedAndForgotten() throws { try suite.checkVolatileSnapshotsAreRecordedAndForgotten() }
    func testUsageCountsTheSnapshotsOwnFiles() throws { try suite.checkUsageCountsTheSnapshotsOwnFiles() }
    func test128Layers() throws { try suite.check128Layers() }

    func testPrepareCopiesEverythingFaithfully() throws {
        let root = try suite.temporaryDirectory("snapshots")
        let snapshotter = try CopyingSnapshotter(root: root)
        _ = try snapshotter.prepare("a")
        guard case .fullTree(let dir) = try snapshotter.writeTarget("a") else { return XCTFail("vfs writes a full tree") }
        try suite.write(dir + "/bin/tool", "elf")
        XCTAssertEqual(chmod(dir + "/bin/tool", 0o4755), 0)
        XCTAssertEqual(chown(dir + "/bin/tool", 1000, 1000), 0)
        XCTAssertEqual(chmod(dir + "/bin/tool", 0o4755), 0)
        XCTAssertEqual(setxattr(dir + "/bin/tool", "user.k", "v", 1, 0), 0)
        XCTAssertEqual(link(dir + "/bin/tool", dir + "/bin/tool-link"), 0)
        XCTAssertEqual(symlink("tool", dir + "/bin/sym"), 0)
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        try snapshotter.commit("l0", key: "a")
        _ = try snapshotter.prepare("b", parent: "l0")
        guard case .fullTree(let copy) = try snapshotter.writeTarget("b") else { return XCTFail("vfs writes a full tree") }
        var tool = stat(), toolLink = stat(), sym = stat(), fifo = stat()
        XCTAssertEqual(lstat(copy + "/bin/tool", &tool), 0)
        XCTAssertEqual(lstat(copy + "/bin/tool-link", &toolLink), 0)
        XCTAssertEqual(lstat(copy + "/bin/sym", &sym), 0)
        XCTAssertEqual(lstat(copy + "/fifo", &fifo), 0)
        XCTAssertEqual(tool.st_mode & 0o7777, 0o4755)
        XCTAssertEqual([tool.st_uid, tool.st_gid], [1000, 1000])
        XCTAssertEqual(tool.st_ino, toolLink.st_ino, "hard-link identity is kept in the copy")
        XCTAssertEqual(sym.st_mode & S_IFMT, S_IFLNK)
        XCTAssertEqual(fifo.st_mode & S_IFMT, S_IFIFO)
        var value = [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(getxattr(copy + "/bin/tool", "user.k", &value, 8), 1)
        XCTAssertEqual(value[0], UInt8(ascii: "v"))
    }
}
