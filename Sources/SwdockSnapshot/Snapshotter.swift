import Foundation

/// The state of a snapshot, as in containerd.
public enum SnapshotKind: String, Sendable, Codable {
    /// Read-only, immutable; the parent of other snapshots. The engine names these by chain ID.
    case committed
    /// Writable (a container's rootfs, or a layer being unpacked); can be committed.
    case active
    /// A read-only mount of a committed snapshot; cannot be committed.
    case view
}

/// What `stat` and `list` report about one snapshot.
public struct SnapshotInfo: Sendable, Equatable, Codable {
    /// The key (active, view) or name (committed).
    public var name: String
    /// The committed snapshot below it, if any.
    public var parent: String?
    public var kind: SnapshotKind
    public var labels: [String: String]
    public var created: Date
    public var updated: Date
}

/// Disk used by one snapshot's own directory (not its parents'), hard links counted once.
public struct SnapshotUsage: Sendable, Equatable {
    /// Bytes of allocated blocks.
    public var size: Int64
    /// Number of inodes.
    public var inodes: Int64
}

/// Where a layer is written into an active snapshot, and in what form (so the engine picks
/// the matching `LayerTarget` of `SwdockArchive` without mounting anything).
public enum SnapshotWriteTarget: Sendable, Equatable {
    /// The snapshot's own layer directory (an overlayfs upper): whiteouts are stored as
    /// overlayfs markers. Apply with `LayerTarget.overlayLayer`.
    case layerDirectory(String)
    /// A full tree that already holds the parent's content: whiteouts delete.
    /// Apply with `LayerTarget.mergedTree`.
    case fullTree(String)
}

/// A containerd-style snapshotter: committed snapshots stacked by parent, active snapshots on
/// top, and mounts returned as values for the shim or runtime to perform.
///
/// Keys are opaque strings. The engine uses the chain ID (`ChainID.compute`) as the name of a
/// committed layer snapshot, so images with the same layer stack share it, and the container
/// ID as the key of its active snapshot. A layer is unpacked by `prepare(tmpKey, parent: chainID
/// of the layers below)`, applying into `writeTarget(tmpKey)`, then `commit(chainID, key: tmpKey)`.
///
/// Every method is safe to call from several threads; each runs under one lock.
public protocol Snapshotter: AnyObject, Sendable {
    /// The name of the storage driver (`overlayfs`, `vfs`), as `docker info` shows it.
    var driverName: String { get }
    /// The directory that holds this snapshotter's state.
    var root: String { get }

    /// Creates an active snapshot `key` on top of the committed snapshot `parent` (or empty).
    func prepare(_ key: String, parent: String?, labels: [String: String]) throws(SnapshotError) -> [Mount]
    /// Creates a read-only view `key` of the committed snapshot `parent` (or an empty one).
    func view(_ key: String, parent: String?, labels: [String: String]) throws(SnapshotError) -> [Mount]
    /// The mounts of an active snapshot or view.
    func mounts(_ key: String) throws(SnapshotError) -> [Mount]
    /// Turns active snapshot `key` into the committed snapshot `name`; `key` is gone afterwards.
    func commit(_ name: String, key: String, labels: [String: String]) throws(SnapshotError)
    /// Removes a snapshot that no other snapshot has as its parent; it must not be mounted.
    func remove(_ key: String) throws(SnapshotError)
    func stat(_ key: String) throws(SnapshotError) -> SnapshotInfo
    /// Every snapshot, sorted by name.
    func list() throws(SnapshotError) -> [SnapshotInfo]
    /// The disk used by the snapshot's own directory.
    func usage(_ key: String) throws(SnapshotError) -> SnapshotUsage
    /// Where a layer applier writes into the active snapshot `key`, without mounting it.
    func writeTarget(_ key: String) throws(SnapshotError) -> SnapshotWriteTarget
}

/// Snapshot labels the snapshotters act on.
public enum SnapshotLabel {
    /// `"true"`: the snapshot need not survive a power loss (the rootfs of a `--rm` container,
    /// which is thrown away with it and mounted `volatile`), so creating and removing it skips
    /// the fsyncs of the metadata file (1–3 ms each on ext4, on every `run --rm`).
    public static let volatile = "swdock.volatile"
}

extension Snapshotter {
    public func prepare(_ key: String, parent: String? = nil) throws(SnapshotError) -> [Mount] {
        try prepare(key, parent: parent, labels: [:])
    }

    public func view(_ key: String, parent: String? = nil) throws(SnapshotError) -> [Mount] {
        try view(key, parent: parent, labels: [:])
    }

    public func commit(_ name: String, key: String) throws(SnapshotError) {
        try commit(name, key: key, labels: [:])
    }
}
