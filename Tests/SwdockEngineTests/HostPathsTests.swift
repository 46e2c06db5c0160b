import Foundation
@testable import SwdockEngine
import SwdockTestSupport
import XCTest

/// Mount-point checks the daemon makes at every start, exit and removal: statx's mount-root
/// attribute, and the byte scan of /proc/self/mountinfo, against real mounts.
final class HostPathsTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        try TestEnvironment.requireRoot()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-hostpaths \(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/inner dir", withIntermediateDirectories: true)
        let dir = directory!
        addTeardownBlock {
            _ = umount2(dir + "/inner dir/deeper", Int32(MNT_DETACH))
            _ = umount2(dir + "/inner dir", Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    private func mountTmpfs(_ path: String) throws {
        XCTAssertEqual(mount("tmpfs", path, "tmpfs", 0, "size=1m"), 0, String(cString: strerror(errno)))
    }

    func testMountRootsAreToldApartFromPlainDirectories() throws {
        XCTAssertTrue(HostPaths.isMountPoint("/"))
        XCTAssertTrue(HostPaths.isMountPoint("/proc"))
        XCTAssertFalse(HostPaths.isMountPoint("/proc/self"))
        XCTAssertFalse(HostPaths.isMountPoint(directory + "/inner dir"))
        XCTAssertFalse(HostPaths.isMountPoint(directory + "/no such entry"))
        try mountTmpfs(directory + "/inner dir")
        XCTAssertTrue(HostPaths.isMountPoint(directory + "/inner dir"), "a name with a space")
        XCTAssertFalse(HostPaths.isMountPoint(directory))
        _ = umount2(directory + "/inner dir", Int32(MNT_DETACH))
        XCTAssertFalse(HostPaths.isMountPoint(directory + "/inner dir"), "a lazy unmount shows at once")
    }

    func testTheMountinfoScanFindsMountsByTheirFifthField() throws {
        func listed(_ path: String) -> Bool {
            let escaped = Array(HostPaths.escapedForMountinfo(path).utf8)
            return HostPaths.mountPoints { $0.elementsEqual(escaped) }
        }
        XCTAssertTrue(listed("/proc"))
        XCTAssertFalse(listed(directory + "/inner dir"))
        try mountTmpfs(directory + "/inner dir")
        XCTAssertTrue(listed(directory + "/inner dir"))
        XCTAssertEqual(HostPaths.escapedForMountinfo("/a b\tc\\d"), "/a\\040b\\011c\\134d")
    }

    func testRemoveTreeLeavesATreeWithAMountInItAlone() throws {
        XCTAssertFalse(HostPaths.isMountPointBelow(directory))
        try mountTmpfs(directory + "/inner dir")
        try FileManager.default.createDirectory(atPath: directory + "/inner dir/deeper", withIntermediateDirectories: true)
        try mountTmpfs(directory + "/inner dir/deeper")
        XCTAssertTrue(HostPaths.isMountPointBelow(directory))
        XCTAssertTrue(HostPaths.isMountPointBelow(directory + "/inner dir"))
        XCTAssertFalse(HostPaths.isMountPointBelow(directory + "/inner"), "a name that only starts alike")
        HostPaths.removeTree(directory)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/inner dir/deeper"), "nothing deleted through the mounts")
        _ = umount2(directory + "/inner dir/deeper", Int32(MNT_DETACH))
        _ = umount2(directory + "/inner dir", Int32(MNT_DETACH))
        HostPaths.removeTree(directory)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }
}
