import Foundation
import SwdockSnapshot
import SwdockTestSupport
import XCTest

/// `LayerStackingSnapshotter`: overlay layers unpacked without a parent and stacked at commit.
final class OverlayStackingTests: XCTestCase {
    private var suite: SnapshotterConformance {
        SnapshotterConformance(test: self, make: { try OverlaySnapshotter(root: $0) })
    }

    override func setUpWithError() throws { try TestEnvironment.requireRoot() }

    func testLayersPreparedAloneStackAtCommit() throws {
        let root = try suite.temporaryDirectory("stacking")
        let snapshotter = try OverlaySnapshotter(root: root)
        // Both layers are written before either is committed, as parallel unpacking does.
        for (key, file) in [("u0", "bottom"), ("u1", "top")] {
            _ = try snapshotter.prepare(key)
            guard case .layerDirectory(let directory) = try snapshotter.writeTarget(key) else { return XCTFail("not a layer dir") }
            try Data(file.utf8).write(to: URL(fileURLWithPath: directory + "/" + file))
        }
        XCTAssertThrowsError(try snapshotter.commit("l1", key: "u1", onto: "l0", labels: [:]), "a parent that is not committed")
        try snapshotter.commit("l0", key: "u0", onto: nil, labels: [:])
        try snapshotter.commit("l1", key: "u1", onto: "l0", labels: [:])
        XCTAssertEqual(try snapshotter.stat("l1").parent, "l0")
        XCTAssertEqual(try snapshotter.stat("l1").kind, .committed)
        let view = try snapshotter.view("v", parent: "l1")
        try suite.withMounted(view) { merged in
            XCTAssertEqual(try String(contentsOfFile: merged + "/bottom", encoding: .utf8), "bottom")
            XCTAssertEqual(try String(contentsOfFile: merged + "/top", encoding: .utf8), "top")
        }
        // A committed snapshot cannot be re-stacked.
        XCTAssertThrowsError(try snapshotter.commit("l2", key: "l1", onto: nil, labels: [:]))
    }
}
