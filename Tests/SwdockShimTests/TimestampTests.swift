import Foundation
import SwdockOS
import XCTest

final class TimestampTests: XCTestCase {
    func testRFC3339NanoDropsTrailingZerosLikeGo() {
        XCTAssertEqual(Timestamp(seconds: 1_796_154_316, nanoseconds: 582_534_027).rfc3339Nano, "2026-12-01T19:45:16.582534027Z")
        XCTAssertEqual(Timestamp(seconds: 1_796_154_316, nanoseconds: 582_534_000).rfc3339Nano, "2026-12-01T19:45:16.582534Z")
        XCTAssertEqual(Timestamp(seconds: 1_796_154_316, nanoseconds: 0).rfc3339Nano, "2026-12-01T19:45:16Z")
        XCTAssertEqual(Timestamp(seconds: 0, nanoseconds: 1).rfc3339Nano, "1970-01-01T00:00:00.000000001Z")
        XCTAssertEqual(Timestamp(seconds: 951_782_400, nanoseconds: 0).rfc3339Nano, "2000-02-29T00:00:00Z")
    }

    func testCalendarAgreesWithFoundationAcrossCenturies() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: Int64 = -2_208_988_800 // 1900-01-01
        while seconds < 7_258_118_400 { // 2200-01-01
            let ours = Timestamp(seconds: seconds, nanoseconds: 0).rfc3339Nano
            XCTAssertEqual(ours, formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
            XCTAssertEqual(Timestamp(rfc3339Nano: ours)?.seconds, seconds)
            seconds += 86_400 * 37 + 3_661
        }
    }

    func testParsingRoundTripsAndRejectsOtherForms() {
        let t = Timestamp(seconds: 1_796_154_316, nanoseconds: 500_000_000)
        XCTAssertEqual(Timestamp(rfc3339Nano: t.rfc3339Nano), t)
        XCTAssertNil(Timestamp(rfc3339Nano: "2026-12-01T19:45:16+01:00"))
        XCTAssertNil(Timestamp(rfc3339Nano: "2026-13-01T19:45:16Z"))
        XCTAssertNil(Timestamp(rfc3339Nano: "yesterday"))
    }
}
