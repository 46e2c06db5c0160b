/// Read access to where snapshots keep their content, for code that reads layers without
/// mounting them: `docker diff` and `docker commit` walk a container's upper directory (overlay)
/// or compare its tree with the image's (vfs).
public protocol SnapshotDirectories {
    /// The content directory of snapshot `key`: overlay — its own layer (committed) or upper
    /// (active); vfs — its full tree. Callers only read it.
    func contentDirectory(_ key: String) throws(SnapshotError) -> String
}

extension SnapshotStore {
    func contentDirectory(_ key: String) throws(SnapshotError) -> String {
        try locked { () throws(SnapshotError) -> String in directory(of: try record(key)) + "/fs" }
    }
}

extension OverlaySnapshotter: SnapshotDirectories {
    public func contentDirectory(_ key: String) throws(SnapshotError) -> String { try store.contentDirectory(key) }
}

extension CopyingSnapshotter: SnapshotDirectories {
    public func contentDirectory(_ key: String) throws(SnapshotError) -> String { try store.contentDirectory(key) }
}
