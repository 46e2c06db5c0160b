import SwdockArchive
import XCTest

final class LayerCompressionTests: XCTestCase {
    func testMagicNumbersDecideNotMediaTypes() {
        XCTAssertEqual(LayerCompression.detect([0x1f, 0x8b, 0x08, 0x00]), .gzip)
        XCTAssertEqual(LayerCompression.detect([0x28, 0xb5, 0x2f, 0xfd, 0x00]), .zstd)
        XCTAssertEqual(LayerCompression.detect(Array("bin/".utf8)), .none)
        XCTAssertEqual(LayerCompression.detect([0x1f]), .none)
    }
}
