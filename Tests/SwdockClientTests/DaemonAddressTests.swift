import SwdockClient
import XCTest

final class DaemonAddressTests: XCTestCase {
    func testResolutionOrderFlagThenSwdockHostThenDockerHost() throws {
        XCTAssertEqual(try DaemonAddress.resolve(flag: "unix:///a.sock", environment: ["SWDOCK_HOST": "unix:///b.sock"]).socketPath, "/a.sock")
        XCTAssertEqual(try DaemonAddress.resolve(flag: nil, environment: ["SWDOCK_HOST": "unix:///b.sock",
                                                                          "DOCKER_HOST": "unix:///c.sock"]).socketPath, "/b.sock")
        XCTAssertEqual(try DaemonAddress.resolve(flag: nil, environment: ["DOCKER_HOST": "unix:///c.sock"]).socketPath, "/c.sock")
        XCTAssertEqual(try DaemonAddress.resolve(flag: nil, environment: [:]).socketPath, "/run/swdock.sock")
        XCTAssertEqual(try DaemonAddress.resolve(flag: nil, environment: ["DOCKER_HOST": ""]).socketPath, "/run/swdock.sock")
    }

    func testOtherSchemesAreRefused() {
        XCTAssertThrowsError(try DaemonAddress(parsing: "tcp://127.0.0.1:2375")) {
            XCTAssertTrue("\($0)".contains("not supported"), "\($0)")
        }
        XCTAssertThrowsError(try DaemonAddress(parsing: "unix://relative.sock"))
    }
}
