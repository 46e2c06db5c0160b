import SwdockTestSupport
import XCTest

/// Each of the five executables answers `--version` and `--help`.
final class VersionAndHelpTests: XCTestCase {
    static let executables = ["swdock", "swdockd", "swdock-shim", "swdock-runtime", "swdock-init"]

    func testEveryExecutableAnswersVersion() throws {
        for name in Self.executables {
            let result = try runCommand(TestEnvironment.executable(name), ["--version"])
            XCTAssertEqual(result.status, 0, "\(name) --version: \(result.stderr)")
            XCTAssertTrue(result.stdout.hasPrefix("\(name) version 0."), "\(name) --version printed: \(result.stdout)")
        }
    }

    func testEveryExecutableAnswersHelp() throws {
        for name in Self.executables {
            let result = try runCommand(TestEnvironment.executable(name), ["--help"])
            XCTAssertEqual(result.status, 0, "\(name) --help: \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("sage:") || result.stdout.contains("USAGE"),
                          "\(name) --help printed: \(result.stdout)")
        }
    }
}
