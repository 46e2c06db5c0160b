import SwdockOS

/// Copying a directory tree with everything a layer needs (modes, owners, xattrs, times,
/// devices, symlinks, hard links), for users outside the snapshotters: a new volume is seeded
/// with the image's content at its mount path this way.
public enum TreeCopy {
    /// Copies the children of `source` (and its metadata) into the existing empty directory `destination`.
    public static func copyContents(from source: String, to destination: String) throws(OSError) {
        try FileTree.copy(from: source, to: destination)
    }
}
