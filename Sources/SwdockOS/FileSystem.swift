#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// Path operations through `sys` (errno → `OSError` naming the path).
public enum FileSystem {
    /// Writes `bytes` to `path` so that a reader (or a crash at any instant) sees either the old
    /// file or the complete new one: temp file in the same directory, fsync, rename, fsync of
    /// the directory.
    /// `durable: false` leaves out both fsyncs, for files that are derived and written again
    /// whenever they are needed (a container's hosts and resolv.conf): the rename still makes
    /// the switch atomic, which is all a process crash needs.
    public static func writeAtomically(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o644,
                                       durable: Bool = true) throws(OSError) {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do throws(OSError) {
            try fd.writeAll(bytes)
            if durable { try fd.sync() }
        } catch {
            fd.close()
            _ = unlink(temporary)
            throw error
        }
        fd.close()
        do throws(OSError) {
            try rename(temporary, to: path)
        } catch {
            _ = unlink(temporary)
            throw error
        }
        if durable { try syncDirectory(of: path) }
    }

    /// fsyncs the directory holding `path`, making a rename or create in it durable.
    public static func syncDirectory(of path: String) throws(OSError) {
        let directory = parent(of: path)
        let fd = try FileDescriptor.open(directory, O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        try fd.sync()
    }

    /// The directory part of `path` (`.` when there is none).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The whole file, or nil when it does not exist.
    public static func read(_ path: String) throws(OSError) -> [UInt8]? {
        let fd: FileDescriptor
        do throws(OSError) {
            fd = try FileDescriptor.open(path, O_RDONLY)
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
        defer { fd.close() }
        return try fd.readAll()
    }

    /// Creates a directory and its missing parents; an existing directory is fine.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o711) throws(OSError) {
        if path.isEmpty || path == "/" { return }
        if mkdir(path, mode) == 0 { return }
        switch swdock_errno() {
        case EEXIST: return
        case ENOENT:
            try makeDirectories(parent(of: path), mode: mode)
            try sys("mkdir", "\"\(path)\"") { mkdir(path, mode) == 0 || swdock_errno() == EEXIST ? 0 : -1 }
        default:
            throw OSError(call: "mkdir", object: "\"\(path)\"", errno: swdock_errno())
        }
    }

    /// Removes a file; a missing one is fine.
    public static func remove(_ path: String) throws(OSError) {
        if unlink(path) == 0 || swdock_errno() == ENOENT { return }
        throw OSError(call: "unlink", object: "\"\(path)\"", errno: swdock_errno())
    }

    /// Renames; a missing source is reported as ENOENT like rename(2).
    public static func rename(_ from: String, to: String) throws(OSError) {
        try sys("rename", "\"\(from)\" → \"\(to)\"") { Glibc.rename(from, to) }
    }

    /// The target of a symbolic link (`readlink`).
    public static func resolveSymlink(_ path: String) throws(OSError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = try sys("readlink", "\"\(path)\"") { readlink(path, &buffer, buffer.count - 1) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether something exists at `path` (symlinks not followed).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
