#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// A file descriptor number with the calls swdock needs, each through `sys` (EINTR retried,
/// errno turned into an `OSError` that names the call and the path).
///
/// It is a plain value: whoever opens it closes it (`close()`), as with a raw fd.
public struct FileDescriptor: Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Opens `path` (relative to `directory` when given) with `O_CLOEXEC` added to `flags`.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644,
                            in directory: FileDescriptor? = nil) throws(OSError) -> FileDescriptor {
        let dirfd = directory?.rawValue ?? AT_FDCWD
        let fd = try sys("open", "\"\(path)\"") { swdock_openat(dirfd, path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(rawValue: fd)
    }

    public func close() {
        // close(2) must not be retried on EINTR on Linux: the fd is gone either way.
        _ = Glibc.close(rawValue)
    }

    /// Reads up to `count` bytes; an empty array means end of file.
    public func read(upTo count: Int) throws(OSError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try sys("read", "fd \(rawValue)") {
            buffer.withUnsafeMutableBytes { raw in Glibc.read(rawValue, raw.baseAddress, count) }
        }
        buffer.removeSubrange(n...)
        return buffer
    }

    /// Reads until end of file.
    public func readAll() throws(OSError) -> [UInt8] {
        var result: [UInt8] = []
        while true {
            let chunk = try read(upTo: 65536)
            if chunk.isEmpty { return result }
            result.append(contentsOf: chunk)
        }
    }

    /// Writes every byte, looping over short writes.
    public func writeAll(_ bytes: some Collection<UInt8>) throws(OSError) {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let n = try sys("write", "fd \(rawValue)") {
                array.withUnsafeBytes { raw in Glibc.write(rawValue, raw.baseAddress! + offset, array.count - offset) }
            }
            offset += n
        }
    }

    public func writeAll(_ string: String) throws(OSError) { try writeAll(Array(string.utf8)) }

    /// Flushes data and metadata to disk.
    public func sync() throws(OSError) { try sys("fsync", "fd \(rawValue)") { Glibc.fsync(rawValue) } }

    /// Sets or clears `FD_CLOEXEC`.
    public func setCloseOnExec(_ on: Bool) throws(OSError) {
        let flags = try sys("fcntl(F_GETFD)", "fd \(rawValue)") { swdock_fcntl_int(rawValue, F_GETFD, 0) }
        let wanted = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC
        try sys("fcntl(F_SETFD)", "fd \(rawValue)") { swdock_fcntl_int(rawValue, F_SETFD, wanted) }
    }
}
