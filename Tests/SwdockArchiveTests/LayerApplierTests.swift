import Foundation
import SwdockArchive
import SwdockOCI
import SwdockOS
import SwdockTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `security.capability` (VFS_CAP_REVISION_2, effective) granting cap_net_bind_service.
private let netBindCapability: [UInt8] = [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00,
                                          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

final class LayerApplierTests: XCTestCase {
    private func apply(_ entries: [TarEntry], compression: LayerCompression = .none,
                       options: LayerApplyOptions = LayerApplyOptions(), into root: String? = nil,
                       trailing: Int = 0) throws -> (root: String, result: LayerApplyResult, tar: String) {
        let work = try makeTemporaryDirectory(self, "tar")
        let tar = work + "/layer"
        try writeTar(entries, to: tar, compression: compression, trailing: trailing)
        let target = try root ?? makeTemporaryDirectory(self, "layer")
        let result = try LayerApplier.apply(file: tar, into: target, options: options)
        return (target, result, tar)
    }

    func testEveryEntryTypeWithModesOwnersTimesAndXattrs() throws {
        try TestEnvironment.requireRoot()
        let capability = Data(netBindCapability).base64EncodedString()
        let (root, result, tar) = try apply([
            .dir("srv", mode: 0o750, uid: 1000, gid: 1001, mtime: 1_600_000_000),
            .file("srv/setuid-tool", "#!/bin/sh\n", mode: 0o4755, uid: 1000, gid: 1001, mtime: 1_500_000_000),
            .file("srv/setgid-tool", "x", mode: 0o2711, uid: 0, gid: 50),
            .dir("srv/shared", mode: 0o1777),
            .file("srv/ping", "ELF", mode: 0o755, pax: ["LIBARCHIVE.xattr.security.capability": capability,
                                                       "SCHILY.xattr.user.note": "hello"]),
            .symlink("srv/link", to: "setuid-tool"),
            .symlink("srv/abs-link", to: "/does/not/exist"),
            .hardlink("srv/hard", to: "srv/setuid-tool"),
            .device("srv/null", .char, major: 1, minor: 3, mode: 0o666),
            .device("srv/loop0", .block, major: 7, minor: 0),
            TarEntry(name: "srv/fifo", type: .fifo, mode: 0o600),
            .file("deep/implicit/parents", "made"),
            .file("srv/ünïcødé name", "utf-8"),
        ])
        XCTAssertEqual(result.entryCount, 13)
        XCTAssertEqual(contentsOf(root + "/srv/ünïcødé name"), "utf-8", "PAX UTF-8 names are kept byte for byte")
        XCTAssertEqual(result.compression, .none)
        XCTAssertEqual(result.diffID, Digest.sha256(of: try uncompressedBytes(of: tar, compression: .none)))

        let srv = try XCTUnwrap(lstatOf(root + "/srv"))
        XCTAssertEqual(fileType(srv), S_IFDIR)
        XCTAssertEqual(srv.st_mode & 0o7777, 0o750)
        XCTAssertEqual([srv.st_uid, srv.st_gid], [1000, 1001])
        XCTAssertEqual(srv.st_mtim.tv_sec, 1_600_000_000, "directory mtime is set after its children were made")

        let tool = try XCTUnwrap(lstatOf(root + "/srv/setuid-tool"))
        XCTAssertEqual(fileType(tool), S_IFREG)
        XCTAssertEqual(tool.st_mode & 0o7777, 0o4755, "setuid survives the chown")
        XCTAssertEqual([tool.st_uid, tool.st_gid], [1000, 1001])
        XCTAssertEqual(tool.st_mtim.tv_sec, 1_500_000_000)
        XCTAssertEqual(contentsOf(root + "/srv/setuid-tool"), "#!/bin/sh\n")
        XCTAssertEqual(try XCTUnwrap(lstatOf(root + "/srv/setgid-tool")).st_mode & 0o7777, 0o2711)
        XCTAssertEqual(try XCTUnwrap(lstatOf(root + "/srv/shared")).st_mode & 0o7777, 0o1777)

        XCTAssertEqual(xattrOf(root + "/srv/ping", "security.capability"), netBindCapability)
        XCTAssertEqual(xattrOf(root + "/srv/ping", "user.note"), Array("hello".utf8))

        let link = try XCTUnwrap(lstatOf(root + "/srv/link"))
        XCTAssertEqual(fileType(link), S_IFLNK)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/srv/link"), "setuid-tool")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/srv/abs-link"), "/does/not/exist")

        let hard = try XCTUnwrap(lstatOf(root + "/srv/hard"))
        XCTAssertEqual(hard.st_ino, tool.st_ino, "a hard link shares the inode")
        XCTAssertEqual(hard.st_nlink, 2)

        let null = try XCTUnwrap(lstatOf(root + "/srv/null"))
        XCTAssertEqual(fileType(null), S_IFCHR)
        XCTAssertEqual(null.st_rdev, makeDevice(1, 3))
        XCTAssertEqual(null.st_mode & 0o7777, 0o666)
        let loop = try XCTUnwrap(lstatOf(root + "/srv/loop0"))
        XCTAssertEqual(fileType(loop), S_IFBLK)
        XCTAssertEqual(loop.st_rdev, makeDevice(7, 0))
        XCTAssertEqual(fileType(try XCTUnwrap(lstatOf(root + "/srv/fifo"))), S_IFIFO)
        XCTAssertEqual(contentsOf(root + "/deep/implicit/parents"), "made")
        XCTAssertEqual(try XCTUnwrap(lstatOf(root + "/deep")).st_mode & 0o7777, 0o755)
    }

    func testWhiteoutsBecomeOverlayMarkersInALayer() throws {
        try TestEnvironment.requireRoot()
        let (root, _, _) = try apply([
            .dir("etc"),
            .file("etc/.wh.passwd"),
            .dir("var/cache", mode: 0o700),
            .file("var/cache/.wh..wh..opq"),
            .file("var/cache/kept", "new"),
            .file("marker-first/.wh..wh..opq"),
            .file(".wh..wh.plnk"),
        ])
        let whiteout = try XCTUnwrap(lstatOf(root + "/etc/passwd"))
        XCTAssertEqual(fileType(whiteout), S_IFCHR)
        XCTAssertEqual(whiteout.st_rdev, 0)
        XCTAssertEqual([whiteout.st_uid, whiteout.st_gid], [0, 0])
        XCTAssertNil(lstatOf(root + "/etc/.wh.passwd"))
        XCTAssertEqual(xattrOf(root + "/var/cache", "trusted.overlay.opaque"), Array("y".utf8))
        XCTAssertEqual(contentsOf(root + "/var/cache/kept"), "new")
        XCTAssertNil(lstatOf(root + "/var/cache/.wh..wh..opq"))
        XCTAssertEqual(xattrOf(root + "/marker-first", "trusted.overlay.opaque"), Array("y".utf8))
        XCTAssertNil(lstatOf(root + "/.wh..wh.plnk"), "aufs bookkeeping is not content")
        XCTAssertNil(lstatOf(root + "/plnk"))
    }

    func testWhiteoutsDeleteInAMergedTree() throws {
        try TestEnvironment.requireRoot()
        let root = try makeTemporaryDirectory(self, "merged")
        // The layers below, as the copying snapshotter would hold them.
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/opaque/sub", withIntermediateDirectories: true)
        for file in ["etc/passwd", "etc/group", "opaque/old", "opaque/sub/x"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: root + "/" + file, contents: Data("lower".utf8)))
        }
        let (_, result, _) = try apply([
            .file("etc/.wh.passwd"),
            .file(".wh.missing-anyway"),
            .dir("opaque"),
            .file("opaque/early", "same layer, before the marker"),
            .file("opaque/.wh..wh..opq"),
            .file("opaque/late", "same layer, after the marker"),
        ], options: LayerApplyOptions(target: .mergedTree), into: root)
        XCTAssertEqual(result.entryCount, 6)
        XCTAssertNil(lstatOf(root + "/etc/passwd"), "a whiteout deletes in a merged tree")
        XCTAssertNil(lstatOf(root + "/etc/.wh.passwd"))
        XCTAssertEqual(contentsOf(root + "/etc/group"), "lower")
        XCTAssertNil(lstatOf(root + "/opaque/old"), "opaque removes what the lower layers had")
        XCTAssertNil(lstatOf(root + "/opaque/sub"))
        XCTAssertEqual(contentsOf(root + "/opaque/early"), "same layer, before the marker")
        XCTAssertEqual(contentsOf(root + "/opaque/late"), "same layer, after the marker")
        XCTAssertNil(xattrOf(root + "/opaque", "trusted.overlay.opaque"), "no overlay markers in a merged tree")
    }

    func testCompressionComesFromTheBytesNotTheName() throws {
        try TestEnvironment.requireRoot()
        let entries: [TarEntry] = [.dir("a"), .file("a/b", String(repeating: "layer data ", count: 5000))]
        var diffIDs: Set<Digest> = []
        for compression in LayerCompression.allCases {
            let work = try makeTemporaryDirectory(self, "tar")
            // Named as if it were zstd whatever it is: only the magic numbers count.
            let blob = work + "/layer.tar.zst"
            try writeTar(entries, to: blob, compression: compression)
            let root = try makeTemporaryDirectory(self, "layer")
            let result = try LayerApplier.apply(file: blob, into: root)
            XCTAssertEqual(result.compression, compression)
            XCTAssertEqual(result.diffID, Digest.sha256(of: try uncompressedBytes(of: blob, compression: compression)))
            XCTAssertEqual(result.compressedSize, Int64(try XCTUnwrap(lstatOf(blob)).st_size))
            XCTAssertEqual(contentsOf(root + "/a/b"), String(repeating: "layer data ", count: 5000))
            diffIDs.insert(result.diffID)
        }
        XCTAssertEqual(diffIDs.count, 1, "the diffID is of the uncompressed stream, the same for every compression")
    }

    func testDiffIDIsVerified() throws {
        try TestEnvironment.requireRoot()
        let work = try makeTemporaryDirectory(self, "tar")
        let blob = work + "/layer.gz"
        try writeTar([.file("f", "content")], to: blob, compression: .gzip)
        let right = Digest.sha256(of: try uncompressedBytes(of: blob, compression: .gzip))
        let ok = try LayerApplier.apply(file: blob, into: try makeTemporaryDirectory(self, "layer"),
                                        options: LayerApplyOptions(expectedDiffID: right))
        XCTAssertEqual(ok.diffID, right)
        let wrong = Digest.sha256(of: Array("not this layer".utf8))
        XCTAssertThrowsError(try LayerApplier.apply(file: blob, into: try makeTemporaryDirectory(self, "layer"),
                                                    options: LayerApplyOptions(expectedDiffID: wrong))) { error in
            let archiveError = error as? ArchiveError
            XCTAssertEqual(archiveError?.code, .diffIDMismatch)
            XCTAssertTrue("\(error)".contains(wrong.description) && "\(error)".contains(right.description), "\(error)")
        }
    }

    /// A pipe as the downloader feeds it: the whole stream is read (trailing zeros after the
    /// end-of-archive blocks are in the diffID) and the writer is never cut off.
    func testStreamsFromAPipeToItsEnd() throws {
        try TestEnvironment.requireRoot()
        for compression in [LayerCompression.zstd, .none] {
            let work = try makeTemporaryDirectory(self, "tar")
            let blob = work + "/layer"
            try writeTar([.file("big", String(repeating: "0123456789", count: 300_000))], to: blob,
                         compression: compression, trailing: 64 * 1024)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
            var fds: [Int32] = [0, 0]
            XCTAssertEqual(pipe(&fds), 0)
            let writer = PipeWriter(fd: fds[1], bytes: bytes)
            let thread = Thread { writer.run() }
            thread.start()
            defer { close(fds[0]) }
            let result = try LayerApplier.apply(from: FileDescriptor(rawValue: fds[0]),
                                                into: try makeTemporaryDirectory(self, "layer"))
            writer.waitUntilDone()
            XCTAssertEqual(writer.written, bytes.count, "the writer delivered every byte")
            XCTAssertEqual(result.compressedSize, Int64(bytes.count))
            XCTAssertEqual(result.diffID, Digest.sha256(of: try uncompressedBytes(of: blob, compression: compression)))
        }
    }

    func testTheEmptyLayerHasTheWellKnownDiffID() throws {
        try TestEnvironment.requireRoot()
        let work = try makeTemporaryDirectory(self, "tar")
        let blob = work + "/empty"
        XCTAssertTrue(FileManager.default.createFile(atPath: blob, contents: Data(count: 1024)))
        let result = try LayerApplier.apply(file: blob, into: try makeTemporaryDirectory(self, "layer"))
        XCTAssertEqual(result.entryCount, 0)
        XCTAssertEqual(result.diffID.description, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")
    }

    func testGarbageIsAnInvalidArchive() throws {
        try TestEnvironment.requireRoot()
        let work = try makeTemporaryDirectory(self, "tar")
        let blob = work + "/garbage"
        XCTAssertTrue(FileManager.default.createFile(atPath: blob, contents: Data(repeating: 0x41, count: 4096)))
        XCTAssertThrowsError(try LayerApplier.apply(file: blob, into: try makeTemporaryDirectory(self, "layer"))) { error in
            XCTAssertEqual((error as? ArchiveError)?.code, .invalidArchive, "\(error)")
        }
        // gzip magic followed by junk.
        XCTAssertTrue(FileManager.default.createFile(atPath: blob, contents: Data([0x1f, 0x8b] + Array(repeating: 0x00, count: 100))))
        XCTAssertThrowsError(try LayerApplier.apply(file: blob, into: try makeTemporaryDirectory(self, "layer")))
    }
}

/// Writes bytes into a pipe from another thread, then closes it.
final class PipeWriter: @unchecked Sendable {
    private let fd: Int32
    private let bytes: Data
    private let done = DispatchSemaphore(value: 0)
    private(set) var written = 0

    init(fd: Int32, bytes: Data) {
        self.fd = fd
        self.bytes = bytes
    }

    func run() {
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { break }
                written += n
            }
        }
        close(fd)
        done.signal()
    }

    func waitUntilDone() { done.wait() }
}
