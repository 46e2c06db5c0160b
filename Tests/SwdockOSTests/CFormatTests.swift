import SwdockOS
import XCTest

/// printf's own rounding and padding, as `String(format:)` gave them.
final class CFormatTests: XCTestCase {
    func testFixedRoundsAsPrintf() {
        XCTAssertEqual(CFormat.fixed(2.675, decimals: 2), "2.67", "the binary value is just below 2.675")
        XCTAssertEqual(CFormat.fixed(999.95, decimals: 1), "1000.0")
        XCTAssertEqual(CFormat.fixed(0.5, decimals: 0), "0", "round half to even")
        XCTAssertEqual(CFormat.fixed(-1.25, decimals: 1), "-1.2")
        XCTAssertEqual(CFormat.fixed(1764672000.123456789, decimals: 9), "1764672000.123456717")
        XCTAssertEqual(CFormat.fixed(1e300, decimals: 2).count, 304, "longer than the first buffer")
    }

    func testZeroPadded() {
        XCTAssertEqual(CFormat.zeroPadded(42, width: 9), "000000042")
        XCTAssertEqual(CFormat.zeroPadded(1_234_567_890, width: 9), "1234567890")
        XCTAssertEqual(CFormat.zeroPadded(0, width: 3), "000")
    }
}
