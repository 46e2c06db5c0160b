/// An image as the store keeps it: its ID is the config digest.
public struct ImageRecord: Sendable, Equatable {
    public var id: String
    public var manifestDigest: String?
    public var configDigest: String
    public var createdNanoseconds: Int64
    public var size: Int64

    public init(id: String, manifestDigest: String?, configDigest: String, createdNanoseconds: Int64, size: Int64) {
        self.id = id
        self.manifestDigest = manifestDigest
        self.configDigest = configDigest
        self.createdNanoseconds = createdNanoseconds
        self.size = size
    }
}

extension Connection {
    private static func image(_ row: Row) throws -> ImageRecord {
        ImageRecord(id: try row.string(0), manifestDigest: try row.optionalString(1), configDigest: try row.string(2),
                    createdNanoseconds: try row.int64(3), size: try row.int64(4))
    }

    /// Inserts the image or updates its manifest digest and size when it exists.
    public func upsertImage(_ record: ImageRecord) throws {
        try execute("""
            INSERT INTO images (id, manifest_digest, config_digest, created_ns, size) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET manifest_digest = excluded.manifest_digest, size = excluded.size
            """, [record.id, record.manifestDigest, record.configDigest, record.createdNanoseconds, record.size])
    }

    public func image(id: String) throws -> ImageRecord? {
        try queryOne("SELECT id, manifest_digest, config_digest, created_ns, size FROM images WHERE id = ?", [id], Self.image)
    }

    public func allImages() throws -> [ImageRecord] {
        try query("SELECT id, manifest_digest, config_digest, created_ns, size FROM images ORDER BY created_ns, id", [],
                  Self.image)
    }

    /// Deletes the image and, by cascade, every tag and digest reference to it.
    @discardableResult
    public func deleteImage(id: String) throws -> Bool {
        try execute("DELETE FROM images WHERE id = ?", [id]) > 0
    }

    /// Points `reference` (`repo:tag`) at `imageID`, moving it from any image it named before.
    public func setTag(_ reference: String, imageID: String) throws {
        try execute("INSERT INTO image_tags (reference, image_id) VALUES (?, ?) ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id",
                    [reference, imageID])
    }

    @discardableResult
    public func removeTag(_ reference: String) throws -> Bool {
        try execute("DELETE FROM image_tags WHERE reference = ?", [reference]) > 0
    }

    /// Records `reference` (`repo@sha256:…`) as a digest reference of `imageID`.
    public func addDigestReference(_ reference: String, imageID: String) throws {
        try execute("INSERT INTO image_digests (reference, image_id) VALUES (?, ?) ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id",
                    [reference, imageID])
    }

    /// The image a tag points at.
    public func imageID(forTag reference: String) throws -> String? {
        try queryOne("SELECT image_id FROM image_tags WHERE reference = ?", [reference]) { row in try row.string(0) }
    }

    public func tags(ofImage imageID: String) throws -> [String] {
        try query("SELECT reference FROM image_tags WHERE image_id = ? ORDER BY reference", [imageID]) { try $0.string(0) }
    }

    public func digestReferences(ofImage imageID: String) throws -> [String] {
        try query("SELECT reference FROM image_digests WHERE image_id = ? ORDER BY reference", [imageID]) { try $0.string(0) }
    }

    public func imageCount() throws -> Int { Int(try scalarInt("SELECT count(*) FROM images")) }
}
