import Foundation
import SwdockMetadata
import SwdockTestSupport
import XCTest

/// The networks migration: names unique, a second lease of an address a constraint error (what
/// IPAM relies on to never hand out an address twice), leases gone with their network.
final class NetworkRecordTests: XCTestCase {
    func testLeasesAreUniquePerNetworkAndGoWithTheirNetwork() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-netrec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let db = try Database(path: directory.appendingPathComponent("metadata.db").path)
        let n1 = NetworkRecord(id: String(repeating: "1", count: 64), name: "n1", createdNanoseconds: 1, config: "{}")
        let n2 = NetworkRecord(id: String(repeating: "2", count: 64), name: "n2", createdNanoseconds: 2, config: "{}")
        try db.write { try $0.insertNetwork(n1); try $0.insertNetwork(n2) }
        XCTAssertThrowsError(try db.write { try $0.insertNetwork(NetworkRecord(id: String(repeating: "3", count: 64), name: "n1",
                                                                             createdNanoseconds: 3, config: "{}")) }) { error in
            XCTAssertEqual((error as? MetadataError)?.code, .constraint, "\(error)")
        }
        try db.write { try $0.insertLease(networkID: n1.id, address: 0x0a00_0002, owner: "c1") }
        XCTAssertThrowsError(try db.write { try $0.insertLease(networkID: n1.id, address: 0x0a00_0002, owner: "c2") }) { error in
            XCTAssertEqual((error as? MetadataError)?.code, .constraint, "\(error)")
        }
        // The same address on another network is another lease.
        try db.write { try $0.insertLease(networkID: n2.id, address: 0x0a00_0002, owner: "c2") }
        XCTAssertEqual(try db.read { try $0.leases(networkID: n1.id) }.map(\.owner), ["c1"])
        try db.write { try $0.deleteNetwork(id: n1.id) }
        XCTAssertEqual(try db.read { try $0.allLeases() }.map(\.networkID), [n2.id], "n1's lease went with it")
    }
}
