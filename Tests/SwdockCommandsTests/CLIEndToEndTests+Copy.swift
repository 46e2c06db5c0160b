import Foundation
import SwdockTestSupport
import XCTest

/// `cp` and `export`: swdock and docker CLI 28 side by side on each daemon (their exit codes,
/// messages and the trees they leave must match), and the export of one image's container
/// compared between swdockd and dockerd.
extension CLIEndToEndTests {
    /// `path`'s tree as `relative-path type mode size [link target]` lines, sorted.
    func tree(_ path: String) throws -> String {
        let result = try runCommand("/bin/sh", ["-c", "cd '\(path)' && find . -mindepth 1 -printf '%P %y %m %s %l\\n' | sort"], timeout: 30)
        return result.stdout
    }

    /// A shell line with `CLI` replaced by the client's command against the current daemon.
    func shell(_ client: String, _ script: String) throws -> CommandResult {
        let cli = client == "swdock" ? "\(TestEnvironment.executable("swdock")) -H \(daemon.host)"
            : "env HOME=\(NSTemporaryDirectory()) DOCKER_CLI_HINTS=false \(dockerCLI) -H \(daemon.host)"
        return try runCommand("/bin/sh", ["-c", script.replacingOccurrences(of: "CLI", with: cli)], timeout: 120)
    }

    /// The docker CLI also logs its tar writer's "closed pipe" when the daemon refused the
    /// upload early (logrus lines, `time="…" level=error msg=…`); the message after them counts.
    func withoutLogLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("time=\"") }.joined(separator: "\n")
    }

    func testCopyBothWaysLikeDocker() throws { try onEachDaemon(checkCopyBothWays) }

    func checkCopyBothWays() throws {
        removeAtEnd("cli-e2e-cp")
        let started = try docker(["run", "-d", "--name", "cli-e2e-cp", image, "sh", "-c",
                                  "mkdir -p /d/sub && echo f > /d/f && echo g > /d/sub/g && chmod 640 /d/f && ln -s /d /dl && ln -s f /d/rel && exec sleep 300"])
        XCTAssertEqual(started.status, 0, started.stderr)
        Thread.sleep(forTimeInterval: 0.5)
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cli-e2e-cp-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let source = work + "/src"
        try FileManager.default.createDirectory(atPath: source + "/inner", withIntermediateDirectories: true)
        try "s\n".write(toFile: source + "/s", atomically: false, encoding: .utf8)
        try "i\n".write(toFile: source + "/inner/i", atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink("s", source + "/link"), 0)

        // Out of the container: each case in a fresh directory per client.
        let outCases: [[String]] = [
            ["cli-e2e-cp:/d/f", "."], ["cli-e2e-cp:/d", "."], ["cli-e2e-cp:/d", "newname"], ["cli-e2e-cp:/d/", "slash"],
            ["cli-e2e-cp:/d/.", "dotted"], ["cli-e2e-cp:/d/f", "nodir/"], ["cli-e2e-cp:/dl", "."], ["-L", "cli-e2e-cp:/dl", "followed"],
            ["cli-e2e-cp:/dl/", "through"], ["cli-e2e-cp:/d/rel", "."], ["-L", "cli-e2e-cp:/d/rel", "relfollowed"],
            ["cli-e2e-cp:/nope", "."], ["cli-e2e-cp:/d/f", "/nonexistent-dir/x"], ["nosuch-container:/d", "."],
            ["cli-e2e-cp:/d", "existingfile"], ["cli-e2e-cp:/d/f", "existingfile"], ["cli-e2e-cp:d/f", "relative"],
            ["x", "y"], ["a:x", "b:y"], ["cli-e2e-cp:/", "rootcopy"], ["cli-e2e-cp:/etc/", "."], ["cli-e2e-cp:/d/sub/g", "existingfile/"],
            ["cli-e2e-cp:/d/f", "-"], ["", "x"], ["cli-e2e-cp:/d/f", ""],
        ]
        for (index, arguments) in outCases.enumerated() {
            var seen: [String: (Int32, String, String)] = [:]
            for client in ["swdock", "docker"] {
                let directory = "\(work)/out-\(index)-\(client)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try "old\n".write(toFile: directory + "/existingfile", atomically: false, encoding: .utf8)
                let result = try shell(client, "cd '\(directory)' && CLI cp " + arguments.map { "'\($0)'" }.joined(separator: " "))
                seen[client] = (result.status, withoutLogLines(result.stderr).replacingOccurrences(of: directory, with: "DIR"), try tree(directory))
            }
            XCTAssertEqual(seen["swdock"]?.0, seen["docker"]?.0, "exit code of cp \(arguments): \(seen["swdock"]!.1) / \(seen["docker"]!.1)")
            XCTAssertEqual(seen["swdock"]?.1, seen["docker"]?.1, "stderr of cp \(arguments)")
            XCTAssertEqual(seen["swdock"]?.2, seen["docker"]?.2, "tree after cp \(arguments)")
        }

        // Into the container: each case into its own directory there, read back as a tar listing.
        let inCases: [(String, String)] = [
            (source, "/in/A/"), (source, "/in/B/new"), (source + "/.", "/in/C/dot"), (source + "/s", "/in/D/file"),
            (source + "/s", "/in/E/"), (source + "/s", "/in/F/missing/"), (source, "/d/f"), (source + "/link", "/in/G/"),
            (work + "/nope", "/in/H/"), (source + "/s", "/dl"), (source + "/inner/", "/in/I/x"),
        ]
        for (index, (from, to)) in inCases.enumerated() {
            var seen: [String: (Int32, String, String)] = [:]
            for client in ["swdock", "docker"] {
                let base = "/in/\(client)"
                let target = to.hasPrefix("/in/") ? base + to.dropFirst(3) : to
                _ = try docker(["exec", "cli-e2e-cp", "sh", "-c", "rm -rf \(base); mkdir -p \(base)/A \(base)/B \(base)/C \(base)/D \(base)/E \(base)/F \(base)/G \(base)/H \(base)/I"])
                let result = try shell(client, "CLI cp '\(from)' 'cli-e2e-cp:\(target)'")
                let listing = try shell("docker", "CLI cp cli-e2e-cp:\(base) - | tar -t | sed 's,^\(client)/,,' | sort")
                seen[client] = (result.status, withoutLogLines(result.stderr).replacingOccurrences(of: client, with: "CLIENT"), listing.stdout)
            }
            XCTAssertEqual(seen["swdock"]?.0, seen["docker"]?.0, "exit code of cp \(from) \(to) [\(index)]: \(seen["swdock"]!.1) / \(seen["docker"]!.1)")
            XCTAssertEqual(seen["swdock"]?.1, seen["docker"]?.1, "stderr of cp \(from) \(to)")
            XCTAssertEqual(seen["swdock"]?.2, seen["docker"]?.2, "container tree after cp \(from) \(to)")
        }

        // The root as a stream: entry names as dockerd writes them.
        let ourRoot = try shell("swdock", "CLI cp cli-e2e-cp:/ - | tar -t 2>/dev/null | sort")
        let theirRoot = try shell("docker", "CLI cp cli-e2e-cp:/ - | tar -t 2>/dev/null | sort")
        XCTAssertEqual(ourRoot.stdout, theirRoot.stdout)
        XCTAssertTrue(ourRoot.stdout.contains("bin/busybox"), ourRoot.stdout.prefix(200) + "…")
        // Tar streams: out to stdout, in from stdin.
        for client in ["swdock", "docker"] {
            let out = try shell(client, "CLI cp cli-e2e-cp:/d - | tar -t")
            XCTAssertEqual(out.status, 0, out.stderr)
            // d/s: the copy onto the link /dl above went through it.
            XCTAssertEqual(out.stdout, "d/\nd/f\nd/rel\nd/s\nd/sub/\nd/sub/g\n", client)
            let into = try shell(client, "cd '\(source)' && tar -c s inner | CLI cp - cli-e2e-cp:/tmp")
            XCTAssertEqual(into.status, 0, into.stderr)
            XCTAssertEqual(try shell(client, "CLI cp cli-e2e-cp:/tmp/inner/i - | tar -xO").stdout, "i\n")
            let notDirectory = try shell(client, "tar -c -C '\(source)' s | CLI cp - cli-e2e-cp:/d/f")
            XCTAssertEqual(notDirectory.status, 1)
            XCTAssertEqual(notDirectory.stderr, "destination \"cli-e2e-cp:/d/f\" must be a directory\n")
        }
    }

    func testExportListsTheImagesFiles() throws {
        nonisolated(unsafe) var listings: [DaemonUnderTest.Kind: [String]] = [:]
        try onEachDaemon {
            removeAtEnd("cli-e2e-export")
            XCTAssertEqual(try docker(["create", "--name", "cli-e2e-export", image, "true"]).status, 0)
            let ours = try shell("swdock", "CLI export cli-e2e-export | tar -t | sort")
            let theirs = try shell("docker", "CLI export cli-e2e-export | tar -t | sort")
            XCTAssertEqual(ours.status, 0, ours.stderr)
            XCTAssertEqual(ours.stdout, theirs.stdout, "swdock export and docker export of one container")
            let file = NSTemporaryDirectory() + "cli-e2e-export-\(UUID().uuidString.prefix(8)).tar"
            defer { unlink(file) }
            XCTAssertEqual(try swdock(["export", "-o", file, "cli-e2e-export"]).status, 0)
            XCTAssertEqual(try runCommand("/bin/sh", ["-c", "tar -tf \(file) | sort"], timeout: 30).stdout, ours.stdout)
            try assertSame(["export", "nosuch-container"])
            listings[daemon.kind] = ours.stdout.split(separator: "\n").map(String.init)
        }
        // dockerd's export also has its init layer (mount points and files it makes for every
        // container at create); without those, the two daemons export the same tree.
        let dockerInit: Set<String> = [".dockerenv", "dev/", "dev/console", "dev/pts/", "dev/shm/", "etc/", "etc/hostname",
                                       "etc/hosts", "etc/mtab", "etc/resolv.conf", "proc/", "sys/"]
        guard let swdockd = listings[.swdockd], let dockerd = listings[.dockerd] else { return }
        let ours = Set(swdockd), theirs = Set(dockerd)
        XCTAssertEqual(ours.subtracting(theirs), [], "entries only swdockd exports")
        XCTAssertEqual(theirs.subtracting(ours).subtracting(dockerInit), [], "entries only dockerd exports (init layer aside)")
        XCTAssertGreaterThan(ours.count, 100)
    }
}
