import SwdockContent
import XCTest

final class ContentLayoutTests: XCTestCase {
    func testBlobsLiveWhereContainerdKeepsThem() {
        XCTAssertEqual(ContentLayout.blobsDirectory, "content/blobs")
    }
}
