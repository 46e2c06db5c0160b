/// Where the engine keeps things, under the daemon's data root (persistent) and exec root
/// (run-time, on tmpfs). One value shared by the image and container sides so the layout is
/// written down once:
///
/// ```
/// <data-root>/metadata.db                 SQLite state store (SwdockMetadata)
/// <data-root>/content/blobs/sha256/<hex>  verified blobs (SwdockContent)
/// <data-root>/snapshots/<driver>/         snapshotter state (SwdockSnapshot)
/// <data-root>/containers/<id>/            per container: <id>-json.log, hostname, hosts, resolv.conf
/// <data-root>/tmp/load-*.tar, save-*.tar  image archive spools (ImageService+Load), removed at start
/// <exec-root>/containers/<id>/            per container: OCI bundle (config.json), shim socket, exit record
/// <exec-root>/runtime/<name>/             the OCI runtime's --root for runtime <name>
/// ```
public struct EngineLayout: Sendable, Equatable {
    public var dataRoot: String
    public var execRoot: String

    public init(dataRoot: String, execRoot: String) {
        self.dataRoot = dataRoot
        self.execRoot = execRoot
    }

    public var database: String { dataRoot + "/metadata.db" }
    public var contentRoot: String { dataRoot + "/content" }
    /// The snapshotter's root for storage driver `driver` (`overlayfs`, `vfs`).
    public func snapshotsRoot(driver: String) -> String { dataRoot + "/snapshots/" + driver }
    /// Persistent per-container files (logs, hostname, hosts, resolv.conf).
    public func containerDirectory(_ id: String) -> String { dataRoot + "/containers/" + id }
    /// Run-time per-container files (bundle, shim socket, exit record).
    public func containerRunDirectory(_ id: String) -> String { execRoot + "/containers/" + id }
    /// The state directory handed to OCI runtime `name` as `--root`.
    public func runtimeRoot(_ name: String) -> String { execRoot + "/runtime/" + name }
}
