import Foundation
import SwdockTestSupport
import XCTest

/// `docker diff`, `docker commit` and `docker import` against a private swdockd, driven by the
/// real docker CLI 28, under both storage drivers; the committed image also goes through
/// `docker save` into a private dockerd and runs there.
final class CommitImportTests: XCTestCase {
    let cli = "/usr/local/bin/docker"

    struct Daemon {
        let daemon: PrivateDaemon
        let test: XCTestCase
        let cli: String

        @discardableResult
        func docker(_ arguments: [String], input: Data? = nil, expect status: Int32 = 0,
                    file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
            let result = try runCommand(cli, ["-H", daemon.host] + arguments, timeout: 300, input: input,
                                        environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()])
            XCTAssertEqual(result.status, status, "docker \(arguments): \(result.stdout)\(result.stderr)\n\(daemon.log.suffix(3000))",
                           file: file, line: line)
            return result
        }
    }

    private func start(driver: String) throws -> Daemon {
        try TestEnvironment.requireRoot()
        guard FileManager.default.isExecutableFile(atPath: cli) else {
            try TestEnvironment.missing("docker CLI 28 at \(cli)")
            throw XCTSkip("unreachable")
        }
        let daemon = try PrivateDaemon(config: "{\"storage-driver\":\"\(driver)\"}")
        addTeardownBlock {
            daemon.stop()
            try? FileManager.default.removeItem(at: daemon.directory)
        }
        return Daemon(daemon: daemon, test: self, cli: cli)
    }

    private func busybox() throws -> String {
        "\(try TestEnvironment.require("SWDOCK_TEST_REGISTRY"))/swdock-fixtures/busybox:latest"
    }

    /// Added, changed and deleted files, a hard link, and (overlay) a directory removed and made
    /// again (an opaque directory in the upper layer).
    static let script = "echo new > /etc/new; echo x >> /etc/passwd; rm /etc/group; rm -rf /home; mkdir -p /home/other; "
        + "echo f > /home/other/f; mkdir /tmp/d; ln /etc/new /tmp/d/hl"

    func testDiffAndCommitUnderOverlay() throws {
        try checkDiffAndCommit(driver: "overlay2", expectedDiff: [
            "C /etc", "D /etc/group", "A /etc/new", "C /etc/passwd",
            // rm -rf then mkdir: overlayfs makes /home opaque, which dockerd reports as deleted.
            "D /home", "A /home/other", "A /home/other/f",
            "C /tmp", "A /tmp/d", "A /tmp/d/hl",
        ])
    }

    func testDiffAndCommitUnderVfs() throws {
        try checkDiffAndCommit(driver: "vfs", expectedDiff: [
            "C /etc", "D /etc/group", "A /etc/new", "C /etc/passwd",
            // Tree comparison (moby's ChangesDirs): the old entry of /home is gone, the new one added.
            "C /home", "D /home/app", "A /home/other", "A /home/other/f",
            "C /tmp", "A /tmp/d", "A /tmp/d/hl",
        ])
    }

    private func checkDiffAndCommit(driver: String, expectedDiff: [String]) throws {
        let d = try start(driver: driver)
        let image = try busybox()
        try d.docker(["pull", "-q", image])

        // A container that changed nothing has no changes and commits an empty layer.
        try d.docker(["run", "--name", "fresh", image, "true"])
        XCTAssertEqual(try d.docker(["diff", "fresh"]).stdout, "")
        XCTAssertEqual(try runCommand(TestEnvironment.executable("swdock"), ["-H", d.daemon.host, "diff", "fresh"],
                                      timeout: 60).stdout, "")
        try d.docker(["commit", "fresh", "swdock-test/fresh:1"])
        XCTAssertEqual(try d.docker(["image", "inspect", "-f", "{{len .RootFS.Layers}}", "swdock-test/fresh:1"]).stdout, "1\n")

        try d.docker(["run", "--name", "c1", image, "sh", "-c", Self.script])
        let diff = try d.docker(["diff", "c1"]).stdout
        XCTAssertEqual(diff.split(separator: "\n").map(String.init), expectedDiff)
        let ours = try runCommand(TestEnvironment.executable("swdock"), ["-H", d.daemon.host, "diff", "c1"], timeout: 60)
        XCTAssertEqual(ours.stdout, diff, ours.stderr)

        let commit = try d.docker(["commit", "-a", "tester", "-m", "the message", "-c", "ENV FOO=bar", "-c", "EXPOSE 8080/udp",
                                   "-c", "LABEL stage=committed", "-c", "WORKDIR /tmp", "-c", "USER 1000",
                                   "-c", "CMD [\"cat\", \"/etc/new\"]", "c1", "swdock-test/commit:1"])
        let id = commit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(id.hasPrefix("sha256:") && id.count == 71, commit.stdout)
        XCTAssertEqual(try d.docker(["image", "inspect", "-f", "{{.Id}}", "swdock-test/commit:1"]).stdout, id + "\n")

        // The new image runs with the change; deleted files are absent; hard links stay linked.
        XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/commit:1"]).stdout, "new\n")
        let check = "ls /etc/group 2>/dev/null || echo no-group; ls /home; cat /home/other/f; tail -1 /etc/passwd; "
            + "echo $FOO; pwd; id -u; [ /etc/new -ef /tmp/d/hl ] && echo linked"
        XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/commit:1", "sh", "-c", check]).stdout,
                       "no-group\nother\nf\nx\nbar\n/tmp\n1000\nlinked\n")

        // --change instructions and the commit's metadata, as inspect shows them.
        let format = "{{json .Config.Env}}|{{json .Config.Cmd}}|{{json .Config.ExposedPorts}}|{{json .Config.Labels}}|"
            + "{{.Config.WorkingDir}}|{{.Config.User}}|{{.Author}}|{{len .RootFS.Layers}}"
        XCTAssertEqual(try d.docker(["image", "inspect", "-f", format, "swdock-test/commit:1"]).stdout,
                       "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"FOO=bar\"]|[\"cat\",\"/etc/new\"]|"
                       + "{\"8080/udp\":{}}|{\"stage\":\"committed\"}|/tmp|1000|tester|2\n")
        let history = try d.docker(["image", "history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "swdock-test/commit:1"])
        XCTAssertEqual(history.stdout.split(separator: "\n").first.map(String.init), "sh -c \(Self.script)|the message")

        // A change dockerd does not accept is refused with its message; nothing is made.
        let refused = try d.docker(["commit", "-c", "RUN true", "c1", "swdock-test/refused:1"], expect: 1)
        XCTAssertTrue(refused.stderr.contains("run is not a valid change command"), refused.stderr)

        // A running container is paused for the commit and running afterwards.
        try d.docker(["run", "-d", "--name", "live", image, "sh", "-c", "echo live > /live; exec sleep 300"])
        try d.docker(["commit", "live", "swdock-test/live:1"])
        XCTAssertEqual(try d.docker(["inspect", "-f", "{{.State.Status}}", "live"]).stdout, "running\n")
        XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/live:1", "cat", "/live"]).stdout, "live\n")

        // A commit of a committed image's container stacks a third layer on the second.
        let blobs = d.daemon.dataRoot + "/content/blobs/sha256"
        let snapshots = d.daemon.dataRoot + "/snapshots/" + (driver == "vfs" ? "vfs" : "overlayfs") + "/snapshots"
        func stored() throws -> (blobs: Set<String>, snapshots: Set<String>) {
            (Set(try FileManager.default.contentsOfDirectory(atPath: blobs)),
             Set(try FileManager.default.contentsOfDirectory(atPath: snapshots)))
        }
        let beforeSecond = try stored()
        try d.docker(["run", "--name", "c2", "-u", "0", "swdock-test/commit:1", "sh", "-c", "rm /etc/new; echo two > /two"])
        XCTAssertEqual(try d.docker(["diff", "c2"]).stdout, "C /etc\nD /etc/new\nA /two\n")
        try d.docker(["commit", "c2", "swdock-test/commit:2"])
        XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/commit:2", "sh", "-c",
                                     "cat /two; ls /etc/new 2>/dev/null || echo gone; cat /tmp/d/hl"]).stdout, "two\ngone\nnew\n")

        // A committed image a container uses cannot go; rmi of the second commit takes exactly what it added.
        let inUse = try d.docker(["rmi", "swdock-test/commit:1"], expect: 1)
        XCTAssertTrue(inUse.stderr.contains("conflict"), inUse.stderr)
        try d.docker(["rm", "c2"])
        let withSecond = try stored()
        XCTAssertTrue(withSecond.blobs.isStrictSuperset(of: beforeSecond.blobs))
        XCTAssertTrue(withSecond.snapshots.isStrictSuperset(of: beforeSecond.snapshots))
        try d.docker(["rmi", "swdock-test/commit:2"])
        let afterSecond = try stored()
        XCTAssertEqual(afterSecond.blobs, beforeSecond.blobs, "the second commit's layer, config and manifest are gone")
        XCTAssertEqual(afterSecond.snapshots, beforeSecond.snapshots, "its snapshot is gone, the first commit's stays")
        XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/commit:1"]).stdout, "new\n")

        // rmi of everything (containers first) leaves no blob and no snapshot.
        try d.docker(["rm", "-f", "fresh", "c1", "live"])
        try d.docker(["rmi", "swdock-test/commit:1", "swdock-test/live:1", "swdock-test/fresh:1", image])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: blobs), [])
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? [], [])
    }

    func testCommittedImageLoadsAndRunsInDockerd() throws {
        let d = try start(driver: "overlay2")
        let image = try busybox()
        try d.docker(["pull", "-q", image])
        try d.docker(["run", "--name", "c1", image, "sh", "-c", Self.script])
        try d.docker(["commit", "-c", "CMD [\"cat\", \"/etc/new\"]", "c1", "swdock-test/exported:1"])
        let archive = d.daemon.directory.path + "/exported.tar"
        try d.docker(["save", "-o", archive, "swdock-test/exported:1"])

        let dockerd = try PrivateDockerd(runtimes: [:])
        addTeardownBlock { dockerd.stop() }
        let load = try dockerd.docker(["load", "-i", archive], timeout: 300)
        XCTAssertEqual(load.stdout, "Loaded image: swdock-test/exported:1\n", load.stderr + dockerd.log)
        XCTAssertEqual(try dockerd.docker(["run", "--rm", "swdock-test/exported:1"], timeout: 120).stdout, "new\n")
        let there = try dockerd.docker(["run", "--rm", "swdock-test/exported:1", "sh", "-c",
                                        "ls /etc/group 2>/dev/null || echo no-group; ls /home; [ /etc/new -ef /tmp/d/hl ] && echo linked"],
                                       timeout: 120)
        XCTAssertEqual(there.stdout, "no-group\nother\nlinked\n", there.stderr)
        _ = try? dockerd.docker(["rmi", "-f", "swdock-test/exported:1"], timeout: 120)
    }

    /// docker-py 7.1's `Container.commit` sends a Config as the body: it is the base of the new
    /// config; the `commit` event carries dockerd's attributes.
    func testDockerPyCommitWithAConfigBodyAndTheCommitEvent() throws {
        let d = try start(driver: "overlay2")
        let image = try busybox()
        try d.docker(["pull", "-q", image])
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        try d.docker(["run", "--name", "py", image, "sh", "-c", "echo py > /py"])
        let script = """
            import docker, sys
            client = docker.DockerClient(base_url=sys.argv[1], version="1.41")
            container = client.containers.get("py")
            image = container.commit(repository="swdock-test/py", tag="1", message="from py", author="py",
                                     changes=["ENV FROM_CHANGE=1"], conf={"Cmd": ["cat", "/py"], "Env": ["FROM_CONF=1"]})
            print(image.id)
            print(client.containers.run("swdock-test/py:1", remove=True).decode(), end="")
            print(client.images.get("swdock-test/py:1").attrs["Config"]["Env"])
            print(client.api.diff("py"))
            """
        guard try runCommand("/usr/bin/env", ["python3", "-c", "import docker"], timeout: 30).status == 0 else {
            try TestEnvironment.missing("docker-py (python3 -m pip install docker)")
            return
        }
        let result = try runCommand("/usr/bin/env", ["python3", "-c", script, d.daemon.host], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr + d.daemon.log.suffix(2000))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, result.stdout)
        guard lines.count == 4 else { return }
        XCTAssertTrue(lines[0].hasPrefix("sha256:"), lines[0])
        XCTAssertEqual(lines[1], "py")
        XCTAssertEqual(lines[2], "['FROM_CONF=1', 'FROM_CHANGE=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']")
        XCTAssertEqual(lines[3], "[{'Path': '/py', 'Kind': 1}]")
        let until = String(Int(Date().timeIntervalSince1970) + 1)
        let events = try d.docker(["events", "--since", since, "--until", until, "--filter", "event=commit",
                                   "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.comment}} "
                                   + "{{.Actor.Attributes.imageRef}} {{.Actor.Attributes.imageID}}"])
        XCTAssertEqual(events.stdout, "container commit py from py swdock-test/py:1 \(lines[0])\n")
    }

    /// A rootfs directory with busybox as /bin/sh and /hello, and its tarball in `compression`
    /// (a tar flag: z, J, or nothing).
    private func rootfsTarball(in directory: String, compression: String) throws -> String {
        let rootfs = directory + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: rootfs + "/bin/busybox") {
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/sh", withDestinationPath: "busybox")
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/cat", withDestinationPath: "busybox")
            try "hello from import\n".write(toFile: rootfs + "/hello", atomically: false, encoding: .utf8)
        }
        let tarball = directory + "/rootfs-\(compression.isEmpty ? "plain" : compression).tar"
        let result = try runCommand("/bin/tar", ["-C", rootfs, "-c\(compression)f", tarball, "."], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        return tarball
    }

    func testImportFromFileStdinAndURL() throws {
        for driver in ["overlay2", "vfs"] {
            let d = try start(driver: driver)
            let scratch = d.daemon.directory.path

            // A file (xz), with changes and a message.
            let xz = try rootfsTarball(in: scratch, compression: "J")
            let imported = try d.docker(["import", "-m", "from a file", "-c", "ENV GREETING=hi",
                                         "-c", "CMD [\"/bin/sh\", \"-c\", \"echo $GREETING; cat /hello\"]", xz, "swdock-test/imported:1"])
            let id = imported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(id.hasPrefix("sha256:") && id.count == 71, imported.stdout)
            XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/imported:1"]).stdout, "hi\nhello from import\n")
            XCTAssertEqual(try d.docker(["image", "inspect", "-f", "{{.Id}} {{.Os}} {{len .RootFS.Layers}} {{.Comment}}",
                                         "swdock-test/imported:1"]).stdout, "\(id) linux 1 from a file\n")
            XCTAssertEqual(try d.docker(["image", "history", "--format", "{{.Comment}}", "swdock-test/imported:1"]).stdout,
                           "from a file\n")

            // STDIN (gzip) through `-`, and swdock's own CLI with a plain tar.
            let gz = try rootfsTarball(in: scratch, compression: "z")
            try d.docker(["import", "-", "swdock-test/imported:2"], input: try Data(contentsOf: URL(fileURLWithPath: gz)))
            XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/imported:2", "cat", "/hello"]).stdout, "hello from import\n")
            let plain = try rootfsTarball(in: scratch, compression: "")
            let ours = try runCommand(TestEnvironment.executable("swdock"), ["-H", d.daemon.host, "import", plain, "swdock-test/imported:3"],
                                      timeout: 120)
            XCTAssertEqual(ours.status, 0, ours.stderr)
            XCTAssertTrue(ours.stdout.hasPrefix("sha256:"), ours.stdout)
            XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/imported:3", "cat", "/hello"]).stdout, "hello from import\n")

            // A URL on 127.0.0.1 (a server of this test's own).
            let server = try StaticFileServer(directory: scratch)
            addTeardownBlock { server.stop() }
            try d.docker(["import", "\(server.url)/\(URL(fileURLWithPath: gz).lastPathComponent)", "swdock-test/imported:4"])
            XCTAssertEqual(try d.docker(["run", "--rm", "swdock-test/imported:4", "cat", "/hello"]).stdout, "hello from import\n")
            server.stop()

            // Not a tarball: refused, nothing recorded.
            let junk = scratch + "/junk.tar"
            try Data("this is not a tar archive\n".utf8).write(to: URL(fileURLWithPath: junk))
            let refused = try d.docker(["import", junk, "swdock-test/junk:1"], expect: 1)
            XCTAssertFalse(refused.stderr.isEmpty)
            try d.docker(["image", "inspect", "swdock-test/junk:1"], expect: 1)

            try d.docker(["rmi", "swdock-test/imported:1", "swdock-test/imported:2", "swdock-test/imported:3",
                          "swdock-test/imported:4"], expect: 0)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d.daemon.dataRoot + "/content/blobs/sha256"), [])
            d.daemon.stop()
        }
    }
}

/// `python3 -m http.server` on 127.0.0.1 at a free port, serving `directory`.
final class StaticFileServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init(directory: String) throws {
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "http.server", "--bind", "127.0.0.1", "--directory", directory, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            let probe = try runCommand("/usr/bin/curl", ["-sf", "-o", "/dev/null", "--max-time", "1", url + "/"], timeout: 5)
            if probe.status == 0 { return }
            usleep(100_000)
        }
        stop()
        throw PrivateDaemonError("http.server on \(url) did not answer")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A port the kernel hands out for 127.0.0.1 (bound and released at once).
    static func freePort() throws -> Int {
        let result = try runCommand("/usr/bin/python3", ["-c",
            "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"], timeout: 10)
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw PrivateDaemonError("no free port: \(result.stderr)")
        }
        return port
    }
}
