import Glibc
@testable import SwdockOS
import XCTest

final class SysWrapperTests: XCTestCase {
    func testFailureNamesTheCallTheObjectAndTheErrno() {
        XCTAssertThrowsError(try FileDescriptor.open("/nonexistent/swdock-test", O_RDONLY)) { error in
            let osError = error as! OSError
            XCTAssertEqual(osError.errno, ENOENT)
            XCTAssertEqual(osError.description, "open \"/nonexistent/swdock-test\": no such file or directory (ENOENT)")
        }
    }

    func testEINTRIsRetried() throws {
        var calls = 0
        let value = try sys("fake") { () -> Int32 in
            calls += 1
            if calls < 3 { Glibc.errno = EINTR; return -1 }
            return 7
        }
        XCTAssertEqual(value, 7)
        XCTAssertEqual(calls, 3)
    }

    func testReadAndWriteRoundTripThroughAPipe() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let reader = FileDescriptor(rawValue: fds[0]), writer = FileDescriptor(rawValue: fds[1])
        defer { reader.close() }
        try writer.writeAll("hello swdock")
        writer.close()
        XCTAssertEqual(String(decoding: try reader.readAll(), as: UTF8.self), "hello swdock")
    }
}
