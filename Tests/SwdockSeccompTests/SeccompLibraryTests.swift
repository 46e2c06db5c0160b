import SwdockSeccomp
import XCTest

final class SeccompLibraryTests: XCTestCase {
    func testLinkedLibseccompReportsAVersion() {
        XCTAssertTrue(SeccompLibrary.version.hasPrefix("2."), SeccompLibrary.version)
    }
}
