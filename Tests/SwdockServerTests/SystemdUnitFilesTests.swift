import Foundation
import SwdockTestSupport
import XCTest

/// contrib/systemd units checked by `systemd-analyze verify`.
final class SystemdUnitFilesTests: XCTestCase {
    func testUnitsVerifyCleanlyWithTheBuiltDaemon() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { return try TestEnvironment.missing("\(analyze) (apt-get install systemd)") }
        let contrib = TestEnvironment.packageRoot.appendingPathComponent("contrib/systemd")
        let directory = URL(fileURLWithPath: "/tmp/swdock-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }

        // The units as `make install` writes them (PREFIX substituted for /usr/local), the prefix
        // being the build's products directory so that ExecStart names the built swdockd.
        let service = try String(contentsOf: contrib.appendingPathComponent("swdock.service"), encoding: .utf8)
        XCTAssertTrue(service.contains("ExecStart=/usr/local/bin/swdockd -H fd://"), service)
        try service.replacingOccurrences(of: "/usr/local/bin/swdockd", with: TestEnvironment.executable("swdockd"))
            .write(to: directory.appendingPathComponent("swdock.service"), atomically: false, encoding: .utf8)
        try FileManager.default.copyItem(at: contrib.appendingPathComponent("swdock.socket"),
                                         to: directory.appendingPathComponent("swdock.socket"))

        let result = try runCommand(analyze, ["verify", directory.appendingPathComponent("swdock.socket").path,
                                              directory.appendingPathComponent("swdock.service").path])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "", "systemd-analyze verify complains")
    }
}
