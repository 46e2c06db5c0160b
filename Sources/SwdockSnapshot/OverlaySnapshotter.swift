import Foundation
import SwdockOS

/// Snapshots as overlayfs layers: each committed snapshot is one directory holding only its
/// own layer, an active snapshot adds an upper and a work dir, and the mount of a stack is
/// one overlay with the ancestors as lower dirs (topmost first), as containerd's overlayfs.
///
/// ## Deep stacks (≥128 layers)
/// Lower dirs are absolute paths (`<root>/snapshots/<id>/fs`). While the joined options fit in
/// one page they are one `lowerdir=a:b:…` option, which `mount(2)` carries. Beyond a page the
/// mount lists each lower dir as its own `lowerdir+=<path>` option, which `Mount.perform` hands
/// to the new mount API, one `fsconfig` call per layer (kernel 6.8+), so the depth is bounded
/// by overlayfs' own limit (500 lower layers) rather than by the page. This replaces Docker's
/// `l/` directory of short symlinks, which only stretches the page and needs a relative
/// mount from inside the driver's directory; the choice means a mount of a stack deeper than a
/// page needs a 6.8+ kernel, and `mount(8)` cannot perform it from the option list.
public final class OverlaySnapshotter: Snapshotter, @unchecked Sendable {
    public let driverName = "overlayfs"
    public let root: String
    let store: SnapshotStore

    /// Opens (or creates) the snapshotter state in `root`, finishing any interrupted operation.
    public init(root: String) throws(SnapshotError) {
        guard !root.contains(","), !root.contains(":"), !root.contains("=") else {
            throw SnapshotError(.invalidArgument, "overlay snapshot root \"\(root)\" contains ',', ':' or '=', which overlay mount options cannot carry")
        }
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
            try store.createDirectories(of: record, kind == .active ? ["fs", "work"] : ["fs"])
            do throws(SnapshotError) { try store.save(record) } catch {
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
        guard record.kind != .committed else {
            throw SnapshotError(.failedPrecondition, "mounts of \"\(record.key)\": a committed snapshot is not mounted; prepare or view it")
        }
        let lowers = try record.parent.map { (parent) throws(SnapshotError) in
            try store.ancestors(from: parent).map { store.directory(of: $0) + "/fs" }
        } ?? []
        let own = store.directory(of: record)
        if record.kind == .view {
            switch lowers.count {
            case 0: return [Mount(type: "bind", source: own + "/fs", options: ["rbind", "ro"])]
            case 1: return [Mount(type: "bind", source: lowers[0], options: ["rbind", "ro"])]
            default: return [overlay(lowers: lowers, extra: [], readOnly: true)]
            }
        }
        if lowers.isEmpty { return [Mount(type: "bind", source: own + "/fs", options: ["rbind", "rw"])] }
        return [overlay(lowers: lowers, extra: ["upperdir=\(own)/fs", "workdir=\(own)/work"], readOnly: false)]
    }

    private func overlay(lowers: [String], extra: [String], readOnly: Bool) -> Mount {
        // index=off as containerd: an inodes index ties an upper to one exact lower stack and
        // serves only NFS export and hard-link copy-up, which container roots do not need.
        var options = ["index=off", "lowerdir=" + lowers.joined(separator: ":")] + extra
        if readOnly { options.append("ro") }
        if options.joined(separator: ",").utf8.count > Mount.legacyOptionLimit {
            options = ["index=off"] + lowers.map { "lowerdir+=" + $0 } + extra + (readOnly ? ["ro"] : [])
        }
        return Mount(type: "overlay", source: "overlay", options: options)
    }

    public func commit(_ name: String, key: String, labels: [String: String]) throws(SnapshotError) {
        try store.commit(name, key: key, labels: labels)
    }

    public func remove(_ key: String) throws(SnapshotError) { try store.remove(key) }
    public func stat(_ key: String) throws(SnapshotError) -> SnapshotInfo { try store.stat(key) }
    public func list() throws(SnapshotError) -> [SnapshotInfo] { try store.list() }
    public func usage(_ key: String) throws(SnapshotError) -> SnapshotUsage { try store.usage(key) }

    public func writeTarget(_ key: String) throws(SnapshotError) -> SnapshotWriteTarget {
        .layerDirectory(try store.writableDirectory(key))
    }
}
