#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// `swdock volume …` and `swdock events` against the in-process server.
final class SwdockVolumeEventsCLITests: XCTestCase {
    func swdock(_ rig: ContainerRig, _ arguments: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.executable("swdock"), ["-H", rig.dockerHost] + arguments, timeout: 60)
    }

    func testVolumeVerbsAndEventsWithSinceUntilFilterAndFormat() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let since = Int(Date().timeIntervalSince1970) - 1
        XCTAssertEqual(try swdock(rig, ["volume", "create", "--label", "a=b", "cv1"]).stdout, "cv1\n")
        XCTAssertEqual(try swdock(rig, ["volume", "create", "--name", "cv2"]).stdout, "cv2\n")
        XCTAssertEqual(try swdock(rig, ["volume", "ls", "-q"]).stdout, "cv1\ncv2\n")
        XCTAssertEqual(try swdock(rig, ["volume", "ls", "-q", "--filter", "label=a"]).stdout, "cv1\n")
        XCTAssertEqual(try swdock(rig, ["volume", "ls"]).stdout, "DRIVER    VOLUME NAME\nlocal     cv1\nlocal     cv2\n")
        XCTAssertEqual(try swdock(rig, ["volume", "inspect", "-f", "{{.Name}} {{.Labels.a}}", "cv1"]).stdout, "cv1 b\n")
        let opts = try swdock(rig, ["volume", "create", "-o", "type=nfs", "cv3"])
        XCTAssertEqual(opts.status, 1)
        XCTAssertTrue(opts.stderr.contains("not supported: local volume option type"), opts.stderr)
        XCTAssertEqual(try swdock(rig, ["volume", "rm", "cv1"]).stdout, "cv1\n")
        let missing = try swdock(rig, ["volume", "rm", "cv1"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "Error response from daemon: get cv1: no such volume\n")
        let prune = try swdock(rig, ["volume", "prune", "-f", "-a"])
        XCTAssertEqual(prune.stdout, "Deleted Volumes:\ncv2\n\nTotal reclaimed space: 0B\n", prune.stderr)
        let until = Int(Date().timeIntervalSince1970) + 1
        let events = try swdock(rig, ["events", "--since", String(since), "--until", String(until), "--filter", "type=volume",
                                      "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}"])
        XCTAssertEqual(events.stdout, "volume create cv1\nvolume create cv2\nvolume destroy cv1\nvolume destroy cv2\n", events.stderr)
        let plain = try swdock(rig, ["events", "--since", String(since), "--until", String(until), "--filter", "event=destroy"])
        let first = plain.stdout.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(first.hasSuffix(" volume destroy cv1 (driver=local)"), first)
    }
}
