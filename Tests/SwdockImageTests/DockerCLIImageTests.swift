import Foundation
import XCTest
import SwdockContent
import SwdockOS
import SwdockSnapshot
import SwdockTestSupport

/// The image routes of swdockd driven by the real docker CLI (28) and docker-py (7.1).
final class DockerCLIImageTests: XCTestCase {
    var registry = ""
    let dockerCLI = "/usr/local/bin/docker"

    override func setUpWithError() throws {
        try TestEnvironment.requireRoot()
        registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        guard FileManager.default.isExecutableFile(atPath: dockerCLI) else { throw XCTSkip("no docker CLI at \(dockerCLI)") }
    }

    func startDaemon(dataRoot: String? = nil) throws -> PrivateDaemon {
        let daemon = try PrivateDaemon(dataRoot: dataRoot)
        addTeardownBlock { daemon.stop() }
        return daemon
    }

    @discardableResult
    func docker(_ daemon: PrivateDaemon, _ arguments: String..., expectStatus: Int32 = 0,
                file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = daemon.host
        environment["DOCKER_CONFIG"] = daemon.directory.appendingPathComponent("docker-config").path
        let result = try runCommand(dockerCLI, arguments, timeout: 300, environment: environment)
        XCTAssertEqual(result.status, expectStatus, "docker \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)\n\(daemon.log)",
                       file: file, line: line)
        return result
    }

    func testDockerPullImagesInspectTagRmi() throws {
        let daemon = try startDaemon()
        let image = "\(registry)/swdock-fixtures/multilayer:latest"
        let pulled = try docker(daemon, "pull", image)
        let lines = pulled.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "latest: Pulling from swdock-fixtures/multilayer")
        XCTAssertTrue(lines.contains { $0.hasSuffix(": Pull complete") }, pulled.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Digest: sha256:") }, pulled.stdout)
        XCTAssertTrue(lines.contains("Status: Downloaded newer image for \(image)"), pulled.stdout)
        XCTAssertEqual(lines.last, image)
        let again = try docker(daemon, "pull", image)
        XCTAssertTrue(again.stdout.contains("Status: Image is up to date for \(image)"), again.stdout)

        let listed = try docker(daemon, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
        let id = try docker(daemon, "image", "inspect", "--format", "{{.Id}}", image).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(id.hasPrefix("sha256:"), id)
        XCTAssertEqual(listed.stdout, "\(registry)/swdock-fixtures/multilayer:latest \(id.dropFirst(7).prefix(12))\n")
        let layers = try docker(daemon, "image", "inspect", "--format", "{{len .RootFS.Layers}} {{.Os}}/{{.Architecture}}", image)
        XCTAssertEqual(layers.stdout, "4 linux/amd64\n")

        try docker(daemon, "tag", image, "swdock-test/tagged:v1")
        XCTAssertEqual(try docker(daemon, "image", "inspect", "--format", "{{.Id}}", "swdock-test/tagged:v1").stdout,
                       id + "\n")
        XCTAssertEqual(try docker(daemon, "rmi", "swdock-test/tagged:v1").stdout, "Untagged: swdock-test/tagged:v1\n")
        let missing = try docker(daemon, "rmi", "swdock-test/tagged:v1", expectStatus: 1)
        XCTAssertEqual(missing.stderr, "Error response from daemon: No such image: swdock-test/tagged:v1\n")

        let removed = try docker(daemon, "rmi", image)
        let removedLines = removed.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(removedLines.first, "Untagged: \(image)")
        XCTAssertTrue(removedLines.contains("Deleted: \(id)"), removed.stdout)
        XCTAssertEqual(removedLines.filter { $0.hasPrefix("Deleted: ") }.count, 5, removed.stdout)
        XCTAssertEqual(try docker(daemon, "images", "-q").stdout, "")
        let blobs = try FileManager.default.contentsOfDirectory(atPath: daemon.dataRoot + "/content/blobs/sha256")
        XCTAssertEqual(blobs, [])
    }

    func testDockerHistoryFilterAndPrune() throws {
        let daemon = try startDaemon()
        let busybox = "\(registry)/swdock-fixtures/busybox:latest"
        let multilayer = "\(registry)/swdock-fixtures/multilayer:latest"
        try docker(daemon, "pull", "-q", busybox)
        try docker(daemon, "pull", "-q", multilayer)
        let history = try docker(daemon, "history", "--format", "{{.ID}}|{{.CreatedBy}}", multilayer)
        let rows = history.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 5, history.stdout)
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.hasPrefix("<missing>|") }, history.stdout)
        XCTAssertEqual(try docker(daemon, "images", "--format", "{{.Repository}}", "--filter", "reference=*/swdock-fixtures/busy*").stdout,
                       "\(registry)/swdock-fixtures/busybox\n")
        XCTAssertEqual(try docker(daemon, "images", "-q", "--filter", "dangling=true").stdout, "")
        // Nothing dangling: a plain prune removes nothing; -a removes both images.
        XCTAssertEqual(try docker(daemon, "image", "prune", "-f").stdout, "Total reclaimed space: 0B\n")
        let pruned = try docker(daemon, "image", "prune", "-a", "-f")
        XCTAssertTrue(pruned.stdout.contains("untagged: \(busybox)"), pruned.stdout)
        XCTAssertTrue(pruned.stdout.contains("untagged: \(multilayer)"), pruned.stdout)
        XCTAssertEqual(try docker(daemon, "images", "-q").stdout, "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: daemon.dataRoot + "/content/blobs/sha256"), [])
    }

    func testDockerPullOfAMissingTagFailsWithDockerdsMessage() throws {
        let daemon = try startDaemon()
        let result = try docker(daemon, "pull", "\(registry)/swdock-fixtures/busybox:nosuchtag", expectStatus: 1)
        XCTAssertEqual(result.stderr,
                       "Error response from daemon: manifest for \(registry)/swdock-fixtures/busybox:nosuchtag not found: manifest unknown: manifest unknown\n")
    }

    func testDockerPyPullAndList() throws {
        let daemon = try startDaemon()
        let script = """
            import docker, sys
            client = docker.DockerClient(base_url=sys.argv[1])
            image = client.images.pull(sys.argv[2], tag="latest")
            print(image.id)
            print(",".join(image.tags))
            print(len(client.images.list()))
            print(len(client.images.list(name=sys.argv[2])))
            print(len(client.images.list(filters={"dangling": True})))
            """
        let result = try runCommand("/usr/bin/env", ["python3", "-c", script, daemon.host, "\(registry)/swdock-fixtures/busybox"],
                                    timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr + daemon.log)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, result.stdout)
        guard lines.count == 5 else { return }
        XCTAssertTrue(lines[0].hasPrefix("sha256:"))
        XCTAssertEqual(lines[1], "\(registry)/swdock-fixtures/busybox:latest")
        XCTAssertEqual(lines[2...], ["1", "1", "0"])
    }

    /// kill -9 of swdockd in the middle of a pull, a restart on the same data root, the same
    /// pull again: it completes, and neither the content store nor the snapshots keep leftovers.
    func testKillDuringPullThenPullAgainCompletes() throws {
        let dataRoot = "/tmp/swdock-kill-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dataRoot) }
        let image = "\(registry)/swdock-fixtures/bench:latest"
        let first = try startDaemon(dataRoot: dataRoot)
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = first.host
        let pull = Process()
        pull.executableURL = URL(fileURLWithPath: dockerCLI)
        pull.arguments = ["pull", "-q", image]
        pull.environment = environment
        pull.standardOutput = FileHandle.nullDevice
        pull.standardError = FileHandle.nullDevice
        try pull.run()
        defer { if pull.isRunning { pull.terminate() }; pull.waitUntilExit() }
        // Until the first layer snapshot is being written (an unpack is under way).
        let snapshots = dataRoot + "/snapshots/overlayfs/snapshots"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []).isEmpty {
            usleep(20_000)
        }
        XCTAssertTrue(pull.isRunning, "the pull ended before the daemon was killed")
        kill(first.pid, SIGKILL)
        pull.waitUntilExit()
        XCTAssertNotEqual(pull.terminationStatus, 0)
        first.stop()

        let second = try startDaemon(dataRoot: dataRoot)
        let again = try docker(second, "pull", image)
        XCTAssertTrue(again.stdout.contains("Status: Downloaded newer image for \(image)"), again.stdout)
        try docker(second, "image", "inspect", image)
        second.stop()

        let report = try ContentStore(root: dataRoot).check()
        XCTAssertTrue(report.isClean, "\(report)")
        let snapshotter = try OverlaySnapshotter(root: dataRoot + "/snapshots/overlayfs")
        let names = try snapshotter.list()
        XCTAssertEqual(names.filter { $0.kind != .committed }.map(\.name), [])
        XCTAssertEqual(names.count, 5)
    }
}
