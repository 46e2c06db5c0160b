import Foundation
import SwdockOCI
@testable import SwdockRuntime
import XCTest

/// state.json as `create` writes it: the record's fields by hand, the config copied verbatim.
final class StateStoreTests: XCTestCase {
    func testRecordWithVerbatimConfigLoadsBackEqual() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("c1"), withIntermediateDirectories: true)
        let store = StateStore(root: root.path)

        // A config as a person writes it: spacing, key order and escapes of its own.
        let configText = #"{ "ociVersion" : "1.0.2", "process": {"args": ["sh", "-c", "echo \"a\\b\"\n"], "cwd": "/",  "user": {"uid": 0, "gid": 0}},"# +
            #" "root": {"path": "rootfs"}, "hostname": "h\u00e9", "annotations": {"k": "v\"w"} }"#
        let config = try JSONDecoder().decode(RuntimeSpec.self, from: Data(configText.utf8))
        var record = ContainerRecord(id: "c1", initPid: 4242, initStartTime: 123_456_789, bundle: "/b \"quoted\"",
                                     rootfs: "/b/rootfs", created: "2026-12-02T00:00:00.000000001Z", owner: "",
                                     config: config, cgroupsPath: "/swdock/c1")
        record.cgroupDirectories = ["memory": "/sys/fs/cgroup/memory/swdock/c1", "cpu": "/sys/fs/cgroup/cpu/swdock/c1"]
        try store.save(record, configText: Array(configText.utf8))

        let loaded = try store.load("c1")
        XCTAssertEqual(loaded.id, record.id)
        XCTAssertEqual(loaded.initPid, 4242)
        XCTAssertEqual(loaded.initStartTime, 123_456_789)
        XCTAssertEqual(loaded.bundle, record.bundle)
        XCTAssertEqual(loaded.rootfs, record.rootfs)
        XCTAssertEqual(loaded.created, record.created)
        XCTAssertEqual(loaded.started, false)
        XCTAssertEqual(loaded.cgroupsPath, "/swdock/c1")
        XCTAssertEqual(loaded.cgroupDirectories, record.cgroupDirectories)
        XCTAssertEqual(loaded.config, config)
        XCTAssertEqual(loaded.config.process?.args, ["sh", "-c", "echo \"a\\b\"\n"])
        XCTAssertEqual(loaded.annotations, ["k": "v\"w"])
    }
}
