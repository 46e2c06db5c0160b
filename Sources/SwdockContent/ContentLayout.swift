/// Where the content store keeps things under its root (version 1 of the layout).
///
/// ```
/// <root>/content/blobs/sha256/<hex>     verified blobs, mode 0444, never rewritten
/// <root>/content/ingest/<ref>/          one download in progress; a writer holds flock(2) on
///                                       this directory. <ref> defaults to sha256-<hex>.
///     data                              the bytes received so far (their count is the resume offset)
///     ref                               the expected digest, "sha256:<hex>\n"
///     total                             the expected size in bytes, or an empty line
/// ```
///
/// A blob appears under `blobs/` only by rename(2) of a verified, fsynced `data`, followed by
/// an fsync of `blobs/sha256`. An ingest is resumed by re-reading and re-hashing `data` (SHA-256
/// state cannot be serialised portably); a prefix that turns out wrong fails the digest check
/// and the ingest is discarded.
public enum ContentLayout {
    public static let version = 1
    public static let blobsDirectory = "content/blobs"
    public static let ingestDirectory = "content/ingest"
}
