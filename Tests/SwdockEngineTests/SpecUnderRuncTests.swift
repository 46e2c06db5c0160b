import Foundation
import XCTest
import SwdockOCI
import SwdockTestSupport
@testable import SwdockEngine

/// A spec from the builder, with this host's facts, run by runc on a busybox rootfs: the
/// process sees the identity, capabilities, mounts and files the spec asked for.
final class SpecUnderRuncTests: XCTestCase {
    func testBuiltSpecRunsUnderRunc() throws {
        try TestEnvironment.requireRoot()
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runc") else { return try TestEnvironment.missing("runc") }
        guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else { return try TestEnvironment.missing("busybox-static") }
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("swdock-spec-\(UUID().uuidString.prefix(8))")
        let rootfs = dir.appendingPathComponent("rootfs"), containerDir = dir.appendingPathComponent("container")
        let runcRoot = dir.appendingPathComponent("runc-state")
        let id = (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased().prefix(64)
        try fm.createDirectory(at: rootfs.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try fm.createDirectory(at: rootfs.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try fm.createDirectory(at: containerDir, withIntermediateDirectories: true)
        let cgroupParent = "/swdock-spec-test-\(id.prefix(8))"
        addTeardownBlock {
            _ = try? runCommand("/usr/sbin/runc", ["--root", runcRoot.path, "delete", "--force", String(id)])
            try? fm.removeItem(at: dir)
            // runc removes the container's cgroups; the parent it created is ours to remove.
            for controller in (try? fm.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
                let path = "/sys/fs/cgroup/\(controller)\(cgroupParent)"
                if fm.fileExists(atPath: path) { rmdir(path) }
            }
        }
        try fm.copyItem(atPath: "/bin/busybox", toPath: rootfs.appendingPathComponent("bin/busybox").path)
        for tool in ["sh", "id", "cat", "grep", "hostname", "ls"] {
            try fm.createSymbolicLink(atPath: rootfs.appendingPathComponent("bin/\(tool)").path, withDestinationPath: "busybox")
        }
        try fixturePasswd.write(to: rootfs.appendingPathComponent("etc/passwd"), atomically: false, encoding: .utf8)
        try fixtureGroup.write(to: rootfs.appendingPathComponent("etc/group"), atomically: false, encoding: .utf8)

        var hc = HostConfiguration()
        hc.networkMode = "none"
        hc.capDrop = ["chown"]
        hc.readonlyRootfs = true
        hc.tmpfs = ["/scratch": "size=1m"]
        hc.memory = 64 << 20
        hc.pidsLimit = 50
        // The test runs in whatever cgroup namespace the host has; keep it simple on v1.
        hc.cgroupnsMode = "host"
        let script = "id; grep CapBnd /proc/self/status; hostname; cat /etc/hostname; ls /scratch && echo scratch-ok; " +
            "cat /proc/kcore 2>&1 | head -c 0; echo x > /rootfile 2>/dev/null || echo readonly-ok; echo $FOO"
        let config = ContainerConfiguration(user: "app", env: ["FOO=bar"], cmd: ["/bin/sh", "-c", script])
        let host = try HostFacts.current()
        let plan = try ContainerSpecBuilder(defaults: SpecDefaults(cgroupParent: cgroupParent), host: host)
            .build(config: config, hostConfig: hc,
                   context: ContainerSpecContext(id: String(id), image: nil, rootfs: rootfs.path,
                                                 rootfsFiles: RootfsFiles(rootfs: rootfs.path),
                                                 containerDirectory: containerDir.path))
        for file in plan.files {
            try file.contents.write(to: containerDir.appendingPathComponent(file.name), atomically: false, encoding: .utf8)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(plan.spec).write(to: dir.appendingPathComponent("config.json"))

        let result = try runCommand("/usr/sbin/runc", ["--root", runcRoot.path, "run", "--bundle", dir.path, String(id)])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(fm.fileExists(atPath: "/sys/fs/cgroup/pids\(cgroupParent)"), "runc used the spec's cgroupsPath")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)")
        // 14 default capabilities minus CAP_CHOWN (bit 0).
        XCTAssertEqual(lines.dropFirst().first, "CapBnd:\t00000000a80425fa")
        XCTAssertEqual(lines.dropFirst(2).first, String(id.prefix(12)))
        XCTAssertEqual(lines.dropFirst(3).first, String(id.prefix(12)))
        XCTAssertTrue(lines.contains("scratch-ok"), result.stdout)
        XCTAssertTrue(lines.contains("readonly-ok"), result.stdout)
        XCTAssertEqual(lines.last, "bar")
    }
}
