/// The archive side of containers: `HEAD|GET|PUT /containers/{id}/archive` (`docker cp`) and
/// `GET /containers/{id}/export`. Methods throw `APIError` with Docker's status and text.
public protocol ContainerArchiveBackend: Sendable {
    /// `HEAD /containers/{id}/archive?path=`.
    func containerPathStat(_ id: String, path: String) async throws -> ContainerPathStatResponse
    /// `GET /containers/{id}/archive?path=`: the stat for the header, and the tar stream.
    func containerArchive(_ id: String, path: String) async throws -> (ContainerPathStatResponse, any ArchiveByteStream)
    /// `PUT /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=` with a tar body.
    func extractToContainer(_ id: String, path: String, noOverwriteDirNonDir: Bool, copyUIDGID: Bool,
                            body: RequestBody) async throws
    /// `GET /containers/{id}/export`.
    func exportContainer(_ id: String) async throws -> any ArchiveByteStream
}

/// A tar stream the engine produces: read until empty, then `finish` (always, also after an
/// early stop) to learn whether the producer failed.
public protocol ArchiveByteStream: Sendable {
    func read() async throws -> [UInt8]
    func finish() async throws
}

/// `X-Docker-Container-Path-Stat` (base64 of this JSON), Docker's `types.ContainerPathStat`.
public struct ContainerPathStatResponse: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode` bits.
    public var mode: UInt32
    public var mtime: String
    public var linkTarget: String

    public init(name: String, size: Int64, mode: UInt32, mtime: String, linkTarget: String) {
        self.name = name
        self.size = size
        self.mode = mode
        self.mtime = mtime
        self.linkTarget = linkTarget
    }

    /// The header's name.
    public static let header = "X-Docker-Container-Path-Stat"

    /// Go's FileMode bits for directories and symlinks.
    public static let modeDirectory: UInt32 = 1 << 31
    public static let modeSymlink: UInt32 = 1 << 27
    public static let modeDevice: UInt32 = 1 << 26
    public static let modeNamedPipe: UInt32 = 1 << 25
    public static let modeSocket: UInt32 = 1 << 24
    public static let modeCharDevice: UInt32 = 1 << 21
    public static let modeIrregular: UInt32 = 1 << 19

    public var isDirectory: Bool { mode & Self.modeDirectory != 0 }
    public var isSymlink: Bool { mode & Self.modeSymlink != 0 }
}
