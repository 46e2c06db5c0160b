import Foundation
import SwdockNetwork
import SwdockTestSupport
import XCTest

/// Host port reservations: ephemeral choice, conflicts, release. Binds only; sends nothing.
final class PortReservationTests: XCTestCase {
    func testEphemeralPortConflictAndRelease() throws {
        for proto in TransportProtocol.allCases {
            let loopback = IPv4Subnet.parseAddress("127.0.0.1")!
            let first = try PortReservation.reserve(proto, hostIP: loopback, port: 0)
            XCTAssertGreaterThan(first.port, 1023, "the kernel picks an ephemeral port")
            XCTAssertThrowsError(try PortReservation.reserve(proto, hostIP: loopback, port: first.port)) { error in
                XCTAssertEqual((error as! NetworkError).code, .conflict)
                XCTAssertTrue((error as! NetworkError).message.contains("reserve host port 127.0.0.1:\(first.port)/\(proto.rawValue)"))
            }
            // The wildcard address conflicts with a reservation on one address too.
            XCTAssertThrowsError(try PortReservation.reserve(proto, port: first.port))
            first.release()
            let again = try PortReservation.reserve(proto, hostIP: loopback, port: first.port)
            XCTAssertEqual(again.port, first.port)
            again.release()
        }
    }
}
