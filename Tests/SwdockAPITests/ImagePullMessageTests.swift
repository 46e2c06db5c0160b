import Foundation
import SwdockAPI
import XCTest

/// The pull stream's JSON and progress text, against what dockerd 20.10 sent (trace §3.3).
final class ImagePullMessageTests: XCTestCase {
    func testProgressBarAndSizesAsDockerd() {
        XCTAssertEqual(ImagePullMessage.humanSize(36445), "36.45kB")
        XCTAssertEqual(ImagePullMessage.humanSize(1_064_748), "1.065MB")
        XCTAssertEqual(ImagePullMessage.humanSize(999), "999B")
        XCTAssertEqual(ImagePullMessage.humanSize(32768), "32.77kB")
        XCTAssertEqual(ImagePullMessage.progressBar(current: 36445, total: 1_064_748),
                       "[=>" + String(repeating: " ", count: 49) + "]  36.45kB/1.065MB")
        XCTAssertEqual(ImagePullMessage.progressBar(current: 1_064_748, total: 1_064_748),
                       "[" + String(repeating: "=", count: 50) + ">]  1.065MB/1.065MB")
    }

    func testLinesAreJSONEndingInCRLF() {
        let layer = ImagePullMessage(status: "Pulling fs layer", progressDetail: .init(), id: "d108729126a6")
        XCTAssertEqual(String(decoding: layer.line, as: UTF8.self),
                       #"{"status":"Pulling fs layer","progressDetail":{},"id":"d108729126a6"}"# + "\r\n")
        XCTAssertEqual(String(decoding: ImagePullMessage.errorLine("boom"), as: UTF8.self),
                       #"{"errorDetail":{"message":"boom"},"error":"boom"}"# + "\r\n")
        let progress = ImagePullMessage(status: "Downloading", progressDetail: .init(current: 1, total: 2), progress: "[>] 1B/2B", id: "x")
        XCTAssertEqual(String(decoding: progress.line, as: UTF8.self),
                       #"{"status":"Downloading","progressDetail":{"current":1,"total":2},"progress":"[\u003e] 1B/2B","id":"x"}"# + "\r\n")
        XCTAssertEqual(ImagePullRequest.reference(fromImage: "localhost:5000/busybox", tag: "latest"), "localhost:5000/busybox:latest")
        XCTAssertEqual(ImagePullRequest.reference(fromImage: "busybox", tag: "sha256:abc"), "busybox@sha256:abc")
    }
}
