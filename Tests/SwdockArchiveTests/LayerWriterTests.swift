import Foundation
import SwdockArchive
import SwdockOCI
import SwdockOS
import SwdockTestSupport
import CSwdockSys
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `LayerChanges` (docker diff) and `LayerWriter` (docker commit) on hand-made overlay upper
/// directories and full trees, checked by applying what the writer produced with `LayerApplier`.
final class LayerWriterTests: XCTestCase {
    private func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
    }

    private func setTimes(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// A lower layer and an upper with every kind of change overlayfs leaves behind.
    private func makeOverlayLayers() throws -> (lower: String, upper: String) {
        let lower = try makeTemporaryDirectory(self, "lower")
        let upper = try makeTemporaryDirectory(self, "upper")
        for dir in ["etc", "usr/lib", "var/cache/old", "same"] {
            try FileManager.default.createDirectory(atPath: lower + "/" + dir, withIntermediateDirectories: true)
        }
        try write(lower + "/etc/passwd", "root\n")
        try write(lower + "/etc/group", "root\n")
        try write(lower + "/usr/lib/gone", "x")
        try write(lower + "/var/cache/old/file", "old")
        setTimes(lower + "/same", 1_600_000_000)

        for dir in ["etc", "usr/lib", "var/cache", "same", "new/deep"] {
            try FileManager.default.createDirectory(atPath: upper + "/" + dir, withIntermediateDirectories: true)
        }
        try write(upper + "/etc/passwd", "root\napp\n")
        try write(upper + "/etc/hosts", "")  // an engine mount point: excluded
        XCTAssertEqual(mknod(upper + "/etc/group", S_IFCHR | 0o600, 0), 0, "whiteout")
        XCTAssertEqual(mknod(upper + "/usr/lib/gone", S_IFCHR | 0o600, 0), 0, "whiteout")
        XCTAssertEqual(setxattr(upper + "/var/cache", "trusted.overlay.opaque", "y", 1, 0), 0, "opaque")
        try write(upper + "/var/cache/fresh", "fresh", mode: 0o600)
        chown(upper + "/var/cache/fresh", 1000, 1001)
        try write(upper + "/new/deep/file", "deep")
        XCTAssertEqual(link(upper + "/new/deep/file", upper + "/new/hard"), 0)
        XCTAssertEqual(symlink("deep/file", upper + "/new/link"), 0)
        XCTAssertEqual(setxattr(upper + "/new/deep/file", "user.note", "hi", 2, 0), 0)
        chmod(upper + "/same", 0o755)
        setTimes(upper + "/same", 1_600_000_000)
        chmod(lower + "/same", 0o755)
        // Copied-up directories differ from their lower originals by mtime (not left to the clock's granularity).
        for dir in ["etc", "usr", "usr/lib", "var", "var/cache"] { setTimes(lower + "/" + dir, 1_000_000_000) }
        return (lower, upper)
    }

    func testOverlayChangesAreDockersListInPathOrder() throws {
        try TestEnvironment.requireRoot()
        let (lower, upper) = try makeOverlayLayers()
        let changes = try LayerChanges.overlay(upper: upper, lowers: [lower], excluding: ["/etc/hosts"])
        XCTAssertEqual(changes.map(\.description), [
            "C /etc", "D /etc/group", "C /etc/passwd",
            "A /new", "A /new/deep", "A /new/deep/file", "A /new/hard", "A /new/link",
            "C /usr", "C /usr/lib", "D /usr/lib/gone",
            "C /var", "D /var/cache", "A /var/cache/fresh",
        ])
        XCTAssertEqual(changes.first?.kind.rawValue, 0)
        XCTAssertEqual(changes.first { $0.path == "/new" }?.kind.rawValue, 1)
        XCTAssertEqual(changes.first { $0.path == "/etc/group" }?.kind.rawValue, 2)
    }

    func testOverlayUpperBecomesALayerThatAppliesBackToTheSameUpper() throws {
        try TestEnvironment.requireRoot()
        let (_, upper) = try makeOverlayLayers()
        let work = try makeTemporaryDirectory(self, "tarout")
        let tar = work + "/layer.tar"
        let output = try FileDescriptor.open(tar, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        let written = try LayerWriter.overlayUpper(upper, excluding: ["/etc/hosts"], to: output)
        output.close()
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: tar))
        XCTAssertEqual(Int64(bytes.count), written.size)
        XCTAssertEqual(written.diffID, Digest.sha256(of: bytes), "the diffID is the tar's sha256")
        XCTAssertEqual(bytes.count % 512, 0)

        // Docker's whiteout names in the stream.
        let listing = try runCommand("/bin/tar", ["-tf", tar], timeout: 30).stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(listing.contains("etc/.wh.group"), "\(listing)")
        XCTAssertTrue(listing.contains("usr/lib/.wh.gone"), "\(listing)")
        XCTAssertTrue(listing.contains("var/cache/.wh..wh..opq"), "\(listing)")
        XCTAssertFalse(listing.contains { $0.hasSuffix("hosts") }, "excluded mount point: \(listing)")

        // Applying it as an overlay layer gives the upper back.
        let applied = try makeTemporaryDirectory(self, "applied")
        let result = try LayerApplier.apply(file: tar, into: applied, options: LayerApplyOptions(target: .overlayLayer))
        XCTAssertEqual(result.diffID, written.diffID)
        let whiteout = try XCTUnwrap(lstatOf(applied + "/etc/group"))
        XCTAssertEqual(fileType(whiteout), S_IFCHR)
        XCTAssertEqual(whiteout.st_rdev, 0)
        XCTAssertEqual(xattrOf(applied + "/var/cache", "trusted.overlay.opaque"), Array("y".utf8))
        XCTAssertEqual(contentsOf(applied + "/etc/passwd"), "root\napp\n")
        let fresh = try XCTUnwrap(lstatOf(applied + "/var/cache/fresh"))
        XCTAssertEqual([fresh.st_uid, fresh.st_gid], [1000, 1001])
        XCTAssertEqual(fresh.st_mode & 0o7777, 0o600)
        XCTAssertEqual(lstatOf(applied + "/new/hard")?.st_ino, lstatOf(applied + "/new/deep/file")?.st_ino, "hard link kept")
        var target = [CChar](repeating: 0, count: 64)
        XCTAssertEqual(readlink(applied + "/new/link", &target, 63), 9)
        XCTAssertEqual(String(cString: target), "deep/file")
        XCTAssertEqual(xattrOf(applied + "/new/deep/file", "user.note"), Array("hi".utf8))
        XCTAssertNil(lstatOf(applied + "/etc/hosts"))
        XCTAssertEqual(lstatOf(applied + "/same")?.st_mtim.tv_sec, 1_600_000_000)
    }

    func testAnUpperWithOnlyEngineMountPointsIsTheEmptyLayer() throws {
        try TestEnvironment.requireRoot()
        let upper = try makeTemporaryDirectory(self, "upper")
        try FileManager.default.createDirectory(atPath: upper + "/etc", withIntermediateDirectories: true)
        try write(upper + "/etc/hosts", "")
        try write(upper + "/etc/resolv.conf", "")
        let work = try makeTemporaryDirectory(self, "tarout")
        let output = try FileDescriptor.open(work + "/layer.tar", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        defer { output.close() }
        let written = try LayerWriter.overlayUpper(upper, excluding: ["/etc/hosts", "/etc/resolv.conf", "/etc/hostname"], to: output)
        XCTAssertEqual(written.size, 1024)
        XCTAssertEqual(written.diffID.description, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")
        XCTAssertEqual(try LayerChanges.overlay(upper: upper, lowers: [], excluding: ["/etc/hosts", "/etc/resolv.conf"]).map(\.description),
                       ["A /etc"], "a directory the lower layers lack is added")
    }

    func testTreeChangesAndTheirLayerTurnTheOldTreeIntoTheNewOne() throws {
        try TestEnvironment.requireRoot()
        let old = try makeTemporaryDirectory(self, "old")
        for dir in ["etc", "home/app", "keep"] {
            try FileManager.default.createDirectory(atPath: old + "/" + dir, withIntermediateDirectories: true)
        }
        try write(old + "/etc/passwd", "root\n")
        try write(old + "/etc/group", "root\n")
        try write(old + "/home/app/.profile", "x")
        try write(old + "/keep/file", "same")
        XCTAssertEqual(symlink("passwd", old + "/etc/link"), 0)
        setTimes(old + "/etc/passwd", 1_500_000_000)
        setTimes(old + "/keep/file", 1_500_000_000)
        let new = try makeTemporaryDirectory(self, "new")
        XCTAssertEqual(try runCommand("/bin/cp", ["-a", old + "/.", new], timeout: 30).status, 0)
        try write(new + "/etc/passwd", "root\napp\n")
        unlink(new + "/etc/group")
        unlink(new + "/etc/link")
        XCTAssertEqual(symlink("group", new + "/etc/link"), 0, "same mtime second is possible: the target decides")
        XCTAssertEqual(try runCommand("/bin/rm", ["-rf", new + "/home/app"], timeout: 30).status, 0)
        try FileManager.default.createDirectory(atPath: new + "/srv/data", withIntermediateDirectories: true)
        try write(new + "/srv/data/f", "f")
        try write(new + "/etc/hosts", "")  // excluded
        chmod(new + "/keep", 0o700)

        let excluded: Set<String> = ["/etc/hosts"]
        let changes = try LayerChanges.trees(new: new, old: old, excluding: excluded)
        XCTAssertEqual(changes.map(\.description), [
            "C /etc", "D /etc/group", "C /etc/link", "C /etc/passwd",
            "C /home", "D /home/app",
            "C /keep",
            "A /srv", "A /srv/data", "A /srv/data/f",
        ])

        let work = try makeTemporaryDirectory(self, "tarout")
        let output = try FileDescriptor.open(work + "/layer.tar", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        let written = try LayerWriter.changes(changes, in: new, to: output)
        output.close()
        let listing = try runCommand("/bin/tar", ["-tf", work + "/layer.tar"], timeout: 30).stdout
        XCTAssertTrue(listing.contains("etc/.wh.group\n") && listing.contains("home/.wh.app\n"), listing)
        XCTAssertFalse(listing.contains("keep/file"), "an unchanged file below a changed directory stays out: \(listing)")

        // The old tree plus the layer (as the copying snapshotter applies it) is the new tree.
        let merged = try makeTemporaryDirectory(self, "merged")
        XCTAssertEqual(try runCommand("/bin/cp", ["-a", old + "/.", merged], timeout: 30).status, 0)
        let result = try LayerApplier.apply(file: work + "/layer.tar", into: merged, options: LayerApplyOptions(target: .mergedTree))
        XCTAssertEqual(result.diffID, written.diffID)
        XCTAssertEqual(try LayerChanges.trees(new: merged, old: new, excluding: excluded).map(\.description), [],
                       "nothing differs from the container's tree")
    }

    func testARedirectedDirectoryIsRefusedRatherThanCommittedWithoutItsContent() throws {
        try TestEnvironment.requireRoot()
        let upper = try makeTemporaryDirectory(self, "upper")
        try FileManager.default.createDirectory(atPath: upper + "/moved", withIntermediateDirectories: true)
        XCTAssertEqual(setxattr(upper + "/moved", "trusted.overlay.redirect", "/original", 9, 0), 0)
        let work = try makeTemporaryDirectory(self, "tarout")
        let output = try FileDescriptor.open(work + "/layer.tar", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        defer { output.close() }
        XCTAssertThrowsError(try LayerWriter.overlayUpper(upper, to: output)) { error in
            XCTAssertEqual((error as? ArchiveError)?.code, .notSupported, "\(error)")
        }
        XCTAssertThrowsError(try LayerChanges.overlay(upper: upper, lowers: [])) { error in
            XCTAssertEqual((error as? ArchiveError)?.code, .notSupported, "\(error)")
        }
    }

    func testRootfsTarballsDecompressWhateverTheCompression() throws {
        let work = try makeTemporaryDirectory(self, "tarball")
        try FileManager.default.createDirectory(atPath: work + "/tree", withIntermediateDirectories: true)
        try write(work + "/tree/hello", "hello\n")
        XCTAssertEqual(try runCommand("/bin/tar", ["-C", work + "/tree", "-cf", work + "/plain.tar", "."], timeout: 30).status, 0)
        let plain = try XCTUnwrap(FileManager.default.contents(atPath: work + "/plain.tar"))
        for (flag, name) in [("z", "gz"), ("j", "bz2"), ("J", "xz"), ("", "tar")] {
            let file = work + "/rootfs." + name
            XCTAssertEqual(try runCommand("/bin/tar", ["-C", work + "/tree", "-c\(flag)f", file, "."], timeout: 30).status, 0)
            let input = try FileDescriptor.open(file, O_RDONLY)
            let out = try FileDescriptor.open(work + "/out", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
            let result = try RootfsTarball.decompress(from: input, to: out)
            input.close()
            out.close()
            XCTAssertEqual(result.diffID, Digest.sha256(of: plain), name)
            XCTAssertEqual(result.size, Int64(plain.count), name)
        }
    }
}
