import Foundation
import SwdockTestSupport
import XCTest

/// `swdock info` against dockerd, whose /info has no SwdockDaemonStart and a null Warnings: decoded
/// all the same, the swdock-only lines left out.
final class InfoAgainstDockerdTests: XCTestCase {
    func testInfoFromDockerdHasNoDaemonStartLines() throws {
        try TestEnvironment.requireRoot()
        let dockerd = try PrivateDockerd(runtimes: [:])
        addTeardownBlock { dockerd.stop() }
        let info = try runCommand(TestEnvironment.executable("swdock"), ["-H", "unix://" + dockerd.socket, "info"])
        XCTAssertEqual(info.status, 0, "\(info.stderr)\n\(dockerd.log)")
        XCTAssertTrue(info.stdout.contains(" Server Version: "), info.stdout)
        XCTAssertTrue(info.stdout.contains(" Storage Driver: "), info.stdout)
        XCTAssertFalse(info.stdout.contains("Socket Activated"), info.stdout)
        XCTAssertFalse(info.stdout.contains("API Sockets"), info.stdout)
    }
}
