import Foundation
import SwdockTestSupport
import XCTest

/// The harness itself: it finds the build being tested and the package's root.
final class TestEnvironmentTests: XCTestCase {
    func testHarnessFindsTheBuiltExecutablesAndThePackageRoot() {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: TestEnvironment.executable("swdock")))
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: TestEnvironment.packageRoot.appendingPathComponent("Package.swift").path))
    }
}
