import Foundation
import SwdockTestSupport
import XCTest

/// `diff`, `commit` and `import` with both CLIs against swdockd and dockerd: the same output
/// (IDs normalised) and the same exit codes.
extension CLIEndToEndTests {
    func testDiffCommitImport() throws { try onEachDaemon(checkDiffCommitImport) }

    func checkDiffCommitImport() throws {
        removeAtEnd("e2e-fresh", "e2e-diff", "e2e-run")
        addTeardownBlock { [daemon, dockerCLI] in
            _ = try? runCommand(dockerCLI, ["-H", daemon.host, "rmi", "-f", "e2e/commit:1", "e2e/fresh:1", "e2e/imported:1"], timeout: 60)
        }
        // Nothing changed: no output, and a commit of it adds no layer.
        try docker(["run", "--name", "e2e-fresh", image, "true"])
        try assertSame(["diff", "e2e-fresh"])
        XCTAssertEqual(try docker(["diff", "e2e-fresh"]).stdout, "")
        try assertSame(["commit", "e2e-fresh", "e2e/fresh:1"])
        try assertSame(["image", "inspect", "-f", "{{len .RootFS.Layers}}", "e2e/fresh:1"])
        XCTAssertEqual(try docker(["image", "inspect", "-f", "{{len .RootFS.Layers}}", "e2e/fresh:1"]).stdout, "1\n")

        try docker(["run", "--name", "e2e-diff", image, "sh", "-c",
                    "echo new > /etc/new; echo x >> /etc/passwd; rm /etc/group; mkdir /tmp/d; touch /tmp/d/f; rm -rf /home/app"])
        // dockerd's tree comparison lists in Go map order (varies from call to call); swdockd in path order.
        try assertSame(["diff", "e2e-diff"], anyRowOrder: true)
        XCTAssertEqual(try docker(["diff", "e2e-diff"]).stdout.split(separator: "\n").sorted(),
                       ["A /etc/new", "A /tmp/d", "A /tmp/d/f", "C /etc", "C /etc/passwd", "C /home", "C /tmp",
                        "D /etc/group", "D /home/app"])
        try assertSame(["diff", "no-such-container"])
        try assertSame(["commit", "-a", "someone", "-m", "msg", "-c", "ENV FOO=bar", "-c", "CMD [\"cat\", \"/etc/new\"]",
                        "-c", "EXPOSE 80", "-c", "LABEL a=b", "-c", "WORKDIR /tmp", "-c", "WORKDIR d", "-c", "VOLUME /data", "e2e-diff", "e2e/commit:1"])
        try assertSame(["run", "--rm", "e2e/commit:1"])
        XCTAssertEqual(try docker(["run", "--rm", "e2e/commit:1"]).stdout, "new\n")
        try assertSame(["run", "--rm", "e2e/commit:1", "sh", "-c", "ls /etc/group /home/app 2>&1; echo $FOO; pwd"])
        try assertSame(["image", "inspect", "-f",
                        "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}} {{json .Config.Labels}} "
                        + "{{.Config.WorkingDir}} {{json .Config.Volumes}} {{.Author}} {{.Comment}} {{len .RootFS.Layers}}",
                        "e2e/commit:1"])
        XCTAssertEqual(try docker(["image", "inspect", "-f", "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}} "
                                   + "{{json .Config.Labels}} {{.Config.WorkingDir}} {{json .Config.Volumes}} {{.Author}} {{.Comment}} "
                                   + "{{len .RootFS.Layers}}", "e2e/commit:1"]).stdout,
                       "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"FOO=bar\"] [\"cat\",\"/etc/new\"] "
                       + "{\"80/tcp\":{}} {\"a\":\"b\"} /tmp/d {\"/data\":{}} someone msg 2\n")
        try assertSame(["image", "history", "--format", "{{.CreatedBy}}|{{.Comment}}", "e2e/commit:1"])
        try assertSame(["commit", "-c", "RUN true", "e2e-diff"])
        try assertSame(["commit", "--pause=false", "e2e-diff"])
        // A working directory the image lacks is made at start (dockerd's SetupWorkingDirectory).
        try assertSame(["run", "--rm", "-w", "/made/here", image, "pwd"])
        XCTAssertEqual(try docker(["run", "--rm", "-w", "/made/here", image, "pwd"]).stdout, "/made/here\n")
        try assertSame(["commit", "e2e-diff", "Invalid:Reference:x"])

        // import of a plain tar with a change.
        let directory = NSTemporaryDirectory() + "swdock-e2e-import-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/rootfs/bin", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: directory + "/rootfs/bin/busybox")
        try FileManager.default.createSymbolicLink(atPath: directory + "/rootfs/bin/sh", withDestinationPath: "busybox")
        try "imported\n".write(toFile: directory + "/rootfs/hello", atomically: false, encoding: .utf8)
        let tarball = directory + "/rootfs.tar.gz"
        XCTAssertEqual(try runCommand("/bin/tar", ["-C", directory + "/rootfs", "-czf", tarball, "."], timeout: 60).status, 0)
        try assertSame(["import", "-c", "CMD [\"/bin/sh\", \"-c\", \"cat /hello\"]", "-m", "m1", tarball, "e2e/imported:1"])
        try assertSame(["run", "--rm", "e2e/imported:1"])
        XCTAssertEqual(try docker(["run", "--rm", "e2e/imported:1"]).stdout, "imported\n")
        try assertSame(["image", "inspect", "-f", "{{.Os}} {{.Comment}} {{len .RootFS.Layers}} {{json .Config.Cmd}}", "e2e/imported:1"])
        try assertSame(["image", "inspect", "-f", "{{.Os}} {{.Comment}} {{len .RootFS.Layers}} {{json .Config.Cmd}}", "e2e/imported:1"])
        XCTAssertEqual(try docker(["image", "inspect", "-f", "{{.Os}} {{.Comment}} {{len .RootFS.Layers}} {{json .Config.Cmd}}",
                                   "e2e/imported:1"]).stdout, "linux m1 1 [\"/bin/sh\",\"-c\",\"cat /hello\"]\n")
        try assertSame(["import", directory + "/missing.tar"])
    }
}
