import SwdockRuntime
import XCTest

final class ContainerStatusTests: XCTestCase {
    func testStatusValuesAreTheSpecsStrings() {
        XCTAssertEqual(ContainerStatus.created.rawValue, "created")
        XCTAssertEqual(ContainerStatus(rawValue: "paused"), .paused)
    }
}
