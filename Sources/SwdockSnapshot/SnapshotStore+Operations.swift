import Foundation
import SwdockOS

/// The operations every snapshotter performs the same way on its store.
extension SnapshotStore {
    /// Commits active `key` as `name`. With `parent` set, the committed snapshot is stacked on
    /// that committed snapshot instead of the one `key` was prepared on (only for layouts where
    /// a snapshot's directory holds its own changes alone, as overlay layers do).
    func commit(_ name: String, key: String, labels: [String: String], onto parent: String?? = .none) throws(SnapshotError) {
        try locked { () throws(SnapshotError) in
            var record = try record(key)
            guard record.kind == .active else {
                throw SnapshotError(.failedPrecondition, "commit \"\(key)\" as \"\(name)\": it is \(record.kind.rawValue), not active")
            }
            if case .some(let newParent) = parent {
                if let newParent {
                    let parentRecord = try self.record(newParent)
                    guard parentRecord.kind == .committed else {
                        throw SnapshotError(.failedPrecondition, "commit \"\(key)\" as \"\(name)\" onto \"\(newParent)\": it is \(parentRecord.kind.rawValue), not committed")
                    }
                }
                if all.contains(where: { $0.parent == key }) {
                    throw SnapshotError(.failedPrecondition, "commit \"\(key)\" as \"\(name)\" onto another parent: snapshots are based on it")
                }
                record.parent = newParent
            }
            guard !name.isEmpty, !name.utf8.contains(0) else { throw SnapshotError(.invalidArgument, "invalid snapshot name \"\(name)\"") }
            guard (try? self.record(name)) == nil else {
                throw SnapshotError(.alreadyExists, "commit \"\(key)\": snapshot \"\(name)\" already exists")
            }
            record.key = name
            record.kind = .committed
            record.labels.merge(labels) { _, new in new }
            record.updated = Date()
            try save(record, removing: key)
            // The work dir only serves a mounted upper; a leftover one is removed at the next open.
            try? FileTree.remove(directory(of: record) + "/work")
        }
    }

    func remove(_ key: String) throws(SnapshotError) {
        try locked { () throws(SnapshotError) in
            let record = try record(key)
            if let child = all.first(where: { $0.parent == key }) {
                throw SnapshotError(.failedPrecondition, "remove snapshot \"\(key)\": snapshot \"\(child.key)\" is based on it")
            }
            // Forget first, delete second: a crash in between leaves a directory `open` removes.
            try save(nil, removing: key)
            do { try FileTree.remove(directory(of: record)) } catch {
                throw SnapshotError(.io, "remove directory of snapshot \"\(key)\" (it is forgotten; the next open retries)", cause: error)
            }
        }
    }

    func stat(_ key: String) throws(SnapshotError) -> SnapshotInfo {
        try locked { () throws(SnapshotError) -> SnapshotInfo in info(try record(key)) }
    }

    func list() throws(SnapshotError) -> [SnapshotInfo] {
        try locked { () throws(SnapshotError) -> [SnapshotInfo] in all.map(info) }
    }

    func usage(_ key: String) throws(SnapshotError) -> SnapshotUsage {
        let path = try locked { () throws(SnapshotError) -> String in directory(of: try record(key)) + "/fs" }
        do { return try FileTree.usage(path) } catch {
            throw SnapshotError(.io, "usage of snapshot \"\(key)\"", cause: error)
        }
    }

    /// The `fs` directory of active snapshot `key`.
    func writableDirectory(_ key: String) throws(SnapshotError) -> String {
        try locked { () throws(SnapshotError) -> String in
            let record = try record(key)
            guard record.kind == .active else {
                throw SnapshotError(.failedPrecondition, "write into snapshot \"\(key)\": it is \(record.kind.rawValue), not active")
            }
            return directory(of: record) + "/fs"
        }
    }

    func info(_ record: Record) -> SnapshotInfo {
        SnapshotInfo(name: record.key, parent: record.parent, kind: record.kind, labels: record.labels,
                     created: record.created, updated: record.updated)
    }
}
