#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// How the directory a layer is applied to is laid out.
public enum LayerTarget: String, Sendable {
    /// An overlayfs upper directory holding only this layer: `.wh.NAME` becomes a 0:0
    /// character device `NAME`, `.wh..wh..opq` becomes `trusted.overlay.opaque=y` on its directory.
    case overlayLayer
    /// A full tree that already holds the layers below (the copying snapshotter): `.wh.NAME`
    /// deletes `NAME`, `.wh..wh..opq` deletes what the lower layers put in its directory.
    case mergedTree
}

/// What `LayerApplier.apply` is asked to do besides extracting.
public struct LayerApplyOptions: Sendable {
    /// The directory layout to produce.
    public var target: LayerTarget
    /// The diffID from the image config (`rootfs.diff_ids[i]`); a different sha256 of the
    /// uncompressed stream fails the apply with `.diffIDMismatch`.
    public var expectedDiffID: Digest?
    /// Apply the entries' uid/gid (needs root); when false, files belong to the caller.
    public var preserveOwnership: Bool
    /// False for plain archives (`docker cp`): `.wh.` names are ordinary files, not whiteouts.
    public var whiteouts = true
    /// Refuse to replace a directory with a non-directory or the reverse (the archive API's
    /// `noOverwriteDirNonDir`, which the docker CLI always sets).
    public var noOverwriteDirNonDir = false
    /// Every entry gets this owner instead of its own (`copyUIDGID` with a container user).
    public var owner: ArchiveOwner?
    /// A directory of the root (a container path; resolved inside the root) that the entries
    /// are placed below; a name that climbs above it with `..` is refused, as Docker's `Untar`.
    public var destination = ""
    /// Docker's `RebaseArchiveEntries`: the first occurrence of `from` in each entry's name (and
    /// hard-link target) becomes `to` before the name is cleaned (`docker cp` to a new name).
    public var rebase: ArchiveRebase?

    public init(target: LayerTarget = .overlayLayer, expectedDiffID: Digest? = nil, preserveOwnership: Bool = true) {
        self.target = target
        self.expectedDiffID = expectedDiffID
        self.preserveOwnership = preserveOwnership
    }
}

/// What an apply found.
public struct LayerApplyResult: Sendable, Equatable {
    /// sha256 of the uncompressed stream, trailing blocks included.
    public var diffID: Digest
    /// The compression detected from the blob's first bytes.
    public var compression: LayerCompression
    /// Bytes read from the input descriptor (the blob's size when the whole blob was given).
    public var compressedSize: Int64
    /// Bytes of the uncompressed tar stream.
    public var uncompressedSize: Int64
    /// Tar entries processed (whiteouts included).
    public var entryCount: Int
}

/// Applies one image layer — a gzip, zstd or uncompressed tar stream — to a directory in one
/// pass: read → decompress → sha256 (the diffID) → tar parse → extract. Nothing is buffered
/// to disk except the directory-time list (see below); the input is read to its very end.
///
/// ## Safety policy: containment
/// An entry can never create, change or remove anything outside the root:
/// - **Names** are cleaned lexically as if the root were `/` (Docker's `filepath.Clean("/"+name)`):
///   an absolute name is taken relative to the root and a `..` that would climb above the
///   root stops at the root (`../../etc/x` → `etc/x`).
/// - **Parents** are resolved with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`, so a
///   symlink planted by an earlier entry resolves inside the root as in a chroot
///   (`a -> /tmp/outside` then `a/file` writes `<root>/tmp/outside/file`, or fails with an
///   error naming the entry when `<root>/tmp/outside` does not exist). Missing parents are made
///   with mode 0755 only when they resolve to a missing name inside the root.
/// - **The final component** is never followed: files are created with `O_CREAT|O_EXCL|O_NOFOLLOW`
///   after removing what was there, metadata calls use `AT_SYMLINK_NOFOLLOW`.
/// - **Hard links** name their target with the same cleaning and resolution, and `linkat`
///   does not follow a target symlink, so a link target is always an inode inside the root
///   (`/etc/shadow` means `<root>/etc/shadow`; absent → an error naming the entry).
/// - **Devices** are created (`mknodat`) with the major/minor the entry says and never opened;
///   nothing on the host is read or written through them.
/// - **xattrs** named `trusted.overlay.*` in entries are dropped: they are overlayfs' own
///   metadata and only whiteout markers may produce them.
/// - **Memory** is flat in the number and size of entries: file data streams through, hard
///   links need no table (tar links name an earlier path), and directory times are spilled
///   to an unlinked `O_TMPFILE` in the root.
///
/// On error the root holds a partial layer; the caller discards it (the snapshotter's
/// `remove`). A diffID mismatch is reported after the whole stream was applied.
///
/// The call blocks the calling thread for the whole stream: run it on a thread of its own
/// (the downloader writes into a pipe while committing the compressed blob).
public enum LayerApplier {
    /// Applies the layer read from `input` (a pipe or a file, read to its end, not closed)
    /// into the existing directory `root`.
    public static func apply(from input: FileDescriptor, into root: String,
                             options: LayerApplyOptions = LayerApplyOptions()) throws(ArchiveError) -> LayerApplyResult {
        let stream = try UncompressedStream(input: input)
        let tree: RootedTree
        do { tree = try RootedTree(rootPath: root) } catch {
            throw ArchiveError(.io, "apply layer to \"\(root)\"", cause: error)
        }
        let extractor = try LayerExtractor(stream: stream, tree: tree, options: options)
        let entries = try extractor.run()
        try stream.finish()
        let diffID: Digest
        do { diffID = try Digest(parsing: "sha256:" + stream.digestHex()) } catch {
            throw ArchiveError(.io, "compute diffID", cause: error)
        }
        if let expected = options.expectedDiffID, expected != diffID {
            throw ArchiveError(.diffIDMismatch,
                               "apply layer to \"\(root)\": diffID mismatch: the uncompressed stream is \(diffID), the image config says \(expected)")
        }
        return LayerApplyResult(diffID: diffID, compression: stream.compression,
                                compressedSize: stream.compressedBytes,
                                uncompressedSize: stream.uncompressedBytes, entryCount: entries)
    }

    /// Reads and decompresses the blob from `input` to its end and returns its diffID without
    /// extracting anything (`entryCount` is 0): for checking a blob against `rootfs.diff_ids`
    /// (load, push) and for measuring the decompression cost alone.
    public static func uncompressedDigest(from input: FileDescriptor) throws(ArchiveError) -> LayerApplyResult {
        let stream = try UncompressedStream(input: input)
        try stream.finish()
        let diffID: Digest
        do { diffID = try Digest(parsing: "sha256:" + stream.digestHex()) } catch {
            throw ArchiveError(.io, "compute diffID", cause: error)
        }
        return LayerApplyResult(diffID: diffID, compression: stream.compression, compressedSize: stream.compressedBytes,
                                uncompressedSize: stream.uncompressedBytes, entryCount: 0)
    }

    /// Applies the layer blob stored in the file `blobPath` (for example a content-store blob).
    public static func apply(file blobPath: String, into root: String,
                             options: LayerApplyOptions = LayerApplyOptions()) throws(ArchiveError) -> LayerApplyResult {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(blobPath, O_RDONLY) } catch {
            throw ArchiveError(.io, "open layer blob \"\(blobPath)\"", cause: error)
        }
        defer { fd.close() }
        return try apply(from: fd, into: root, options: options)
    }
}
