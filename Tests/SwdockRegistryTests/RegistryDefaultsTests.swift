import SwdockRegistry
import XCTest

final class RegistryDefaultsTests: XCTestCase {
    func testDockerDefaults() {
        XCTAssertEqual(RegistryDefaults.maxConcurrentDownloads, 3)
        XCTAssertEqual(RegistryDefaults.defaultRegistry, "docker.io")
    }
}
