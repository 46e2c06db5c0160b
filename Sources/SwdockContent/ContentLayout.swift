/// Where the content store keeps things under its root (version 1 of the layout).
///
/// ```
/// <root>/content/blobs/sha256/<hex>     verified blobs, never rewritten
/// <root>/content/ingest/<ref>/          downloads in progress (data, and the size verified so far)
/// ```
public enum ContentLayout {
    public static let version = 1
    public static let blobsDirectory = "content/blobs"
    public static let ingestDirectory = "content/ingest"
}
