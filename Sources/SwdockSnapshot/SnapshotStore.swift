import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// The on-disk state shared by the snapshotters: a metadata file and one directory per snapshot.
///
/// Layout (version 1) under `root`:
/// ```
/// metadata.json            {"version":1,"driver":"overlayfs","nextID":N,"snapshots":[…]}
/// snapshots/<id>/fs        the snapshot's content (overlay: its layer / upper; vfs: a full tree)
/// snapshots/<id>/work      overlayfs work dir (active overlay snapshots only)
/// ```
/// `metadata.json` is replaced atomically (write `metadata.json.tmp`, fsync, rename, fsync the
/// directory; the fsyncs are left out for a snapshot labelled `SnapshotLabel.volatile`).
/// Directories are created before the metadata names them and deleted after it stopped naming
/// them, so after a crash at any instant the metadata is whole and the only leftovers are
/// directories it does not name; `open` deletes those.
final class SnapshotStore: @unchecked Sendable {
    struct Record: Codable, Equatable {
        var key: String
        var id: Int
        var kind: SnapshotKind
        var parent: String?
        var labels: [String: String]
        var created: Date
        var updated: Date
    }

    private struct File: Codable {
        var version: Int
        var driver: String
        var nextID: Int
        var snapshots: [Record]
    }

    static let formatVersion = 1
    let root: String
    let driver: String
    private let lock = NSLock()
    private var records: [String: Record] = [:]
    private var nextID = 1

    init(root: String, driver: String) throws(SnapshotError) {
        self.root = root
        self.driver = driver
        do {
            try FileManager.default.createDirectory(atPath: root + "/snapshots", withIntermediateDirectories: true)
        } catch {
            throw SnapshotError(.io, "create snapshot root \"\(root)\"", cause: error as NSError)
        }
        let metadataPath = root + "/metadata.json"
        if let data = FileManager.default.contents(atPath: metadataPath) {
            let file: File
            do { file = try JSONDecoder().decode(File.self, from: data) } catch {
                throw SnapshotError(.io, "read snapshot metadata \"\(metadataPath)\"", cause: error as NSError)
            }
            guard file.version == Self.formatVersion else {
                throw SnapshotError(.notSupported, "not supported: snapshot metadata \"\(metadataPath)\" has version \(file.version), this swdock reads \(Self.formatVersion)")
            }
            guard file.driver == driver else {
                throw SnapshotError(.failedPrecondition, "snapshot root \"\(root)\" belongs to driver \(file.driver), not \(driver)")
            }
            nextID = file.nextID
            for record in file.snapshots { records[record.key] = record }
        }
        try removeLeftovers()
    }

    /// Runs `body` under the store's lock.
    func locked<T>(_ body: () throws(SnapshotError) -> T) throws(SnapshotError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func directory(of record: Record) -> String { "\(root)/snapshots/\(record.id)" }

    func record(_ key: String) throws(SnapshotError) -> Record {
        guard let record = records[key] else { throw SnapshotError(.notFound, "snapshot \"\(key)\" does not exist") }
        return record
    }

    var all: [Record] { records.values.sorted { $0.key < $1.key } }

    /// The committed snapshots from `key` down to the bottom of its stack.
    func ancestors(from key: String) throws(SnapshotError) -> [Record] {
        var chain: [Record] = []
        var next: String? = key
        while let current = next {
            let record = try record(current)
            chain.append(record)
            next = record.parent
        }
        return chain
    }

    /// Checks `key` is free and `parent` (if any) is committed; returns a new record not yet saved.
    func newRecord(_ key: String, kind: SnapshotKind, parent: String?, labels: [String: String]) throws(SnapshotError) -> Record {
        guard !key.isEmpty, !key.utf8.contains(0) else { throw SnapshotError(.invalidArgument, "invalid snapshot key \"\(key)\"") }
        guard records[key] == nil else { throw SnapshotError(.alreadyExists, "snapshot \"\(key)\" already exists") }
        if let parent {
            let parentRecord = try record(parent)
            guard parentRecord.kind == .committed else {
                throw SnapshotError(.failedPrecondition, "prepare \"\(key)\": parent \"\(parent)\" is \(parentRecord.kind.rawValue), not committed")
            }
        }
        let now = Date()
        let record = Record(key: key, id: nextID, kind: kind, parent: parent, labels: labels, created: now, updated: now)
        nextID += 1
        return record
    }

    /// Makes `snapshots/<id>` and the given subdirectories (before the metadata names them).
    func createDirectories(of record: Record, _ names: [String]) throws(SnapshotError) {
        let dir = directory(of: record)
        for name in [""] + names {
            let path = name.isEmpty ? dir : dir + "/" + name
            do {
                try sys("mkdir", "\"\(path)\"") { mkdir(path, name == "work" ? 0o700 : 0o755) }
            } catch {
                throw SnapshotError(.io, "create snapshot \"\(record.key)\"", cause: error)
            }
        }
    }

    /// Stores `record` (nil: deletes `key`) and rewrites the metadata file atomically; with the
    /// fsyncs unless the snapshot changed is labelled `SnapshotLabel.volatile`.
    func save(_ record: Record?, removing key: String? = nil) throws(SnapshotError) {
        let previous = records
        let changed = record ?? key.flatMap { records[$0] }
        let durable = changed?.labels[SnapshotLabel.volatile] != "true"
        if let key { records[key] = nil }
        if let record { records[record.key] = record }
        do {
            try writeMetadata(durable: durable)
        } catch {
            records = previous
            throw error
        }
    }

    /// `durable: false` leaves out the fsyncs: the file is still replaced whole (a kill -9 loses
    /// nothing), only a power loss may bring the previous version back.
    private func writeMetadata(durable: Bool = true) throws(SnapshotError) {
        let file = File(version: Self.formatVersion, driver: driver, nextID: nextID, snapshots: all)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let path = root + "/metadata.json"
        do {
            let data = try encoder.encode(file)
            let temporary = FileDescriptor(rawValue: try sys("open", "\"\(path).tmp\"") {
                swdock_open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            })
            do {
                try temporary.writeAll(Array(data))
                if durable { try temporary.sync() }
            } catch {
                temporary.close()
                throw error
            }
            temporary.close()
            try sys("rename", "\"\(path).tmp\"") { rename(path + ".tmp", path) }
            guard durable else { return }
            let dir = FileDescriptor(rawValue: try sys("open", "\"\(root)\"") {
                swdock_open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
            })
            defer { dir.close() }
            try dir.sync()
        } catch let error as OSError {
            throw SnapshotError(.io, "write snapshot metadata \"\(path)\"", cause: error)
        } catch {
            throw SnapshotError(.io, "encode snapshot metadata \"\(path)\"", cause: error as NSError)
        }
    }

    /// Deletes directories no record names, and work dirs of committed snapshots: what a crash
    /// between a metadata write and the directory change it goes with leaves behind.
    private func removeLeftovers() throws(SnapshotError) {
        let snapshots = root + "/snapshots"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []
        let live = Dictionary(uniqueKeysWithValues: records.values.map { (String($0.id), $0) })
        do {
            for name in names {
                if let record = live[name] {
                    if record.kind == .committed { try FileTree.remove(snapshots + "/" + name + "/work") }
                } else {
                    try FileTree.remove(snapshots + "/" + name)
                }
            }
        } catch {
            throw SnapshotError(.io, "remove leftovers of an interrupted operation in \"\(snapshots)\"", cause: error)
        }
    }
}
