import Foundation
import SwdockSnapshot
import XCTest

final class MountValueTests: XCTestCase {
    func testMountEncodesAsAnOCIMount() throws {
        let mount = Mount(type: "overlay", source: "overlay", target: "/", options: ["lowerdir=/a", "upperdir=/b"])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(mount)) as! [String: Any]
        XCTAssertEqual(json["type"] as? String, "overlay")
        XCTAssertEqual(json["options"] as? [String], ["lowerdir=/a", "upperdir=/b"])
    }
}
