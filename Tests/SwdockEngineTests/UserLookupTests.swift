import Foundation
import XCTest
@testable import SwdockEngine

final class UserLookupTests: XCTestCase {
    let passwd = "# users\nroot:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nbad line\nsvc:x:999:999::/srv:/bin/false\n"
    let group = "root:x:0:\nwheel:x:10:root,app\napp:x:1000:\nextra:x:2000:app\nsvc:x:999:\n"

    func testResolutions() throws {
        let cases: [(String, [String], UInt32, UInt32, [UInt32])] = [
            ("", [], 0, 0, [0, 10]),
            ("root", [], 0, 0, [0, 10]),
            ("app", [], 1000, 1000, [1000, 10, 2000]),
            ("1000", [], 1000, 1000, [1000, 10, 2000]),
            ("app:svc", [], 1000, 999, [999]),
            ("app:2000", [], 1000, 2000, [2000]),
            ("4242", [], 4242, 0, [0]),
            ("4242:4343", [], 4242, 4343, [4343]),
            ("svc", ["wheel", "5000", "svc"], 999, 999, [999, 10, 5000]),
        ]
        for (spec, groupAdd, uid, gid, gids) in cases {
            let user = try UserLookup.resolve(spec, groupAdd: groupAdd, passwd: passwd, group: group)
            XCTAssertEqual(user.uid, uid, spec)
            XCTAssertEqual(user.gid, gid, spec)
            XCTAssertEqual(user.additionalGids, gids, spec)
        }
        XCTAssertEqual(try UserLookup.resolve("app", passwd: passwd, group: group).home, "/home/app")
    }

    func testMissingFiles() throws {
        XCTAssertEqual(try UserLookup.resolve("1234:5678", passwd: nil, group: nil).additionalGids, [5678])
        assertEngineError(.notFound, "unable to find user app: no matching entries in passwd file") {
            _ = try UserLookup.resolve("app", passwd: nil, group: nil)
        }
        assertEngineError(.notFound, "unable to find group grp: no matching entries in group file") {
            _ = try UserLookup.resolve("0:grp", passwd: passwd, group: nil)
        }
        assertEngineError(.invalidArgument, "unable to find user 99999999999: uids and gids must be in range 0-2147483647") {
            _ = try UserLookup.resolve("99999999999", passwd: passwd, group: group)
        }
    }

    /// /etc/passwd of the rootfs is read inside the rootfs, also through an absolute symlink.
    func testRootfsFilesStayInsideTheRoot() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-rootfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        try "app:x:1000:1000::/:/bin/sh\n".write(to: root.appendingPathComponent("data/passwd"), atomically: false, encoding: .utf8)
        // An absolute symlink: on the host it would point at the host's /data/passwd.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/passwd").path,
                                                   withDestinationPath: "/data/passwd")
        // A symlink climbing out of the root stays at the root: this names <root>/data/group,
        // which does not exist, not the host's /data/group.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/group").path,
                                                   withDestinationPath: "../../../../../../data/group")
        // A symlink loop is an error, not a hang.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/loop").path,
                                                   withDestinationPath: "/etc/loop")
        let files = RootfsFiles(rootfs: root.path)
        XCTAssertEqual(try files.contents(of: "/etc/passwd"), "app:x:1000:1000::/:/bin/sh\n")
        XCTAssertNil(try files.contents(of: "/etc/group"))
        XCTAssertNil(try files.contents(of: "/etc/shadow"))
        XCTAssertThrowsError(try files.contents(of: "/etc/loop")) { error in
            XCTAssertEqual((error as? EngineError)?.code, .system)
        }
        let user = try UserLookup.resolve("app", files: files)
        XCTAssertEqual(user.uid, 1000)
        do {
            _ = try RootfsFiles(rootfs: root.path + "/nope").contents(of: "/etc/passwd")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .system)
        }
    }

    func testHostFactsOfThisMachine() throws {
        let host = try HostFacts.current()
        XCTAssertFalse(host.hostname.isEmpty)
        XCTAssertGreaterThanOrEqual(host.lastCapability, 37)
        XCTAssertGreaterThanOrEqual(host.cpuCount, 1)
        XCTAssertTrue(host.pathExists("/proc/self"))
        XCTAssertFalse(host.pathExists("/nonexistent/\(UUID().uuidString)"))
        let devices = try host.devices()
        let null = try XCTUnwrap(devices.first { $0.path == "/dev/null" })
        XCTAssertEqual(null, .init(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0))
        XCTAssertFalse(devices.contains { $0.path.hasPrefix("/dev/pts/") || $0.path == "/dev/console" })
        XCTAssertEqual(devices.map(\.path), devices.map(\.path).sorted())
    }
}
