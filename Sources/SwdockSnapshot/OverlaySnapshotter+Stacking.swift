/// A snapshotter whose active snapshots hold only their own changes (an overlay upper), so a
/// layer can be unpacked before the layers below it exist and stacked onto them at commit.
///
/// The engine uses it to unpack the layers of one image in parallel, each as it downloads:
/// `prepare(key, parent: nil)`, apply the layer into `writeTarget(key)`, then
/// `commit(chainID, key: key, onto: parentChainID)` once the parent is committed.
public protocol LayerStackingSnapshotter: Snapshotter {
    /// Commits active snapshot `key` (prepared without a parent) as `name` on top of the
    /// committed snapshot `parent` (nil: at the bottom of a stack).
    func commit(_ name: String, key: String, onto parent: String?, labels: [String: String]) throws(SnapshotError)
}

extension OverlaySnapshotter: LayerStackingSnapshotter {
    public func commit(_ name: String, key: String, onto parent: String?, labels: [String: String]) throws(SnapshotError) {
        try store.commit(name, key: key, labels: labels, onto: .some(parent))
    }
}
