import Foundation

/// The fixture images `Tests/Fixtures/build-fixtures.py` built: `catalog.json` in the
/// fixtures directory (`$SWDOCK_FIXTURES`), with every image's digests, media types,
/// platforms and the tree manifests of its unpacked layers (see Tests/Fixtures/README.md).
public struct FixtureCatalog: Codable, Sendable {
    public var version: Int
    public var fixtures: [Fixture]
    /// The directory holding `catalog.json`; relative paths in the catalog are below it.
    public var directory: URL = URL(fileURLWithPath: "/")

    private enum CodingKeys: String, CodingKey { case version, fixtures }

    /// A descriptor as OCI writes it (digest strings are `sha256:<hex>`).
    public struct Descriptor: Codable, Sendable, Hashable {
        public var digest: String
        public var mediaType: String
        public var size: Int64
    }

    public struct Platform: Codable, Sendable, Hashable, CustomStringConvertible {
        public var os: String
        public var architecture: String
        public var variant: String?

        /// `linux/arm64/v8`, `linux/amd64`.
        public var description: String {
            ([os, architecture] + (variant.map { [$0] } ?? [])).joined(separator: "/")
        }
    }

    /// One layer of an image.
    public struct Layer: Codable, Sendable, Hashable {
        public var digest: String
        /// The media type the manifest gives (for the mislabelled variant it does not match the bytes).
        public var mediaType: String
        public var size: Int64
        /// Digest of the uncompressed tar.
        public var diffID: String
        /// What the bytes really are: `gzip`, `zstd` or `none`.
        public var compression: String
        /// Number of tar entries (0 for an empty layer).
        public var entries: Int
        /// The layer as an overlayfs upper directory after applying it (relative path).
        public var tree: String
    }

    /// One image manifest with its config, layers and expected merged tree.
    public struct Image: Codable, Sendable, Hashable {
        public var manifest: Descriptor
        public var platform: Platform
        public var config: Descriptor
        public var layers: [Layer]
        /// Number of history entries in the config (empty_layer ones included).
        public var historyCount: Int
        /// The merged rootfs, all layers applied (relative path).
        public var expected: String
    }

    /// A tag of a fixture's repository: a manifest or an index.
    public struct Tag: Codable, Sendable, Hashable {
        public var tag: String
        /// Where skopeo reads it from, relative to the fixtures directory (`oci:busybox/oci:latest`, `dir:…`).
        public var source: String
        /// The tag's manifest (or index) digest, media type and size.
        public var digest: String
        public var mediaType: String
        public var size: Int64
        /// One image for a manifest; the platform images for an index, in index order.
        public var images: [Image]
        /// Set on the variant whose layer media types name another compression than the bytes.
        public var mislabelled: Bool?

        public var isIndex: Bool {
            mediaType == "application/vnd.oci.image.index.v1+json"
                || mediaType == "application/vnd.docker.distribution.manifest.list.v2+json"
        }
    }

    public struct Fixture: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable { case image, index }
        public var name: String
        /// Repository name in the test registries (`swdock-fixtures/busybox`).
        public var repository: String
        public var kind: Kind
        public var description: String
        public var tags: [Tag]

        /// The tag called `name`.
        public func tag(_ name: String) -> Tag? { tags.first { $0.tag == name } }
    }

    /// The fixture called `name`.
    public func fixture(_ name: String) -> Fixture? { fixtures.first { $0.name == name } }

    /// The file a catalog-relative path names.
    public func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// Loads a tree manifest the catalog names (`image.expected`, `layer.tree`).
    public func tree(_ relative: String) throws -> TreeManifest { try TreeManifest.load(from: url(relative)) }

    /// Path of a blob in the fixture's OCI layout (`<fixture>/oci/blobs/sha256/<hex>`), when it is there.
    public func layoutBlob(fixture: Fixture, digest: String) -> URL? {
        let hex = digest.split(separator: ":").last.map(String.init) ?? digest
        let candidate = url("\(fixture.name)/oci/blobs/sha256/\(hex)")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// Reads `catalog.json` from `directory`.
    public static func load(from directory: URL) throws -> FixtureCatalog {
        let file = directory.appendingPathComponent("catalog.json")
        var catalog: FixtureCatalog
        do {
            catalog = try JSONDecoder().decode(FixtureCatalog.self, from: Data(contentsOf: file))
        } catch {
            throw TreeManifestError(what: "read fixture catalog \(file.path)",
                                    message: "cannot read or decode (build it with Tests/Fixtures/build-fixtures.py)",
                                    cause: error)
        }
        guard catalog.version == 1 else {
            throw TreeManifestError(what: "read fixture catalog \(file.path)",
                                    message: "catalog version \(catalog.version), want 1")
        }
        catalog.directory = directory
        return catalog
    }

    /// The catalog in `$SWDOCK_FIXTURES` (skips, or fails under SWDOCK_TEST_STRICT=1, when unset).
    public static func fromEnvironment(file: StaticString = #filePath, line: UInt = #line) throws -> FixtureCatalog {
        let directory = try TestEnvironment.require("SWDOCK_FIXTURES", file: file, line: line)
        return try load(from: URL(fileURLWithPath: directory))
    }
}
