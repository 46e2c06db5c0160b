import Foundation
import SwdockMetadata
import SwdockTestSupport
import XCTest

final class DatabaseTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-metadata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dir = directory!
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    }

    private var path: String { directory.appendingPathComponent("metadata.db").path }

    private func container(_ n: Int, name: String? = nil) -> ContainerRecord {
        let id = String(repeating: String(format: "%02x", n % 256), count: 32)
        return ContainerRecord(id: id, name: name ?? "/c\(n)", image: "sha256:" + String(repeating: "a", count: 64),
                               createdNanoseconds: Int64(n), state: #"{"Status":"created"}"#, config: "{}")
    }

    func testMigratesFromZeroToCurrentAndEnablesWAL() throws {
        let db = try Database(path: path)
        XCTAssertEqual(try db.schemaVersion(), Schema.current)
        XCTAssertGreaterThanOrEqual(Schema.current, 1)
        let mode = try db.read { try $0.scalarString("PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let synchronous = try db.read { try $0.scalarInt("PRAGMA synchronous") }
        XCTAssertEqual(synchronous, 1, "NORMAL is 1")
        let tables = try db.read { try $0.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { try $0.string(0) } }
        XCTAssertEqual(tables, ["containers", "image_digests", "image_tags", "images", "ip_leases", "network_endpoints", "networks", "volumes"])
    }

    func testFullDurabilityIsApplied() throws {
        let db = try Database(path: path, durability: .full)
        XCTAssertEqual(try db.read { try $0.scalarInt("PRAGMA synchronous") }, 2, "FULL is 2")
    }

    func testReopenKeepsDataAndDoesNotRemigrate() throws {
        do {
            let db = try Database(path: path)
            try db.write { try $0.insertContainer(container(1)) }
        }
        let db = try Database(path: path)
        XCTAssertEqual(try db.schemaVersion(), Schema.current)
        XCTAssertEqual(try db.read { try $0.allContainers() }, [container(1)])
    }

    func testMigrationsRunInOrderAndOnlyNewOnes() throws {
        let v1 = Migration(version: 1, name: "t", sql: "CREATE TABLE t (a INTEGER) STRICT;")
        let v2 = Migration(version: 2, name: "t.b", sql: "ALTER TABLE t ADD COLUMN b TEXT; INSERT INTO t VALUES (1, 'x');")
        do { _ = try Database(path: path, migrations: [v1]) }
        let db = try Database(path: path, migrations: [v1, v2])
        XCTAssertEqual(try db.schemaVersion(), 2)
        XCTAssertEqual(try db.read { try $0.scalarInt("SELECT count(*) FROM t WHERE b = 'x'") }, 1)
    }

    func testFailingMigrationLeavesThePreviousVersion() throws {
        let v1 = Migration(version: 1, name: "t", sql: "CREATE TABLE t (a INTEGER) STRICT;")
        let bad = Migration(version: 2, name: "bad", sql: "CREATE TABLE u (a INTEGER); INSERT INTO nosuch VALUES (1);")
        XCTAssertThrowsError(try Database(path: path, migrations: [v1, bad])) { error in
            XCTAssertEqual((error as? MetadataError)?.code, .migration)
            XCTAssertTrue("\(error)".contains("schema version 2"), "\(error)")
        }
        let db = try Database(path: path, migrations: [v1])
        XCTAssertEqual(try db.schemaVersion(), 1)
        let u = try db.read { try $0.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'u'") }
        XCTAssertEqual(u, 0, "the failed step's table must be rolled back with it")
    }

    func testNewerSchemaOnDiskIsRefused() throws {
        do { _ = try Database(path: path) }
        let future = (1...(Schema.current + 1)).map { Migration(version: $0, name: "m\($0)", sql: $0 > Schema.current ? "SELECT 1;" : "") }
        do { _ = try Database(path: path, migrations: future) }
        XCTAssertThrowsError(try Database(path: path)) { error in
            XCTAssertEqual((error as? MetadataError)?.code, .migration)
            XCTAssertTrue("\(error)".contains("newer"), "\(error)")
        }
    }

    func testTransactionThatThrowsLeavesNothing() throws {
        struct Boom: Error {}
        let db = try Database(path: path)
        XCTAssertThrowsError(try db.write { connection in
            try connection.insertContainer(container(1))
            try connection.upsertImage(ImageRecord(id: "sha256:x", manifestDigest: nil, configDigest: "sha256:x",
                                                   createdNanoseconds: 1, size: 1))
            throw Boom()
        }) { XCTAssertTrue($0 is Boom, "the block's own error is rethrown") }
        XCTAssertEqual(try db.read { try $0.containerCount() }, 0)
        XCTAssertEqual(try db.read { try $0.imageCount() }, 0)
        // The connection is usable again after the rollback.
        try db.write { try $0.insertContainer(container(2)) }
        XCTAssertEqual(try db.read { try $0.containerCount() }, 1)
    }

    func testNestedWriteIsMisuseNotADeadlock() throws {
        let db = try Database(path: path)
        XCTAssertThrowsError(try db.write { _ in try db.write { try $0.insertContainer(container(1)) } }) {
            XCTAssertEqual(($0 as? MetadataError)?.code, .misuse)
        }
        XCTAssertEqual(try db.read { try $0.containerCount() }, 0)
    }

    func testUniqueNameIsAConstraintErrorNamingTheContainer() throws {
        let db = try Database(path: path)
        try db.write { try $0.insertContainer(container(1, name: "/web")) }
        XCTAssertThrowsError(try db.write { try $0.insertContainer(container(2, name: "/web")) }) { error in
            let error = error as? MetadataError
            XCTAssertEqual(error?.code, .constraint)
            XCTAssertTrue(error?.description.contains("/web") ?? false, "\(String(describing: error))")
        }
    }

    func testContainerQueriesAndStateUpdates() throws {
        let db = try Database(path: path)
        try db.write { connection in
            for n in 1...3 { try connection.insertContainer(container(n)) }
            try connection.updateContainerState(id: container(2).id, state: #"{"Status":"running"}"#)
            try connection.renameContainer(id: container(3).id, to: "/renamed")
        }
        try db.read { connection in
            XCTAssertEqual(try connection.containerCount(status: "running"), 1)
            XCTAssertEqual(try connection.containerCount(status: "created"), 2)
            XCTAssertEqual(try connection.container(name: "/renamed")?.id, container(3).id)
            XCTAssertEqual(try connection.containers(idPrefix: "02").map(\.id), [container(2).id])
            XCTAssertEqual(try connection.containers(idPrefix: "0%"), [])
            XCTAssertThrowsError(try connection.updateContainerState(id: "nosuch", state: "{}")) {
                XCTAssertEqual(($0 as? MetadataError)?.code, .notFound)
            }
        }
        XCTAssertThrowsError(try db.write { try $0.updateContainerState(id: container(1).id, state: "not json") }) {
            XCTAssertEqual(($0 as? MetadataError)?.code, .constraint, "json_valid CHECK refuses it")
        }
        XCTAssertTrue(try db.write { try $0.deleteContainer(id: container(1).id) })
        XCTAssertFalse(try db.write { try $0.deleteContainer(id: container(1).id) })
    }

    func testImageReferencesCascadeOnDelete() throws {
        let db = try Database(path: path)
        let image = ImageRecord(id: "sha256:74a0", manifestDigest: "sha256:64d0", configDigest: "sha256:74a0",
                                createdNanoseconds: 5, size: 1982347)
        try db.write { connection in
            try connection.upsertImage(image)
            try connection.setTag("localhost:5000/busybox:latest", imageID: image.id)
            try connection.addDigestReference("localhost:5000/busybox@sha256:64d0", imageID: image.id)
        }
        XCTAssertEqual(try db.read { try $0.imageID(forTag: "localhost:5000/busybox:latest") }, image.id)
        XCTAssertEqual(try db.read { try $0.image(id: image.id) }, image)
        XCTAssertThrowsError(try db.write { try $0.setTag("x:y", imageID: "sha256:nosuch") }) {
            XCTAssertEqual(($0 as? MetadataError)?.code, .constraint, "foreign keys are on")
        }
        try db.write { _ = try $0.deleteImage(id: image.id) }
        XCTAssertEqual(try db.read { try $0.tags(ofImage: image.id) }, [])
        XCTAssertEqual(try db.read { try $0.digestReferences(ofImage: image.id) }, [])
    }

    func testConcurrentWritersAreSerialised() throws {
        let db = try Database(path: path)
        let records = (1...200).map { container($0) }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for n in 0..<25 {
                let record = records[worker * 25 + n]
                try? db.write { connection in
                    try connection.insertContainer(record)
                    try connection.updateContainerState(id: record.id, state: #"{"Status":"running"}"#)
                }
            }
        }
        XCTAssertEqual(try db.read { try $0.containerCount(status: "running") }, 200)
    }

    func testUnopenablePathNamesIt() {
        XCTAssertThrowsError(try Database(path: "/nonexistent-dir-\(UUID().uuidString)/metadata.db")) { error in
            XCTAssertEqual((error as? MetadataError)?.code, .open)
            XCTAssertTrue("\(error)".contains("nonexistent-dir"), "\(error)")
        }
    }
}
