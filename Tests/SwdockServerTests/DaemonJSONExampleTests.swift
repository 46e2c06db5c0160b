import Foundation
import SwdockServer
import SwdockTestSupport
import XCTest

/// contrib/daemon.json.example (installed as /etc/swdock/daemon.json.example) is a daemon.json
/// swdockd accepts, spelling out the defaults.
final class DaemonJSONExampleTests: XCTestCase {
    func testExampleLoadsAndEqualsTheDefaults() throws {
        var flags = DaemonConfiguration.Flags()
        flags.configFile = TestEnvironment.packageRoot.appendingPathComponent("contrib/daemon.json.example").path
        let config = try DaemonConfiguration.load(flags: flags)
        let defaults = DaemonConfiguration()
        XCTAssertEqual(config.dataRoot, defaults.dataRoot)
        XCTAssertEqual(config.execRoot, defaults.execRoot)
        XCTAssertEqual(config.hosts, defaults.hosts, "no hosts: they would conflict with the unit's -H fd://")
        XCTAssertEqual(config.defaultRuntime, defaults.defaultRuntime)
        XCTAssertEqual(config.storageDriver, defaults.storageDriver)
        XCTAssertEqual(config.maxConcurrentDownloads, defaults.maxConcurrentDownloads)
        XCTAssertEqual(config.runtimes.keys.sorted(), defaults.runtimes.keys.sorted())
        XCTAssertEqual(config, defaults, "every value the example spells out is the default")
    }
}
