import CSwdockSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SwdockOS
import SwdockTestSupport
import XCTest

/// `TreeManifest.scan` against trees made with the real calls (mkfifo, link, setxattr, mknod),
/// and `differences` on hand-made manifests.
final class TreeManifestTests: XCTestCase {
    private func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("swdock-tree-\(UUID().uuidString)").path
        try sys("mkdir", path) { mkdir(path, 0o755) }
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        defer { fd.close() }
        try fd.writeAll(text)
        try sys("chmod", path) { chmod(path, mode) }  // past the umask
    }

    private func setXattr(_ path: String, _ name: String, _ value: [UInt8]) throws {
        try sys("lsetxattr", "\(path) \(name)") { lsetxattr(path, name, value, value.count, 0) }
    }

    func testScanRecordsFilesDirectoriesLinksFifosAndUserXattrs() throws {
        let root = try makeTemporaryDirectory()
        try sys("mkdir", "dir") { mkdir(root + "/dir", 0o750) }
        try sys("chmod", "dir") { chmod(root + "/dir", 0o750) }
        try write(root + "/dir/file.txt", "hello\n", mode: 0o640)
        try write(root + "/setuid", "#!/bin/sh\n", mode: 0o4755)
        try sys("link", "hard") { link(root + "/dir/file.txt", root + "/hard") }
        try sys("symlink", "rel") { symlink("dir/file.txt", root + "/rel") }
        try sys("symlink", "abs") { symlink("/etc/passwd", root + "/abs") }
        try sys("mkfifo", "fifo") { mkfifo(root + "/fifo", 0o600) }
        try sys("chmod", "fifo") { chmod(root + "/fifo", 0o600) }
        try setXattr(root + "/dir/file.txt", "user.comment", Array("hi".utf8))
        try setXattr(root + "/dir/file.txt", "user.binary", [0, 0xff, 0x80])
        try sys("mkdir", "données") { mkdir(root + "/données", 0o755) }
        try write(root + "/données/日本語.txt", "x", mode: 0o644)
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 0), timespec(tv_sec: 1_700_000_000, tv_nsec: 0)]
        try sys("utimensat", "rel") { utimensat(AT_FDCWD, root + "/rel", &times, AT_SYMLINK_NOFOLLOW) }

        let manifest = try TreeManifest.scan(root: root)
        XCTAssertEqual(manifest.paths, ["abs", "dir", "dir/file.txt", "données", "données/日本語.txt",
                                        "fifo", "hard", "rel", "setuid"])
        let file = try XCTUnwrap(manifest["dir/file.txt"])
        XCTAssertEqual(file.type, .file)
        XCTAssertEqual(file.mode, "0640")
        XCTAssertEqual(file.size, 6)
        XCTAssertEqual(file.sha256, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        XCTAssertEqual(file.xattrs, ["user.comment": "aGk=", "user.binary": "AP+A"])
        XCTAssertEqual(file.xattrValues["user.binary"], [0, 0xff, 0x80])
        XCTAssertEqual(file.uid, geteuid())
        XCTAssertNotNil(file.mtime)
        XCTAssertNotNil(file.hardlinkGroup)
        XCTAssertEqual(manifest["hard"]?.hardlinkGroup, file.hardlinkGroup)
        XCTAssertEqual(manifest["dir"]?.type, .dir)
        XCTAssertEqual(manifest["dir"]?.mode, "0750")
        XCTAssertNil(manifest["dir"]?.mtime, "directory mtimes are not recorded")
        XCTAssertNil(manifest["dir"]?.hardlinkGroup)
        XCTAssertEqual(manifest["rel"]?.type, .symlink)
        XCTAssertEqual(manifest["rel"]?.target, "dir/file.txt")
        XCTAssertEqual(manifest["rel"]?.mtime, 1_700_000_000)
        XCTAssertNil(manifest["rel"]?.sha256)
        XCTAssertEqual(manifest["abs"]?.target, "/etc/passwd")
        XCTAssertEqual(manifest["fifo"]?.type, .fifo)
        XCTAssertEqual(manifest["fifo"]?.mode, "0600")
        XCTAssertEqual(manifest["setuid"]?.mode, "4755")
        XCTAssertNil(manifest["setuid"]?.hardlinkGroup)

        // The same tree written out and read back is the same manifest, and matches itself.
        let decoded = try TreeManifest.decode(try manifest.encoded())
        XCTAssertEqual(decoded, manifest)
        XCTAssertEqual(TreeManifest.differences(expected: manifest, actual: try TreeManifest.scan(root: root)), [])
    }

    func testScanReadsTrustedAndSecurityXattrsAndDevicesAsRoot() throws {
        try TestEnvironment.requireRoot()
        let root = try makeTemporaryDirectory()
        try sys("mkdir", "opaque") { mkdir(root + "/opaque", 0o755) }
        try setXattr(root + "/opaque", "trusted.overlay.opaque", Array("y".utf8))
        try sys("mknod", "whiteout") { mknod(root + "/opaque/gone", S_IFCHR, 0) }
        try sys("mknod", "null") { mknod(root + "/null", S_IFCHR | 0o666, (1 << 8) | 3) }
        try sys("chmod", "null") { chmod(root + "/null", 0o666) }
        try write(root + "/cap", "x", mode: 0o755)
        try sys("chown", "cap") { chown(root + "/cap", 1000, 1000) }
        // VFS_CAP_REVISION_2, cap_net_bind_service permitted and effective.
        let capability: [UInt8] = [1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        try setXattr(root + "/cap", "security.capability", capability)

        let manifest = try TreeManifest.scan(root: root)
        XCTAssertEqual(manifest["opaque"]?.xattrs?["trusted.overlay.opaque"], "eQ==")
        let whiteout = try XCTUnwrap(manifest["opaque/gone"])
        XCTAssertEqual(whiteout.type, .char)
        XCTAssertEqual(whiteout.mode, "0000")
        XCTAssertEqual(whiteout.devmajor, 0)
        XCTAssertEqual(whiteout.devminor, 0)
        XCTAssertEqual(manifest["null"]?.devmajor, 1)
        XCTAssertEqual(manifest["null"]?.devminor, 3)
        XCTAssertEqual(manifest["null"]?.mode, "0666")
        XCTAssertEqual(manifest["cap"]?.uid, 1000)
        XCTAssertEqual(manifest["cap"]?.gid, 1000)
        XCTAssertEqual(manifest["cap"]?.xattrValues["security.capability"], capability)
    }

    func testScanRefusesAMissingRoot() {
        XCTAssertThrowsError(try TreeManifest.scan(root: "/nonexistent/swdock-tree")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/swdock-tree"), "\(error)")
        }
    }

    private typealias Entry = TreeManifest.Entry

    private func fileEntry(_ path: String, mode: String = "0644", group: Int? = nil) -> Entry {
        Entry(path: path, type: .file, mode: mode, size: 3, sha256: String(repeating: "a", count: 64),
              mtime: 1_704_067_200, hardlinkGroup: group)
    }

    func testDifferencesNameEachMismatch() {
        let expected = TreeManifest(entries: [
            fileEntry("bin/sh"),
            Entry(path: "bin", type: .dir, mode: "0755"),
            fileEntry("etc/passwd"),
            Entry(path: "link", type: .symlink, mode: "0777", target: "a", mtime: 1),
            Entry(path: "dev/null", type: .char, mode: "0666", devmajor: 1, devminor: 3),
            Entry(path: "x", type: .file, mode: "4755", uid: 1000, gid: 1000, size: 1, sha256: "00",
                  xattrs: ["user.a": "YQ==", "user.b": "Yg=="]),
            Entry(path: "gone", type: .fifo, mode: "0600"),
        ])
        var changed = expected.entries
        changed[changed.firstIndex { $0.path == "bin/sh" }!] =
            Entry(path: "bin/sh", type: .symlink, mode: "0777", target: "busybox")
        changed.removeAll { $0.path == "gone" }
        changed[changed.firstIndex { $0.path == "link" }!].target = "b"
        changed[changed.firstIndex { $0.path == "link" }!].mtime = 2
        changed[changed.firstIndex { $0.path == "dev/null" }!].devminor = 5
        let x = changed.firstIndex { $0.path == "x" }!
        changed[x].mode = "0755"
        changed[x].uid = 0
        changed[x].size = 2
        changed[x].sha256 = "11"
        changed[x].xattrs = ["user.b": "Yw==", "user.c": "Yw=="]
        changed.append(Entry(path: "extra", type: .file, mode: "0644", size: 0, sha256: ""))
        let actual = TreeManifest(entries: changed)

        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: actual), [
            "bin/sh: type symlink, want file",
            "dev/null: device 1:5, want 1:3",
            "extra: unexpected file",
            "gone: missing, want fifo",
            "link: target \"b\", want \"a\"",
            "link: mtime 2, want 1",
            "x: mode 0755, want 4755",
            "x: owner 0:1000, want 1000:1000",
            "x: size 2, want 1",
            "x: content sha256 11, want 00",
            "x: xattr user.a missing, want YQ== (base64)",
            "x: xattr user.b = Yw==, want Yg== (base64)",
            "x: unexpected xattr user.c = Yw== (base64)",
        ])
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: expected), [])
    }

    func testDifferencesHonourIgnoreRulesAndAbsentFields() {
        var expectedEntries = [fileEntry("a"), fileEntry("skip/me"), Entry(path: "skip", type: .dir, mode: "0755")]
        expectedEntries[0].mtime = nil  // absent: any mtime
        expectedEntries[0].xattrs = ["user.keep": "eA=="]
        let expected = TreeManifest(entries: expectedEntries)
        var actualEntries = [fileEntry("a", mode: "0600"), Entry(path: "skip", type: .dir, mode: "0700")]
        actualEntries[0].mtime = 99
        actualEntries[0].uid = 5
        actualEntries[0].xattrs = ["user.keep": "eA==", "security.selinux": "eA==", "trusted.overlay.origin": "eA=="]
        let actual = TreeManifest(entries: actualEntries)

        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: actual), [
            "a: mode 0600, want 0644",
            "a: owner 5:0, want 0:0",
            "a: unexpected xattr security.selinux = eA== (base64)",
            "a: unexpected xattr trusted.overlay.origin = eA== (base64)",
            "skip: mode 0700, want 0755",
            "skip/me: missing, want file",
        ])
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: actual, ignoring: [
            .mode, .ownership, .xattrPrefix("security.selinux"), .xattrPrefix("trusted.overlay."), .path("skip"),
        ]), [])
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: actual,
                                                ignoring: [.mode, .ownership, .xattrs, .path("skip/")]), [])
    }

    func testDifferencesCompareHardLinksAsAPartition() {
        let expected = TreeManifest(entries: [
            fileEntry("a", group: 1), fileEntry("b", group: 1), fileEntry("c", group: 2), fileEntry("d", group: 2),
            fileEntry("e"),
        ])
        // Other numbers, same sets: no difference.
        let renumbered = TreeManifest(entries: [
            fileEntry("a", group: 7), fileEntry("b", group: 7), fileEntry("c", group: 3), fileEntry("d", group: 3),
            fileEntry("e"),
        ])
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: renumbered), [])

        let broken = TreeManifest(entries: [
            fileEntry("a", group: 1), fileEntry("b", group: 1), fileEntry("c"), fileEntry("d", group: 2),
            fileEntry("e", group: 2),
        ])
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: broken), [
            "c: hard links none, want c, d",
            "d: hard links d, e, want c, d",
            "e: hard links d, e, want none",
        ])
        XCTAssertEqual(TreeManifest.differences(expected: expected, actual: broken, ignoring: [.hardlinks]), [])
    }

    func testDecodeRefusesOtherVersionsAndUnsortedEntries() {
        let future = Data(#"{"version":2,"entries":[]}"#.utf8)
        XCTAssertThrowsError(try TreeManifest.decode(future)) { XCTAssertTrue("\($0)".contains("version 2"), "\($0)") }
        let unsorted = Data(#"""
        {"version":1,"entries":[{"path":"b","type":"dir","mode":"0755","uid":0,"gid":0},
        {"path":"a","type":"dir","mode":"0755","uid":0,"gid":0}]}
        """#.utf8)
        XCTAssertThrowsError(try TreeManifest.decode(unsorted)) { XCTAssertTrue("\($0)".contains("\"a\""), "\($0)") }
        let lonelyGroup = Data(#"""
        {"version":1,"entries":[{"path":"a","type":"file","mode":"0644","uid":0,"gid":0,"size":0,"sha256":"","hardlinkGroup":4}]}
        """#.utf8)
        XCTAssertThrowsError(try TreeManifest.decode(lonelyGroup)) { XCTAssertTrue("\($0)".contains("hardlinkGroup 4"), "\($0)") }
    }
}
