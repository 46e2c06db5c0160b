import SwdockOCI

/// An image present in the local store, as the container side needs it: its config (for the
/// spec builder) and the committed snapshot its containers start from.
public struct LocalImage: Sendable, Equatable {
    /// The image ID: the config digest, `sha256:<64 hex>`.
    public var id: String
    /// The image's config blob (Entrypoint, Cmd, Env, … under `config`).
    public var config: ImageConfig
    /// The chain ID of the whole layer stack (`sha256:…`), which is the key of the committed
    /// snapshot holding the unpacked layers; nil for an image without layers.
    public var chainID: String?
    /// `repo:tag` references pointing at the image, normalised (`docker.io/library/busybox:latest`
    /// is stored; Docker shows it familiar: `busybox:latest`).
    public var repoTags: [String]
    /// `repo@sha256:…` references of the image.
    public var repoDigests: [String]

    public init(id: String, config: ImageConfig, chainID: String?, repoTags: [String] = [], repoDigests: [String] = []) {
        self.id = id
        self.config = config
        self.chainID = chainID
        self.repoTags = repoTags
        self.repoDigests = repoDigests
    }
}

/// How the container side finds images; the image service implements it.
public protocol ImageResolver: Sendable {
    /// The local image named by a reference (`busybox`, `busybox:1.36`, `host:5000/repo@sha256:…`),
    /// a full image ID (`sha256:…` or bare hex) or a unique ID prefix, as Docker resolves them.
    /// Throws `EngineError(.notFound, "No such image: busybox:latest")` as dockerd words it.
    func resolveImage(_ nameOrID: String) throws(EngineError) -> LocalImage
}
