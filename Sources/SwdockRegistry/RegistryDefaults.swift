/// Defaults of the distribution client, named as in Docker's daemon.json.
public enum RegistryDefaults {
    /// Parallel blob downloads per pull (`max-concurrent-downloads`), Docker's default.
    public static let maxConcurrentDownloads = 3
    /// The registry that short names such as `busybox` refer to.
    public static let defaultRegistry = "docker.io"
    /// The host the default registry's API is really served from.
    public static let defaultRegistryAPIHost = "registry-1.docker.io"
}
