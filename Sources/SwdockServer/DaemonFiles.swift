#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The exclusive lock on a data root: `<data-root>/swdockd.lock`, held with flock(2) for the
/// daemon's lifetime, so two daemons never share one state directory. The kernel drops the lock
/// when the process dies, even by SIGKILL, so a crash leaves nothing to clean up.
public final class DataRootLock: Sendable {
    public let path: String
    private let fd: FileDescriptor

    /// Takes the lock or throws `.alreadyRunning` naming the holder's PID.
    public init(dataRoot: String) throws {
        try UnixSocketPreparation.makeDirectories(dataRoot, mode: 0o711)
        path = dataRoot + "/swdockd.lock"
        do {
            fd = try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o600)
        } catch {
            throw ServerError(.filesystem, "open lock file \(path)", cause: error)
        }
        do {
            try sys("flock", path) { flock(fd.rawValue, LOCK_EX | LOCK_NB) }
        } catch {
            let holder = (try? fd.readAll()).map { String(decoding: $0, as: UTF8.self) }?.trimmingSpaces() ?? ""
            fd.close()
            if error.errno == EWOULDBLOCK {
                let who = holder.isEmpty ? "another swdockd" : "another swdockd (pid \(holder))"
                throw ServerError(.alreadyRunning, "data-root \(dataRoot) is in use by \(who): lock \(path) is held")
            }
            throw ServerError(.filesystem, "lock \(path)", cause: error)
        }
        // Record who holds it, for the message the next daemon prints.
        _ = try? sys("ftruncate", path) { ftruncate(fd.rawValue, 0) }
        _ = try? sys("lseek", path) { lseek(fd.rawValue, 0, SEEK_SET) }
        try? fd.writeAll("\(getpid())\n")
    }

    deinit { fd.close() }
}

/// `--pidfile`: refuses when it names a live process other than us, as dockerd does.
public struct PIDFile: Sendable {
    public let path: String

    public init(path: String) throws {
        self.path = path
        if let fd = try? FileDescriptor.open(path, O_RDONLY) {
            let text = (try? fd.readAll()).map { String(decoding: $0, as: UTF8.self) } ?? ""
            fd.close()
            if let pid = Int32(text.trimmingSpaces()), pid > 0, pid != getpid(), kill(pid, 0) == 0 || errno == EPERM,
               HostFacts.readText("/proc/\(pid)/comm")?.hasPrefix("swdockd") == true {
                throw ServerError(.alreadyRunning, "pid file found, ensure swdockd is not running or delete \(path) (it names running pid \(pid))")
            }
        }
        let parent = path.split(separator: "/").dropLast().joined(separator: "/")
        if !parent.isEmpty { try UnixSocketPreparation.makeDirectories("/" + parent) }
        do {
            let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            defer { fd.close() }
            try fd.writeAll("\(getpid())")
        } catch {
            throw ServerError(.filesystem, "write pid file \(path)", cause: error)
        }
    }

    public func remove() { unlink(path) }
}

/// The persistent engine ID (`<data-root>/engine-id`), created once like dockerd's.
public enum EngineID {
    public static func load(dataRoot: String) throws -> String {
        let path = dataRoot + "/engine-id"
        if let text = HostFacts.readText(path)?.trimmingSpaces(), !text.isEmpty { return text }
        var bytes = [UInt8](repeating: 0, count: 16)
        let fd = try FileDescriptor.open("/dev/urandom", O_RDONLY)
        defer { fd.close() }
        bytes = try fd.read(upTo: 16)
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let id = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
                  hex.dropFirst(20)].map(String.init).joined(separator: "-")
        let tmp = path + ".tmp"
        let out = try FileDescriptor.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        try out.writeAll(id + "\n")
        try out.sync()
        out.close()
        try sys("rename", tmp) { rename(tmp, path) }
        return id
    }
}
