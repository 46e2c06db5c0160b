#if canImport(Glibc)
import Glibc
#endif
import Logging
import SwdockOS

/// What happens to the socket path before and after binding.
enum UnixSocketPreparation {
    /// Makes `path` bindable: creates the parent directory, refuses when a daemon answers on an
    /// existing socket there, removes a stale socket file (nobody listening), and refuses to
    /// remove anything that is not a socket.
    static func prepare(_ path: String) throws {
        guard stagingPath(for: path).utf8.count < 108 else {
            throw ServerError(.listen, "listen on unix://\(path): the path is too long for a Unix socket address (it is bound as \(stagingPath(for: path)) first, which must fit in 107 bytes)")
        }
        let parent = path.split(separator: "/").dropLast().joined(separator: "/")
        if !parent.isEmpty { try makeDirectories("/" + parent) }
        var info = stat()
        if let code = failure({ () throws(OSError) in _ = try sys("lstat", path) { lstat(path, &info) } }) {
            if code.errno == ENOENT { return }
            throw ServerError(.listen, "listen on unix://\(path)", cause: code)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ServerError(.listen, "listen on unix://\(path): the path exists and is not a socket; not removing it")
        }
        if try isAnswered(path) {
            throw ServerError(.alreadyRunning, "listen on unix://\(path): another daemon is already listening on it")
        }
        try sys("unlink", "stale socket \(path)") { unlink(path) }
    }

    /// The temporary name a socket is bound under before `publish` moves it to `path` (same
    /// directory, so the rename is atomic; the pid keeps two starting daemons apart).
    static func stagingPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        return String(path[..<slash]) + ".\(getpid())." + String(path[slash...]) + ".new"
    }

    /// Renames the bound socket at `staging` to `path`.
    static func publish(_ staging: String, as path: String) throws {
        try sys("rename", "\(staging) to \(path)") { rename(staging, path) }
    }

    /// Mode 0660; group `group` when it exists (as dockerd does with `docker`), else root's.
    static func restrict(_ path: String, group: String, logger: Logger) throws {
        try sys("chmod", path) { chmod(path, 0o660) }
        guard let entry = getgrnam(group) else {
            logger.debug("group \(group) does not exist; \(path) stays owned by group root")
            return
        }
        try sys("chown", "\(path) to group \(group)") { chown(path, uid_t.max, entry.pointee.gr_gid) }
    }

    /// True when something accepts a connection on the socket.
    static func isAnswered(_ path: String) throws -> Bool {
        let fd = try sys("socket", "AF_UNIX") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let size = socklen_t(MemoryLayout<sockaddr_un>.size)
        let error = failure({ () throws(OSError) in
            _ = try sys("connect", path) {
                withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }
            }
        })
        guard let error else { return true }
        if error.errno == ECONNREFUSED || error.errno == ENOENT { return false }
        throw error
    }

    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if let error = failure({ () throws(OSError) in _ = try sys("mkdir", current) { mkdir(current, mode) } }),
               error.errno != EEXIST {
                throw ServerError(.filesystem, "create directory \(current)", cause: error)
            }
        }
    }
}

/// The error of a call, or nil when it succeeded (a plain function: matching typed errors in
/// `catch … where` clauses crashes the Swift 6.3 compiler).
func failure(_ body: () throws(OSError) -> Void) -> OSError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
