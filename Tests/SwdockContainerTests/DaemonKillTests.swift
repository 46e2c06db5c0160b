#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockMetadata
import SwdockTestSupport
import XCTest

/// The real swdockd executable killed with -9 while a container runs: the container keeps
/// running (its shim is detached) and the next swdockd on the same roots shows it in `ps`,
/// stops and removes it.
final class DaemonKillTests: XCTestCase {
    func testKill9OfSwdockdKillsNoContainerAndTheNextDaemonFindsIt() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        let rig = try ContainerRig(test: self)
        // Only the daemons under test watch the containers (the rig's service would resync them).
        rig.service.shutdown()
        // The rig pulled busybox into these roots; the daemon's own image service finds it there.
        try #"{"bridge": "none"}"#.write(toFile: rig.root + "/daemon.json", atomically: false, encoding: .utf8)

        var daemon = try rig.startDaemon()
        let run = try rig.docker(["run", "-d", "--name", "k1", "busybox", "sleep", "300"])
        let daemonLog = (try? String(contentsOfFile: rig.root + "/swdockd.log", encoding: .utf8)) ?? ""
        XCTAssertEqual(run.status, 0, run.stderr + daemonLog)
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = try await rig.service.inspect(id, size: false).state.Pid
        XCTAssertGreaterThan(pid, 0)

        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        XCTAssertEqual(kill(pid, 0), 0, "the container survived the daemon's kill -9")

        daemon = try rig.startDaemon()
        defer { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() }
        let ps = try rig.docker(["ps", "--format", "{{.ID}} {{.Names}} {{.State}}"])
        XCTAssertEqual(ps.stdout, "\(id.prefix(12)) k1 running\n", ps.stderr)
        let stop = try rig.docker(["stop", "-t", "1", "k1"])
        XCTAssertEqual(stop.stdout, "k1\n", stop.stderr)
        let after = try rig.docker(["ps", "-a", "--format", "{{.Status}}"])
        XCTAssertTrue(after.stdout.hasPrefix("Exited (137) "), "the restarted daemon saw the exit: \(after.stdout)")
        XCTAssertEqual(try rig.docker(["rm", "k1"]).status, 0)
    }
}
