import FoundationEssentials

/// A single-platform image manifest: the OCI image manifest, which has the same shape as
/// Docker's image manifest v2 schema 2 (they differ only in media types).
public struct ImageManifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    /// Present in Docker schema 2 and (optionally) in OCI manifests.
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, config: Descriptor,
                layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }
}

/// A multi-platform index: the OCI image index or Docker's manifest list (same shape).
public struct ImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [Descriptor],
                annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The manifests whose platform matches `matcher`, best match first (as containerd orders them).
    public func manifests(matching matcher: PlatformMatcher) -> [Descriptor] {
        let candidates = manifests.enumerated().filter { _, descriptor in
            guard let platform = descriptor.platform else { return false }
            return MediaType.imageManifests.contains(descriptor.mediaType) && matcher.matches(platform)
        }
        // Stable sort: equal rank keeps index order, as containerd's sort.SliceStable does.
        return candidates.sorted { a, b in
            let ra = matcher.rank(a.element.platform!), rb = matcher.rank(b.element.platform!)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}

/// What a manifest document turned out to be once its media type (header or body) was looked at.
public enum ManifestKind: Hashable, Sendable {
    case manifest
    case index
    case schema1

    /// The media type of a `Content-Type` value: the part before any `;` parameter, without
    /// the blanks around it (by hand: FoundationEssentials has no CharacterSet).
    static func mediaType(ofContentType value: String) -> String {
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = type.firstIndex(where: { !isBlank($0) }), let last = type.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(type[first...last])
    }

    /// Classifies a manifest by the `Content-Type` the registry sent, falling back to the
    /// document's own `mediaType` and shape (registries do not always send a useful header).
    public static func classify(contentType: String?, body: [UInt8]) -> (kind: ManifestKind, mediaType: String)? {
        let header = contentType.map(mediaType(ofContentType:))
        if let header {
            if MediaType.imageManifests.contains(header) { return (.manifest, header) }
            if MediaType.indexes.contains(header) { return (.index, header) }
            if MediaType.schema1.contains(header) { return (.schema1, header) }
        }
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var manifests: [Descriptor]?
            var config: Descriptor?
            var fsLayers: [Schema1Layer]?
            struct Schema1Layer: Decodable {}
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: Data(body)) else { return nil }
        if probe.schemaVersion == 1 || probe.fsLayers != nil {
            return (.schema1, probe.mediaType ?? MediaType.dockerSchema1SignedManifest)
        }
        if let mediaType = probe.mediaType {
            if MediaType.imageManifests.contains(mediaType) { return (.manifest, mediaType) }
            if MediaType.indexes.contains(mediaType) { return (.index, mediaType) }
        }
        if probe.manifests != nil { return (.index, MediaType.ociIndex) }
        if probe.config != nil { return (.manifest, MediaType.ociManifest) }
        return nil
    }
}
