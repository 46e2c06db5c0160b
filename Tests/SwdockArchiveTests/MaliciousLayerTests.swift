import Foundation
import SwdockArchive
import SwdockOS
import SwdockTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Crafted layers that try to reach outside the layer root. The policy is containment
/// (see `LayerApplier`): names and links resolve inside the root as in a chroot, or the
/// entry is rejected with an error naming it; the host is checked to be untouched each time.
final class MaliciousLayerTests: XCTestCase {
    /// A host directory outside the layer root that every test checks stays as it was.
    private var host = ""
    private var root = ""

    override func setUpWithError() throws {
        try TestEnvironment.requireRoot()
        let parent = try makeTemporaryDirectory(self, "attack")
        host = parent + "/host"
        root = parent + "/layers/root"
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: host + "/victim", contents: Data("original".utf8)))
    }

    private func apply(_ entries: [TarEntry]) throws -> LayerApplyResult {
        let blob = try makeTemporaryDirectory(self, "tar") + "/layer"
        try writeTar(entries, to: blob)
        return try LayerApplier.apply(file: blob, into: root)
    }

    private func assertHostUntouched(file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: host)
        XCTAssertEqual(names, ["victim"], "nothing was created in the host directory", file: file, line: line)
        XCTAssertEqual(contentsOf(host + "/victim"), "original", file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(lstatOf(host + "/victim")).st_nlink, 1, "no hard link to a host file", file: file, line: line)
        let layers = (root as NSString).deletingLastPathComponent
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layers), ["root"],
                       "nothing beside the root", file: file, line: line)
    }

    func testDotDotStopsAtTheRoot() throws {
        _ = try apply([
            .file("../../host/victim", "overwritten"),
            .file("../escaped", "x"),
            .file("a/../../../../b", "y"),
            .dir("../../host/newdir"),
        ])
        try assertHostUntouched()
        XCTAssertEqual(contentsOf(root + "/host/victim"), "overwritten", "contained at the root as Docker does")
        XCTAssertEqual(contentsOf(root + "/escaped"), "x")
        XCTAssertEqual(contentsOf(root + "/b"), "y")
        XCTAssertNotNil(lstatOf(root + "/host/newdir"))
    }

    func testAbsolutePathsAreTakenInsideTheRoot() throws {
        _ = try apply([.file(host + "/victim", "overwritten"), .file(host + "/planted", "x")])
        try assertHostUntouched()
        XCTAssertEqual(contentsOf(root + host + "/victim"), "overwritten")
        XCTAssertEqual(contentsOf(root + host + "/planted"), "x")
    }

    func testWritingThroughAPlantedAbsoluteSymlinkIsRejectedNotFollowed() throws {
        XCTAssertThrowsError(try apply([.symlink("a", to: host), .file("a/planted", "x")])) { error in
            XCTAssertTrue("\(error)".contains("a/planted"), "the error names the entry: \(error)")
        }
        try assertHostUntouched()
        XCTAssertEqual(fileType(try XCTUnwrap(lstatOf(root + "/a"))), S_IFLNK)
    }

    func testWritingThroughSymlinksResolvesInsideTheRoot() throws {
        _ = try apply([
            .dir(String(host.dropFirst())),               // <root>/<host path> exists in the layer
            .symlink("abs", to: host),                    // absolute: means <root><host>
            .file("abs/victim", "inside"),
            .symlink("up", to: "../../../../../.."),      // relative, climbing: stops at the root
            .file("up/via-up", "inside too"),
            .symlink("host-victim", to: host + "/victim"),
            .file("host-victim", "replaces the symlink, does not follow it"),
        ])
        try assertHostUntouched()
        XCTAssertEqual(contentsOf(root + host + "/victim"), "inside")
        XCTAssertEqual(contentsOf(root + "/via-up"), "inside too")
        XCTAssertEqual(fileType(try XCTUnwrap(lstatOf(root + "/host-victim"))), S_IFREG)
        XCTAssertEqual(contentsOf(root + "/host-victim"), "replaces the symlink, does not follow it")
    }

    func testHardLinksToOutsideAreRejected() throws {
        let shadow = try XCTUnwrap(lstatOf("/etc/shadow"))
        XCTAssertThrowsError(try apply([.hardlink("shadow", to: "/etc/shadow")])) { error in
            XCTAssertEqual((error as? ArchiveError)?.code, .unsafeEntry)
            XCTAssertTrue("\(error)".contains("\"shadow\""), "the error names the entry: \(error)")
        }
        XCTAssertThrowsError(try apply([.hardlink("victim", to: "../../host/victim")]))
        XCTAssertThrowsError(try apply([.symlink("etc", to: "/etc"), .hardlink("x", to: "etc/shadow")]))
        // A link to a symlink links the symlink itself, never what it points at.
        _ = try apply([.symlink("s", to: host + "/victim"), .hardlink("h", to: "s")])
        XCTAssertEqual(fileType(try XCTUnwrap(lstatOf(root + "/h"))), S_IFLNK)
        let after = try XCTUnwrap(lstatOf("/etc/shadow"))
        XCTAssertEqual(after.st_nlink, shadow.st_nlink, "no new link to /etc/shadow")
        XCTAssertEqual(after.st_ino, shadow.st_ino)
        XCTAssertEqual(after.st_ctim.tv_sec, shadow.st_ctim.tv_sec)
        XCTAssertEqual(after.st_ctim.tv_nsec, shadow.st_ctim.tv_nsec)
        try assertHostUntouched()
    }

    func testDeviceNodesForHostDisksAreCreatedNeverOpened() throws {
        var rootInfo = stat()
        XCTAssertEqual(stat("/", &rootInfo), 0)
        let (major, minor) = deviceNumbers(rootInfo.st_dev)
        _ = try apply([
            .device("dev/hostdisk", .block, major: Int(major), minor: Int(minor)),
            .device("dev/mem", .char, major: 1, minor: 1),
            // Later entries with the same names replace the nodes; they must not write through them.
            .file("dev/hostdisk", "replaced"),
            .hardlink("dev/mem-link", to: "dev/mem"),
            .file("dev/mem", "replaced too"),
        ])
        XCTAssertEqual(fileType(try XCTUnwrap(lstatOf(root + "/dev/hostdisk"))), S_IFREG)
        XCTAssertEqual(contentsOf(root + "/dev/hostdisk"), "replaced")
        let link = try XCTUnwrap(lstatOf(root + "/dev/mem-link"))
        XCTAssertEqual(fileType(link), S_IFCHR, "the device node is made as the layer says")
        XCTAssertEqual(link.st_rdev, makeDevice(1, 1))
        XCTAssertEqual(contentsOf(root + "/dev/mem"), "replaced too")
        try assertHostUntouched()
    }
}
