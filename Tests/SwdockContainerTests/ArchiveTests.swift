#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockOS
import SwdockTestSupport
import XCTest

/// The archive API (`docker cp` both ways, `docker export`) through the real docker CLI against
/// the in-process server, on running and stopped containers with the real shim, runtime and
/// overlay snapshots.
final class ArchiveTests: XCTestCase {
    var rig: ContainerRig!
    var scratch = ""

    override func setUp() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        rig = try ContainerRig(test: self)
        try await rig.startServer()
        scratch = rig.root + "/host"
        let secret = hostSecret
        addTeardownBlock { unlink(secret) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// `docker ARGS` through a shell (for pipes into tar); stdout text.
    @discardableResult
    func shell(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let docker = "env DOCKER_HOST=\(rig.dockerHost) DOCKER_CONFIG=\(rig.root)/docker-config /usr/local/bin/docker"
        let result = try runCommand("/bin/sh", ["-c", script.replacingOccurrences(of: "DOCKER", with: docker)], timeout: 120)
        return result
    }

    func ok(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try rig.docker(arguments, timeout: 120)
        XCTAssertEqual(result.status, 0, "docker \(arguments): \(result.stderr)", file: file, line: line)
        return result.stdout
    }

    /// A container whose filesystem holds a file with a mode, owner and mtime, a link to `/`, a
    /// link to a host-looking path, and a marker; `running`: it keeps running, else it exited.
    func makeContainer(_ name: String, running: Bool, extra: [String] = []) throws -> String {
        // /d/f is made aside and renamed into place: a container started again rewrites it while
        // copies may be reading it (testConcurrentCopiesAndAStartOfAStoppedContainer).
        let script = "mkdir -p /d/sub && echo hi > /d/.f && chown 12:34 /d/.f && chmod 4750 /d/.f && touch -d '2021-03-04 05:06:07' /d/.f && mv /d/.f /d/f"
            + " && ln -s / /escape && ln -s \(hostSecret) /etc/y && echo inside > /etc/marker"
            + (running ? " && exec sleep 300" : "")
        return try ok(["run", "-d", "--name", name] + extra + ["busybox", "sh", "-c", script])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A host file a symlink in the containers names; no copy may read or replace it.
    let hostSecret = "/tmp/swdock-cp-secret-\(getpid())"

    func waitExited(_ name: String) throws {
        XCTAssertEqual(try ok(["wait", name]), "0\n")
    }

    func testCopyOutOfRunningAndStoppedContainers() throws {
        guard rig != nil else { return }
        try "host secret\n".write(toFile: hostSecret, atomically: false, encoding: .utf8)
        for running in [true, false] {
            let name = running ? "cp-out-run" : "cp-out-stopped"
            let id = try makeContainer(name, running: running)
            if running { Thread.sleep(forTimeInterval: 0.5) } else { try waitExited(name) }
            // The tar stream: the directory under its base name, the file's mode, owner and mtime.
            let listing = try shell("DOCKER cp \(name):/d - | tar -tv --numeric-owner --full-time")
            XCTAssertEqual(listing.status, 0, listing.stderr)
            let rows = listing.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            XCTAssertEqual(rows.map { String($0.last!) }, ["d/", "d/f", "d/sub/"], listing.stdout)
            let file = try XCTUnwrap(rows.first { $0.last == "d/f" })
            XCTAssertEqual(String(file[0]), "-rwsr-x---")
            XCTAssertEqual(String(file[1]), "12/34")
            XCTAssertEqual(String(file[3]) + " " + String(file[4]), "2021-03-04 05:06:07")
            // dir/. is the contents as ./…
            let dot = try shell("DOCKER cp \(name):/d/. - | tar -t")
            XCTAssertEqual(dot.stdout, "./\n./f\n./sub/\n")
            // To a host directory: the docker CLI's rules (new name, into an existing dir).
            let out = scratch + "/out-\(running)"
            XCTAssertEqual(try rig.docker(["cp", "\(name):/d", out]).status, 0)
            XCTAssertEqual(try String(contentsOfFile: out + "/f", encoding: .utf8), "hi\n")
            // Through the link to /: the container's own files, never the host's.
            XCTAssertEqual(try shell("DOCKER cp \(name):/escape/etc/marker - | tar -xO").stdout, "inside\n")
            // The link to a host path is archived as a link; followed (-L) it names nothing in the container.
            let link = try shell("DOCKER cp \(name):/etc/y - | tar -tv")
            XCTAssertTrue(link.stdout.hasPrefix("lrwxrwxrwx") && link.stdout.contains("y -> \(hostSecret)"), link.stdout)
            let followed = try rig.docker(["cp", "-L", "\(name):/etc/y", scratch + "/followed"])
            XCTAssertEqual(followed.status, 1)
            XCTAssertEqual(followed.stderr, "Error response from daemon: Could not find the file \(hostSecret) in container \(name)\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/followed"))
            let missing = try rig.docker(["cp", "\(name):/nope", scratch])
            XCTAssertEqual(missing.status, 1)
            XCTAssertEqual(missing.stderr, "Error response from daemon: Could not find the file /nope in container \(name)\n")
            // A stopped container's snapshot was mounted only in the copy's own namespace.
            if !running { XCTAssertFalse(rig.isMounted(rig.layout.containerRunDirectory(id) + "/bundle/rootfs")) }
        }
        XCTAssertEqual(try String(contentsOfFile: hostSecret, encoding: .utf8), "host secret\n")
    }

    func testCopyIntoRunningAndStoppedContainersStaysInside() throws {
        guard rig != nil else { return }
        let source = scratch + "/src"
        try FileManager.default.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
        try "a\n".write(toFile: source + "/a", atomically: false, encoding: .utf8)
        try "b\n".write(toFile: source + "/sub/b", atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(source + "/a", 0o4751), 0)
        XCTAssertEqual(chown(source + "/sub/b", 1234, 5678), 0)
        var times = [timespec(tv_sec: 1_600_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, source + "/a", &times, 0), 0)
        let hostTarget = "/tmp/swdock-cp-escape-\(getpid())"
        defer { unlink(hostTarget) }
        try "host secret\n".write(toFile: hostSecret, atomically: false, encoding: .utf8)
        for running in [true, false] {
            let name = running ? "cp-in-run" : "cp-in-stopped"
            let id = try makeContainer(name, running: running)
            if running { Thread.sleep(forTimeInterval: 0.5) } else { try waitExited(name) }
            XCTAssertEqual(try rig.docker(["cp", source, "\(name):/tmp/"]).status, 0)
            let listing = try shell("DOCKER cp \(name):/tmp/src - | tar -tv --numeric-owner --full-time")
            let rows = listing.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            XCTAssertEqual(rows.map { String($0.last!) }, ["src/", "src/a", "src/sub/", "src/sub/b"], listing.stdout)
            let a = try XCTUnwrap(rows.first { $0.last == "src/a" })
            XCTAssertEqual(String(a[0]), "-rwsr-x--x")
            XCTAssertEqual(String(a[3]) + " " + String(a[4]), "2020-09-13 12:26:40")
            let b = try XCTUnwrap(rows.first { $0.last == "src/sub/b" })
            XCTAssertEqual(String(b[1]), "1234/5678", "the archive's owners are kept")
            // A new name for a file; into a directory that a link to / reaches; onto the link to a host path.
            XCTAssertEqual(try rig.docker(["cp", source + "/a", "\(name):/tmp/renamed"]).status, 0)
            XCTAssertEqual(try shell("DOCKER cp \(name):/tmp/renamed - | tar -xO").stdout, "a\n")
            XCTAssertEqual(try rig.docker(["cp", source + "/a", "\(name):/escape\(hostTarget)"]).status, 0)
            XCTAssertFalse(FileManager.default.fileExists(atPath: hostTarget), "a link to / in the container reached the host")
            XCTAssertEqual(try shell("DOCKER cp \(name):\(hostTarget) - | tar -xO").stdout, "a\n")
            XCTAssertEqual(try rig.docker(["cp", source + "/sub/b", "\(name):/etc/y"]).status, 0)
            XCTAssertEqual(try String(contentsOfFile: hostSecret, encoding: .utf8), "host secret\n")
            XCTAssertEqual(try shell("DOCKER cp \(name):\(hostSecret) - | tar -xO").stdout, "b\n", "written at the link's target inside")
            // A tar stream with a name that climbs out of the destination is refused.
            let evil = scratch + "/evil.tar"
            XCTAssertEqual(try runCommand("/bin/sh", ["-c", "cd \(scratch) && tar -cf \(evil) -P --transform 's,^src/a,../../../../tmp/evil-\(getpid()),' src/a"]).status, 0)
            let refused = try shell("DOCKER cp - \(name):/tmp < \(evil)")
            XCTAssertEqual(refused.status, 1)
            XCTAssertTrue(refused.stderr.contains("is outside of \"/tmp\""), refused.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/evil-\(getpid())"))
            // The destination must exist as a directory for a stream, and mode errors are docker's.
            let notDir = try shell("DOCKER cp - \(name):/etc/marker < \(evil)")
            XCTAssertEqual(notDir.stderr, "destination \"\(name):/etc/marker\" must be a directory\n")
            if !running { XCTAssertFalse(rig.isMounted(rig.layout.containerRunDirectory(id) + "/bundle/rootfs")) }
            // A stopped container starts with what was copied in.
            if !running {
                XCTAssertEqual(try ok(["start", name]), name + "\n")
            }
        }
    }

    func testCopyArchiveModeGivesTheContainerUser() throws {
        guard rig != nil else { return }
        let file = scratch + "/owned"
        try "x\n".write(toFile: file, atomically: false, encoding: .utf8)
        XCTAssertEqual(chown(file, 4321, 4321), 0)
        _ = try ok(["create", "--name", "cp-user", "-u", "7:8", "busybox", "true"])
        XCTAssertEqual(try rig.docker(["cp", file, "cp-user:/tmp/plain"]).status, 0)
        XCTAssertEqual(try rig.docker(["cp", "-a", file, "cp-user:/tmp/archived"]).status, 0)
        let listing = try shell("DOCKER cp cp-user:/tmp - | tar -tv --numeric-owner")
        XCTAssertTrue(listing.stdout.contains("4321/4321") && listing.stdout.contains("tmp/plain"), listing.stdout)
        let archived = listing.stdout.split(separator: "\n").first { $0.hasSuffix("tmp/archived") } ?? ""
        XCTAssertTrue(archived.contains(" 7/8 "), String(archived))
    }

    func testCopyIntoVolumesAndBindsOfStoppedAndRunningContainers() throws {
        guard rig != nil else { return }
        let bind = scratch + "/bind"
        try FileManager.default.createDirectory(atPath: bind, withIntermediateDirectories: true)
        let file = scratch + "/payload"
        try "payload\n".write(toFile: file, atomically: false, encoding: .utf8)
        _ = try ok(["create", "--name", "cp-vol", "-v", "cpvol:/data", "-v", "\(bind):/bound", "-v", "\(scratch):/ro:ro",
                    "busybox", "sleep", "300"])
        XCTAssertEqual(try rig.docker(["cp", file, "cp-vol:/data/stopped"]).status, 0)
        XCTAssertEqual(try rig.docker(["cp", file, "cp-vol:/bound/stopped"]).status, 0)
        let volume = rig.layout.dataRoot + "/volumes/cpvol/_data"
        XCTAssertEqual(try String(contentsOfFile: volume + "/stopped", encoding: .utf8), "payload\n")
        XCTAssertEqual(try String(contentsOfFile: bind + "/stopped", encoding: .utf8), "payload\n")
        let readOnly = try rig.docker(["cp", file, "cp-vol:/ro/x"])
        XCTAssertEqual(readOnly.status, 1)
        XCTAssertEqual(readOnly.stderr, "Error response from daemon: mounted volume is marked read-only\n")
        XCTAssertEqual(try shell("DOCKER cp cp-vol:/bound/stopped - | tar -xO").stdout, "payload\n")
        _ = try ok(["start", "cp-vol"])
        XCTAssertEqual(try rig.docker(["cp", file, "cp-vol:/data/running"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: volume + "/running", encoding: .utf8), "payload\n")
        XCTAssertEqual(try ok(["exec", "cp-vol", "cat", "/data/stopped", "/bound/stopped"]), "payload\npayload\n")
        _ = try ok(["create", "--name", "cp-ro", "--read-only", "busybox", "true"])
        let rootReadOnly = try rig.docker(["cp", file, "cp-ro:/tmp/"])
        XCTAssertEqual(rootReadOnly.stderr, "Error response from daemon: container rootfs is marked read-only\n")
    }

    func testBigFileBothWays() throws {
        guard rig != nil else { return }
        let big = scratch + "/big"
        XCTAssertEqual(try runCommand("/bin/sh", ["-c", "head -c 20000000 /dev/urandom > \(big)"]).status, 0)
        for running in [true, false] {
            let name = running ? "cp-big-run" : "cp-big-stopped"
            _ = try ok(["run", "-d", "--name", name, "busybox", running ? "sleep" : "true"] + (running ? ["300"] : []))
            if !running { try waitExited(name) }
            XCTAssertEqual(try rig.docker(["cp", big, "\(name):/big"], timeout: 120).status, 0)
            let back = scratch + "/back-\(running)"
            XCTAssertEqual(try rig.docker(["cp", "\(name):/big", back], timeout: 120).status, 0)
            let sums = try runCommand("/usr/bin/sha256sum", [big, back]).stdout.split(separator: "\n").map { $0.prefix(64) }
            XCTAssertEqual(sums.count, 2)
            XCTAssertEqual(sums.first, sums.last)
        }
    }

    func testConcurrentCopiesAndAStartOfAStoppedContainer() throws {
        guard rig != nil else { return }
        let id = try makeContainer("cp-concurrent", running: false)
        try waitExited("cp-concurrent")
        let file = scratch + "/payload"
        try "payload\n".write(toFile: file, atomically: false, encoding: .utf8)
        // Copies out and in, and a start, all at once: none may unmount what another uses.
        let group = DispatchGroup()
        let results = Locked<[String: Int32]>([:])
        let rig = self.rig!, scratch = self.scratch
        for index in 0..<6 {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                let arguments = index % 2 == 0 ? ["cp", "cp-concurrent:/d", scratch + "/c\(index)"]
                    : ["cp", file, "cp-concurrent:/tmp/c\(index)"]
                let outcome = try? rig.docker(arguments, timeout: 60)
                if let outcome, outcome.status != 0 { print("cp \(index) failed: \(outcome.stderr)") }
                results.withLock { $0["cp \(index)"] = outcome?.status ?? -1 }
            }
        }
        group.enter()
        DispatchQueue.global().async {
            defer { group.leave() }
            let status = (try? rig.docker(["start", "cp-concurrent"], timeout: 60).status) ?? -1
            results.withLock { $0["start"] = status }
        }
        group.wait()
        XCTAssertEqual(results.withLock { $0 }.filter { $0.value != 0 }, [:])
        for index in stride(from: 0, to: 6, by: 2) {
            XCTAssertEqual(try String(contentsOfFile: scratch + "/c\(index)/f", encoding: .utf8), "hi\n")
        }
        _ = try rig.docker(["wait", "cp-concurrent"])
        XCTAssertEqual(try ok(["inspect", "-f", "{{.State.Status}}", "cp-concurrent"]), "exited\n")
        // After the start (the container ran its script again and exited), nothing stays mounted.
        XCTAssertFalse(rig.isMounted(rig.layout.containerRunDirectory(id) + "/bundle/rootfs"))
        for index in stride(from: 1, to: 6, by: 2) {
            XCTAssertEqual(try shell("DOCKER cp cp-concurrent:/tmp/c\(index) - | tar -xO").stdout, "payload\n")
        }
    }

    func testExportIsTheContainerFilesystemWithoutMounts() throws {
        guard rig != nil else { return }
        let bind = scratch + "/exportbind"
        try FileManager.default.createDirectory(atPath: bind, withIntermediateDirectories: true)
        try "not exported\n".write(toFile: bind + "/hostfile", atomically: false, encoding: .utf8)
        for running in [true, false] {
            let name = running ? "export-run" : "export-stopped"
            _ = try makeContainer(name, running: running, extra: ["-v", "\(bind):/bound"])
            if running { Thread.sleep(forTimeInterval: 0.5) } else { try waitExited(name) }
            let listing = try shell("DOCKER export \(name) | tar -t")
            XCTAssertEqual(listing.status, 0, listing.stderr)
            let names = Set(listing.stdout.split(separator: "\n").map(String.init))
            for expected in ["bin/", "bin/busybox", "d/", "d/f", "escape", "etc/marker", "etc/y"] {
                XCTAssertTrue(names.contains(expected), "\(expected) missing from export of \(name)")
            }
            XCTAssertFalse(names.contains("bound/hostfile"), "a bind's content is not the container's")
            XCTAssertFalse(names.contains { $0.hasPrefix("/") || $0.hasPrefix("./") })
        }
        let missing = try rig.docker(["export", "nosuch"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "Error response from daemon: No such container: nosuch\n")
    }
}
