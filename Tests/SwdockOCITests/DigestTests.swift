import SwdockOCI
import XCTest

final class DigestTests: XCTestCase {
    func testSha256OfKnownBytes() {
        XCTAssertEqual(Digest.sha256(of: Array("abc".utf8)).description,
                       "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testParsingRejectsBadDigests() {
        XCTAssertThrowsError(try Digest(parsing: "sha256:XYZ"))
        XCTAssertThrowsError(try Digest(parsing: "md5:0123"))
        XCTAssertNoThrow(try Digest(parsing: "sha256:" + String(repeating: "a", count: 64)))
    }
}
