#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// Volumes through the real docker CLI against the in-process server with the real shim and runtime.
final class VolumeTests: XCTestCase {
    func rigWithServer() async throws -> ContainerRig? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return nil
        }
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        return rig
    }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    func testCreateListInspectPersistAcrossContainersInUseAndRemove() async throws {
        guard let rig = try await rigWithServer() else { return }
        XCTAssertEqual(try rig.docker(["volume", "create", "--label", "tier=db", "v1"]).stdout, "v1\n")
        XCTAssertEqual(try rig.docker(["volume", "create", "v2"]).status, 0)
        XCTAssertEqual(lines(try rig.docker(["volume", "ls", "-q"]).stdout), ["v1", "v2"])
        XCTAssertEqual(lines(try rig.docker(["volume", "ls", "-q", "--filter", "label=tier=db"]).stdout), ["v1"])
        let mountpoint = try rig.docker(["volume", "inspect", "-f", "{{.Mountpoint}} {{.Driver}} {{.Scope}}", "v1"]).stdout
        XCTAssertEqual(mountpoint, rig.layout.dataRoot + "/volumes/v1/_data local local\n")

        let write = try rig.docker(["run", "--rm", "-v", "v1:/data", "busybox", "sh", "-c", "echo kept > /data/f"])
        XCTAssertEqual(write.status, 0, write.stderr)
        let read = try rig.docker(["run", "--rm", "-v", "v1:/data:ro", "busybox", "cat", "/data/f"])
        XCTAssertEqual(read.stdout, "kept\n", read.stderr)
        let readOnly = try rig.docker(["run", "--rm", "-v", "v1:/data:ro", "busybox", "sh", "-c", "echo x > /data/g"])
        XCTAssertNotEqual(readOnly.status, 0, "a :ro volume is read-only inside")

        // First use creates the volume; inspect shows it as Docker does.
        let run = try rig.docker(["run", "-d", "--name", "user", "-v", "fresh:/data", "busybox", "sleep", "300"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let mounts = try rig.docker(["inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.Driver}} {{.RW}}{{end}}", "user"])
        XCTAssertEqual(mounts.stdout, "volume fresh \(rig.layout.dataRoot)/volumes/fresh/_data /data local true\n")
        XCTAssertEqual(try rig.docker(["ps", "-q", "--no-trunc", "--filter", "volume=fresh"]).stdout, id + "\n")
        XCTAssertEqual(try rig.docker(["ps", "-q", "--filter", "volume=v1"]).stdout, "")
        let inUse = try rig.docker(["volume", "rm", "fresh"])
        XCTAssertEqual(inUse.status, 1)
        XCTAssertEqual(inUse.stderr, "Error response from daemon: remove fresh: volume is in use - [\(id)]\n")
        XCTAssertEqual(lines(try rig.docker(["volume", "ls", "-q", "--filter", "dangling=true"]).stdout), ["v1", "v2"])
        XCTAssertEqual(try rig.docker(["rm", "-f", "user"]).status, 0)
        XCTAssertEqual(try rig.docker(["volume", "rm", "fresh", "v2"]).stdout, "fresh\nv2\n")
        let missing = try rig.docker(["volume", "inspect", "nosuch"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no such volume"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: rig.layout.dataRoot + "/volumes/fresh"))
    }

    func testNewVolumeIsSeededFromTheImageUnlessNocopy() async throws {
        guard let rig = try await rigWithServer() else { return }
        let seeded = try rig.docker(["run", "--rm", "-v", "seeded:/bin", "busybox", "ls", "/bin/busybox"])
        XCTAssertEqual(seeded.stdout, "/bin/busybox\n", seeded.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: rig.layout.dataRoot + "/volumes/seeded/_data/busybox"))
        let mount = try rig.docker(["run", "--rm", "--mount", "type=volume,src=bare,dst=/etc/x,volume-nocopy",
                                    "busybox", "true"])
        XCTAssertEqual(mount.status, 0, mount.stderr)
        let noCopy = try rig.docker(["run", "--rm", "--mount", "type=volume,src=empty,dst=/bin,volume-nocopy",
                                     "busybox", "true"])
        XCTAssertNotEqual(noCopy.status, 0, "with nocopy /bin is an empty volume: true is not there")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: rig.layout.dataRoot + "/volumes/empty/_data"))?.count, 0)
    }

    func testAnonymousVolumesGoWithRmVAndPrune() async throws {
        guard let rig = try await rigWithServer() else { return }
        XCTAssertEqual(try rig.docker(["create", "--name", "anon", "-v", "/scratch", "busybox", "true"]).status, 0)
        let info = try rig.docker(["inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}", "anon"]).stdout
        let parts = info.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        XCTAssertEqual(parts.count, 3, info)
        XCTAssertEqual(parts.first, "volume")
        XCTAssertEqual(parts.last, "/scratch")
        let name = String(parts[1])
        XCTAssertEqual(name.count, 64)
        XCTAssertEqual(lines(try rig.docker(["volume", "ls", "-q"]).stdout), [name])
        XCTAssertEqual(try rig.docker(["rm", "-v", "anon"]).status, 0)
        XCTAssertEqual(try rig.docker(["volume", "ls", "-q"]).stdout, "")

        // Without -v the anonymous volume stays, unused: prune removes it, named ones stay.
        XCTAssertEqual(try rig.docker(["create", "--name", "anon2", "-v", "/scratch", "busybox", "true"]).status, 0)
        XCTAssertEqual(try rig.docker(["volume", "create", "named"]).status, 0)
        XCTAssertEqual(try rig.docker(["rm", "anon2"]).status, 0)
        XCTAssertEqual(lines(try rig.docker(["volume", "ls", "-q"]).stdout).count, 2)
        let prune = try rig.docker(["volume", "prune", "-f"])
        XCTAssertEqual(prune.status, 0, prune.stderr)
        XCTAssertEqual(lines(try rig.docker(["volume", "ls", "-q"]).stdout), ["named"])
    }

    func testStartRebuildsTheSpecWithTheContainersVolumes() async throws {
        let rig = try ContainerRig(test: self)
        let (volume, _) = try rig.service.volumes.create(name: "rb")
        try "hello\n".write(toFile: volume.mountpoint + "/x", atomically: false, encoding: .utf8)
        var host = HostConfiguration()
        host.binds = ["rb:/data"]
        let config = ContainerConfiguration(attachStdout: true, attachStderr: true,
                                            cmd: ["sh", "-c", "cat /data/x; touch /anon/ok"], image: "busybox", volumes: ["/anon"])
        let created = try await rig.service.create(name: nil, config: config, hostConfig: host)
        // As after a reboot: the exec root (with config.json) is gone; start rebuilds the spec.
        try FileManager.default.removeItem(atPath: rig.layout.containerRunDirectory(created.id))
        let output = try await rig.service.attach(created.id, stdout: true, stderr: true, logs: false, stream: true)
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        _ = try await rig.service.start(created.id)
        let (out, err) = await collect(output)
        XCTAssertEqual(out, "hello\n", err)
        let result = await waiter.result()
        XCTAssertEqual(result?.statusCode, 0)
        let info = try await rig.service.inspect(created.id, size: false)
        let anonymous = try XCTUnwrap(info.mounts.first { $0.Destination == "/anon" })
        XCTAssertEqual(anonymous.Type, "volume")
        XCTAssertTrue(FileManager.default.fileExists(atPath: anonymous.Source + "/ok"))
    }
}
