import Foundation
import SwdockOS
import SwdockSnapshot
import SwdockTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The checks every snapshotter passes, as containerd's snapshots/testsuite: real mounts in
/// temporary directories, unmounted and removed even when a check fails.
///
/// Each check is a method here; each snapshotter's XCTestCase calls every one of them from
/// its own test methods (XCTest on Linux does not run inherited test methods).
struct SnapshotterConformance {
    let test: XCTestCase
    let make: (String) throws -> any Snapshotter

    // MARK: - harness

    func temporaryDirectory(_ label: String) throws -> String {
        var template = Array("/tmp/swdock-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ConformanceFailure("mkdtemp failed") }
        let path = String(cString: made)
        test.addTeardownBlock {
            // Anything still mounted below (a failed check) goes first, then the files.
            _ = try? runCommand("/bin/sh", ["-c", "grep -o \" \(path)[^ ]*\" /proc/self/mounts | sort -r | xargs -r -n1 umount -l"])
            _ = try? runCommand("/bin/rm", ["-rf", "--one-file-system", path])
        }
        return path
    }

    func newSnapshotter() throws -> (snapshotter: any Snapshotter, root: String) {
        let root = try temporaryDirectory("snapshots")
        return (try make(root), root)
    }

    /// Mounts `mounts` on a fresh directory, runs `body` with it, and unmounts whatever happens.
    func withMounted(_ mounts: [Mount], _ body: (String) throws -> Void) throws {
        let target = try temporaryDirectory("mnt")
        var performed = 0
        defer {
            for _ in 0..<performed {
                do { try Mount.unmount(target) } catch { try? Mount.unmount(target, detach: true) }
            }
        }
        for mount in mounts {
            try mount.perform(at: target)
            performed += 1
        }
        try body(target)
    }

    func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    func expect(_ code: SnapshotError.Code, file: StaticString = #filePath, line: UInt = #line,
                _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? SnapshotError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    // MARK: - checks

    /// prepare → write → commit → prepare on top → change → commit → view: the view shows
    /// the top layer over the bottom one, deletions included, and is read-only.
    func checkLayersStackAndViewsAreReadOnly() throws {
        let (snapshotter, _) = try newSnapshotter()
        try withMounted(try snapshotter.prepare("bottom-active")) { dir in
            try write(dir + "/kept", "bottom")
            try write(dir + "/changed", "bottom")
            try write(dir + "/deleted", "bottom")
            try write(dir + "/dir/old", "bottom")
        }
        try snapshotter.commit("bottom", key: "bottom-active")
        try withMounted(try snapshotter.prepare("top-active", parent: "bottom")) { dir in
            XCTAssertEqual(read(dir + "/kept"), "bottom", "the parent's content is visible")
            try write(dir + "/changed", "top")
            try FileManager.default.removeItem(atPath: dir + "/deleted")
            try FileManager.default.removeItem(atPath: dir + "/dir")
            try write(dir + "/dir/new", "top")
        }
        try snapshotter.commit("top", key: "top-active")
        try withMounted(try snapshotter.view("look", parent: "top")) { dir in
            XCTAssertEqual(read(dir + "/kept"), "bottom")
            XCTAssertEqual(read(dir + "/changed"), "top")
            XCTAssertFalse(exists(dir + "/deleted"), "a deletion in the top layer hides the bottom file")
            XCTAssertFalse(exists(dir + "/dir/old"), "a replaced directory hides the bottom content")
            XCTAssertEqual(read(dir + "/dir/new"), "top")
            XCTAssertFalse(FileManager.default.createFile(atPath: dir + "/nope", contents: Data()), "a view is read-only")
        }
        // A second container on the same committed stack sees the same tree, independently.
        try withMounted(try snapshotter.prepare("container-a", parent: "top")) { a in
            try withMounted(try snapshotter.prepare("container-b", parent: "top")) { b in
                try write(a + "/only-a", "a")
                XCTAssertFalse(exists(b + "/only-a"), "active snapshots are independent")
                XCTAssertEqual(read(b + "/changed"), "top")
            }
        }
        // The committed layers did not change under the containers.
        try withMounted(try snapshotter.view("look-again", parent: "top")) { dir in
            XCTAssertFalse(exists(dir + "/only-a"))
        }
    }

    func checkStatAndList() throws {
        let (snapshotter, _) = try newSnapshotter()
        _ = try snapshotter.prepare("a", parent: nil, labels: ["role": "layer"])
        try snapshotter.commit("sha256:chain-a", key: "a", labels: ["extra": "1"])
        _ = try snapshotter.prepare("container", parent: "sha256:chain-a")
        _ = try snapshotter.view("view", parent: "sha256:chain-a")

        let committed = try snapshotter.stat("sha256:chain-a")
        XCTAssertEqual(committed.kind, .committed)
        XCTAssertNil(committed.parent)
        XCTAssertEqual(committed.labels, ["role": "layer", "extra": "1"])
        let active = try snapshotter.stat("container")
        XCTAssertEqual(active.kind, .active)
        XCTAssertEqual(active.parent, "sha256:chain-a")
        XCTAssertEqual(try snapshotter.stat("view").kind, .view)
        XCTAssertEqual(try snapshotter.list().map(\.name), ["container", "sha256:chain-a", "view"])
        expect(.notFound) { _ = try snapshotter.stat("a") }
    }

    func checkMisuseIsRefused() throws {
        let (snapshotter, _) = try newSnapshotter()
        _ = try snapshotter.prepare("a")
        expect(.alreadyExists) { _ = try snapshotter.prepare("a") }
        expect(.notFound) { _ = try snapshotter.prepare("b", parent: "missing") }
        expect(.failedPrecondition) { _ = try snapshotter.prepare("b", parent: "a") }
        try snapshotter.commit("layer", key: "a")
        expect(.notFound) { try snapshotter.commit("again", key: "a") }
        expect(.failedPrecondition) { _ = try snapshotter.mounts("layer") }
        expect(.failedPrecondition) { _ = try snapshotter.writeTarget("layer") }
        _ = try snapshotter.view("v", parent: "layer")
        expect(.failedPrecondition) { try snapshotter.commit("from-view", key: "v") }
        _ = try snapshotter.prepare("c", parent: "layer")
        expect(.alreadyExists) { try snapshotter.commit("layer", key: "c") }
        expect(.failedPrecondition) { try snapshotter.remove("layer") }
        expect(.notFound) { try snapshotter.remove("missing") }
        expect(.invalidArgument) { _ = try snapshotter.prepare("") }
        XCTAssertEqual(try snapshotter.mounts("c"), try snapshotter.mounts("c"), "mounts are stable values")
    }

    func checkRemoveLeavesNothing() throws {
        let (snapshotter, root) = try newSnapshotter()
        _ = try snapshotter.prepare("a")
        try write(try directory(of: snapshotter.writeTarget("a")) + "/file", "x")
        try snapshotter.commit("layer-a", key: "a")
        _ = try snapshotter.prepare("b", parent: "layer-a")
        try snapshotter.commit("layer-b", key: "b")
        _ = try snapshotter.prepare("container", parent: "layer-b")
        _ = try snapshotter.view("view", parent: "layer-a")
        for key in ["container", "view", "layer-b", "layer-a"] { try snapshotter.remove(key) }
        XCTAssertEqual(try snapshotter.list(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/snapshots"), [],
                       "every snapshot directory is gone")
    }

    /// State survives a restart, and what an interrupted operation left behind is removed.
    func checkReopenKeepsStateAndFinishesInterruptedWork() throws {
        let (snapshotter, root) = try newSnapshotter()
        _ = try snapshotter.prepare("a", parent: nil, labels: ["k": "v"])
        try write(try directory(of: snapshotter.writeTarget("a")) + "/file", "kept")
        try snapshotter.commit("layer", key: "a")
        _ = try snapshotter.prepare("container", parent: "layer")
        let before = try snapshotter.list()
        // A crash between making a directory and recording it leaves an unnamed directory.
        try write(root + "/snapshots/9999/fs/orphan", "x")
        let reopened = try make(root)
        XCTAssertEqual(try reopened.list(), before)
        XCTAssertFalse(exists(root + "/snapshots/9999"), "leftovers are removed at open")
        try withMounted(try reopened.mounts("container")) { dir in
            XCTAssertEqual(read(dir + "/file"), "kept")
        }
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/metadata.json")))
        XCTAssertEqual((metadata as? [String: Any])?["version"] as? Int, 1, "the metadata format is versioned")
        XCTAssertFalse(exists(root + "/metadata.json.tmp"))
    }

    /// A snapshot labelled volatile (its metadata writes skip the fsyncs) is recorded and
    /// forgotten in the metadata file exactly like any other.
    func checkVolatileSnapshotsAreRecordedAndForgotten() throws {
        let (snapshotter, root) = try newSnapshotter()
        _ = try snapshotter.prepare("layer-a")
        try snapshotter.commit("layer", key: "layer-a")
        _ = try snapshotter.prepare("rm-container", parent: "layer", labels: [SnapshotLabel.volatile: "true"])
        let reopened = try make(root)
        XCTAssertEqual(try reopened.stat("rm-container").labels, [SnapshotLabel.volatile: "true"])
        XCTAssertEqual(try reopened.stat("rm-container").parent, "layer")
        try reopened.remove("rm-container")
        XCTAssertEqual(try make(root).list().map(\.name), ["layer"])
        XCTAssertFalse(exists(root + "/metadata.json.tmp"))
    }

    func checkUsageCountsTheSnapshotsOwnFiles() throws {
        let (snapshotter, _) = try newSnapshotter()
        _ = try snapshotter.prepare("a")
        let dir = try directory(of: snapshotter.writeTarget("a"))
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: dir + "/mebibyte"))
        XCTAssertEqual(link(dir + "/mebibyte", dir + "/hardlink"), 0)
        let usage = try snapshotter.usage("a")
        XCTAssertGreaterThanOrEqual(usage.size, 1 << 20)
        XCTAssertLessThan(usage.size, 2 << 20, "a hard link is counted once")
        XCTAssertEqual(usage.inodes, 2, "the directory and the file")
    }

    /// 128 committed layers, an active snapshot on top, mounted: files from the bottom and
    /// the top layers are visible and every layer's file is there.
    func check128Layers() throws {
        let (snapshotter, _) = try newSnapshotter()
        var parent: String?
        for index in 0..<128 {
            _ = try snapshotter.prepare("unpack-\(index)", parent: parent)
            let dir = try directory(of: snapshotter.writeTarget("unpack-\(index)"))
            try write(dir + "/layer-\(index)", "\(index)")
            try write(dir + "/top", "\(index)")
            try snapshotter.commit("layer-\(index)", key: "unpack-\(index)")
            parent = "layer-\(index)"
        }
        let mounts = try snapshotter.prepare("container", parent: parent)
        try withMounted(mounts) { dir in
            XCTAssertEqual(read(dir + "/layer-0"), "0", "the bottom layer is visible")
            XCTAssertEqual(read(dir + "/layer-127"), "127", "the top layer is visible")
            XCTAssertEqual(read(dir + "/top"), "127", "the top layer wins")
            let names = try FileManager.default.contentsOfDirectory(atPath: dir)
            XCTAssertEqual(names.count, 129)
            try write(dir + "/written-by-container", "x")
        }
        XCTAssertEqual(try snapshotter.stat("container").parent, "layer-127")
    }

    func directory(of target: SnapshotWriteTarget) -> String {
        switch target {
        case .layerDirectory(let path), .fullTree(let path): return path
        }
    }
}

struct ConformanceFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
