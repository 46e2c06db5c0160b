/// Media types of the OCI image-spec and of Docker's image manifest v2 (schema 2 and schema 1).
public enum MediaType {
    // OCI image-spec v1
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociLayerNondistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"

    // Docker image manifest v2, schema 2
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerLayerForeignGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"

    // Docker image manifest v2, schema 1: recognised only to refuse it clearly.
    public static let dockerSchema1Manifest = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1SignedManifest = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// Media types of a single-platform image manifest.
    public static let imageManifests: Set<String> = [ociManifest, dockerManifest]
    /// Media types of a multi-platform index / manifest list.
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    /// Schema 1 media types (refused).
    public static let schema1: Set<String> = [dockerSchema1Manifest, dockerSchema1SignedManifest]

    /// The `Accept` header value a puller sends for manifests, most preferred first.
    public static let manifestAccept: [String] = [ociIndex, dockerManifestList, ociManifest, dockerManifest,
                                                  dockerSchema1SignedManifest, dockerSchema1Manifest]

    /// Whether `mediaType` is a layer (a tar stream, possibly compressed) that is applied to a rootfs.
    public static func isLayer(_ mediaType: String) -> Bool {
        mediaType.hasPrefix("application/vnd.oci.image.layer.")
            || mediaType.hasPrefix("application/vnd.docker.image.rootfs.")
    }

    /// Whether a layer may be absent from the registry and fetched from its `urls` instead.
    public static func isNondistributable(_ mediaType: String) -> Bool {
        mediaType.hasPrefix("application/vnd.oci.image.layer.nondistributable.")
            || mediaType == dockerLayerForeignGzip
    }
}
