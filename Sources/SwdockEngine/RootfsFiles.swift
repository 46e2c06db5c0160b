#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// Reads files of a container's root filesystem with every path component, symlinks included,
/// resolved inside that root (openat2 RESOLVE_IN_ROOT), so an image's `/etc/passwd ->
/// /host/file` symlink cannot make the daemon read a host file.
public struct RootfsFiles: ContainerFileReader {
    public let rootfs: String
    /// Files larger than this are refused (a passwd file is small; a huge one is an attack).
    public let limit: Int

    /// O_PATH, which Glibc does not export to Swift.
    static let openPath: Int32 = 0o10000000

    public init(rootfs: String, limit: Int = 16 << 20) {
        self.rootfs = rootfs
        self.limit = limit
    }

    public func contents(of path: String) throws(EngineError) -> String? {
        let root: FileDescriptor
        do {
            root = try FileDescriptor.open(rootfs, Self.openPath | O_DIRECTORY)
        } catch {
            throw EngineError(.system, "read \(path) of the container: open rootfs \(rootfs)", cause: error)
        }
        defer { root.close() }
        let relative = String(path.drop { $0 == "/" })
        let file: FileDescriptor
        do {
            let fd = try sys("openat2", "\"\(path)\" in \(rootfs)") {
                swdock_openat2(root.rawValue, relative, UInt64(O_RDONLY | O_CLOEXEC), 0, SWDOCK_RESOLVE_IN_ROOT)
            }
            file = FileDescriptor(rawValue: fd)
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw EngineError(.system, "read \(path) of the container", cause: error)
        }
        defer { file.close() }
        return try Self.readText(file, path: path, limit: limit)
    }

    /// `file` to its end as text; more than `limit` bytes is refused.
    static func readText(_ file: FileDescriptor, path: String, limit: Int) throws(EngineError) -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk: [UInt8]
            do { chunk = try file.read(upTo: 65536) } catch {
                throw EngineError(.system, "read \(path) of the container", cause: error)
            }
            if chunk.isEmpty { break }
            bytes += chunk
            if bytes.count > limit {
                throw EngineError(.invalidArgument, "read \(path) of the container: larger than \(limit) bytes")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A fixed set of files (tests, or a rootfs already read).
public struct InMemoryFiles: ContainerFileReader {
    public var files: [String: String]
    public init(_ files: [String: String] = [:]) { self.files = files }
    public func contents(of path: String) throws(EngineError) -> String? { files[path] }
}
