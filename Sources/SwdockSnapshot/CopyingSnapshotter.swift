import Foundation
import SwdockOS

/// The fallback when overlayfs cannot be used (daemon `storage-driver: "vfs"`), as Docker's
/// vfs driver and containerd's native snapshotter: every active snapshot is a full copy of its
/// parent's tree, mounted with a bind mount; layers are applied onto that merged tree.
///
/// A view of a committed snapshot is a read-only bind of the committed tree itself (committed
/// snapshots never change). `prepare` copies under the store's lock, so it is slow for big
/// parents and blocks other calls meanwhile — the price of the fallback.
public final class CopyingSnapshotter: Snapshotter, @unchecked Sendable {
    public let driverName = "vfs"
    public let root: String
    let store: SnapshotStore

    /// Opens (or creates) the snapshotter state in `root`, finishing any interrupted operation.
    public init(root: String) throws(SnapshotError) {
        self.root = root
        store = try SnapshotStore(root: root, driver: driverName)
    }

    public func prepare(_ key: String, parent: String?, labels: [String: String]) throws(SnapshotError) -> [Mount] {
        try create(key, kind: .active, parent: parent, labels: labels)
    }

    public func view(_ key: String, parent: String?, labels: [String: String]) throws(SnapshotError) -> [Mount] {
        try create(key, kind: .view, parent: parent, labels: labels)
    }

    private func create(_ key: String, kind: SnapshotKind, parent: String?, labels: [String: String]) throws(SnapshotError) -> [Mount] {
        try store.locked { () throws(SnapshotError) -> [Mount] in
            let record = try store.newRecord(key, kind: kind, parent: parent, labels: labels)
            try store.createDirectories(of: record, ["fs"])
            do throws(SnapshotError) {
                if kind == .active, let parent {
                    let source = store.directory(of: try store.record(parent)) + "/fs"
                    do { try FileTree.copy(from: source, to: store.directory(of: record) + "/fs") } catch {
                        throw SnapshotError(.io, "prepare \"\(key)\": copy parent \"\(parent)\"", cause: error)
                    }
                }
                try store.save(record)
            } catch {
                try? FileTree.remove(store.directory(of: record))
                throw error
            }
            return try mounts(of: record)
        }
    }

    public func mounts(_ key: String) throws(SnapshotError) -> [Mount] {
        try store.locked { () throws(SnapshotError) -> [Mount] in try mounts(of: try store.record(key)) }
    }

    private func mounts(of record: SnapshotStore.Record) throws(SnapshotError) -> [Mount] {
        switch record.kind {
        case .committed:
            throw SnapshotError(.failedPrecondition, "mounts of \"\(record.key)\": a committed snapshot is not mounted; prepare or view it")
        case .active:
            return [Mount(type: "bind", source: store.directory(of: record) + "/fs", options: ["rbind", "rw"])]
        case .view:
            let tree = try record.parent.map { (parent) throws(SnapshotError) in store.directory(of: try store.record(parent)) }
                ?? store.directory(of: record)
            return [Mount(type: "bind", source: tree + "/fs", options: ["rbind", "ro"])]
        }
    }

    public func commit(_ name: String, key: String, labels: [String: String]) throws(SnapshotError) {
        try store.commit(name, key: key, labels: labels)
    }

    public func remove(_ key: String) throws(SnapshotError) { try store.remove(key) }
    public func stat(_ key: String) throws(SnapshotError) -> SnapshotInfo { try store.stat(key) }
    public func list() throws(SnapshotError) -> [SnapshotInfo] { try store.list() }
    public func usage(_ key: String) throws(SnapshotError) -> SnapshotUsage { try store.usage(key) }

    public func writeTarget(_ key: String) throws(SnapshotError) -> SnapshotWriteTarget {
        .fullTree(try store.writableDirectory(key))
    }
}
