import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// A relative cgroupsPath is resolved once, at create: a later command run from another
/// cgroup still finds (and removes) the container's cgroup.
final class RelativeCgroupPathTests: XCTestCase {
    func testDeleteFromAnotherCgroupRemovesTheCgroupCreateMade() throws {
        try TestEnvironment.requireRoot()
        let pidsRoot = "/sys/fs/cgroup/pids"
        guard FileManager.default.fileExists(atPath: pidsRoot + "/cgroup.procs") else {
            throw XCTSkip("needs the cgroup v1 pids controller at \(pidsRoot)")
        }
        let bundle = try RuntimeBundle(self)
        let relative = "swdock-rel-\(UUID().uuidString.prefix(8).lowercased())"
        bundle.spec.linux?.cgroupsPath = relative
        bundle.spec.process?.args = ["sleep", "100"]
        var own = "/"
        for line in try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            if fields.count == 3, fields[1].split(separator: ",").contains("pids") { own = fields[2] }
        }
        let created = URL(fileURLWithPath: pidsRoot + own).appendingPathComponent(relative).path
        let other = pidsRoot + "/swdock-test-other-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
        addTeardownBlock {
            rmdir(other + "/" + relative)
            rmdir(other)
            rmdir(created)
        }

        let id = bundle.newID()
        let create = try bundle.runtimeDetached(["create", id])
        XCTAssertEqual(create.status, 0, create.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: created), "create makes \(created)")

        // The shell moves itself into another pids cgroup, then becomes `delete`.
        let delete = try runCommand("/bin/sh", ["-c", "echo $$ > \(other)/cgroup.procs && exec env -C \(bundle.directory.path) \(RuntimeBundle.runtime) --root \(bundle.root) delete --force \(id)"])
        XCTAssertEqual(delete.status, 0, delete.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: created), "delete from \(other) must remove \(created)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: other + "/" + relative), "delete must not resolve the path again")
    }
}
