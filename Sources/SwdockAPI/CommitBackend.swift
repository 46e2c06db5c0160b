/// `docker diff` and `docker commit`: the container side's view of its writable layer.
/// (A separate protocol so that backends without layers need not implement it; the server
/// registers the routes when the container backend conforms.)
public protocol ContainerCommitBackend: Sendable {
    /// `GET /containers/{id}/changes`, in dockerd's order.
    func containerChanges(_ id: String) async throws -> [ContainerChangeItem]
    /// `POST /commit?container=…`: the new image's ID (`sha256:…`).
    func commitContainer(_ container: String, options: ContainerCommitQuery) async throws -> String
}

/// One entry of `GET /containers/{id}/changes`: `Kind` 0 modified, 1 added, 2 deleted.
public struct ContainerChangeItem: Codable, Sendable, Equatable {
    public var Path: String
    public var Kind: Int
    public init(Path: String, Kind: Int) {
        self.Path = Path
        self.Kind = Kind
    }
}

/// `POST /commit`'s query and body.
public struct ContainerCommitQuery: Sendable, Equatable {
    public var repository: String?
    public var tag: String?
    public var author = ""
    public var comment = ""
    public var pause = true
    public var changes: [String] = []
    /// The JSON body (a container Config), empty when none was sent.
    public var config: [UInt8] = []
    public init() {}
}

/// `docker import`: `POST /images/create?fromSrc=`.
public protocol ImageImportBackend: Sendable {
    /// Imports the tarball and returns the new image's ID; `progress` gets (received, total)
    /// bytes while a URL downloads.
    func importImage(_ request: ImageImportRequest, progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws -> String
}

/// Where an import's tarball comes from and what the image is called.
public struct ImageImportRequest: Sendable {
    public enum Source: Sendable {
        /// `fromSrc=-`: the request body.
        case body(RequestBody)
        /// `fromSrc=URL`.
        case url(String)
    }
    public var source: Source
    public var repository: String?
    public var tag: String?
    public var message: String
    public var changes: [String]
    /// `os[/arch[/variant]]`, nil: the daemon's.
    public var platform: String?

    public init(source: Source, repository: String?, tag: String?, message: String, changes: [String], platform: String?) {
        self.source = source
        self.repository = repository
        self.tag = tag
        self.message = message
        self.changes = changes
        self.platform = platform
    }
}
