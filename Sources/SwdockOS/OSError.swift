#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// The error of the OS layer: which call failed, on what object, and the errno it returned.
///
/// Its description reads as one line naming the step and the object, for example
/// `mount overlay on "/run/x/rootfs": invalid argument (EINVAL)`.
public struct OSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The system call or library function that failed (`mount`, `openat2`, …).
    public let call: String
    /// What it was applied to (a path, an fd, a container ID); empty when there is nothing to name.
    public let object: String
    /// The errno value.
    public let errno: Int32

    public init(call: String, object: String = "", errno: Int32) {
        self.call = call
        self.object = object
        self.errno = errno
    }

    /// Name of the errno constant (`EINVAL`), or its number.
    public var errnoName: String { Errno.name(errno) }

    public var description: String {
        let what = object.isEmpty ? call : "\(call) \(object)"
        return "\(what): \(Errno.message(errno)) (\(errnoName))"
    }
}

/// Runs a system call, retrying while it fails with EINTR, and throws an `OSError` naming
/// the call and the object when it returns -1.
@discardableResult
public func sys<T: FixedWidthInteger>(_ call: String, _ object: @autoclosure () -> String = "",
                                      _ body: () -> T) throws(OSError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = swdock_errno()
        if code == EINTR { continue }
        throw OSError(call: call, object: object(), errno: code)
    }
}

/// errno names and messages without Foundation.
public enum Errno {
    /// The message `strerror` gives, lower-cased as Go and runc print it.
    public static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        var message = String(cString: text)
        if let first = message.first { message = first.lowercased() + message.dropFirst() }
        return message
    }

    /// The symbolic name of common errno values, or `errno N`.
    public static func name(_ code: Int32) -> String {
        switch code {
        case EPERM: return "EPERM"
        case ENOENT: return "ENOENT"
        case ESRCH: return "ESRCH"
        case EINTR: return "EINTR"
        case EIO: return "EIO"
        case ENXIO: return "ENXIO"
        case E2BIG: return "E2BIG"
        case ENOEXEC: return "ENOEXEC"
        case EBADF: return "EBADF"
        case ECHILD: return "ECHILD"
        case EAGAIN: return "EAGAIN"
        case ENOMEM: return "ENOMEM"
        case EACCES: return "EACCES"
        case EFAULT: return "EFAULT"
        case EBUSY: return "EBUSY"
        case EEXIST: return "EEXIST"
        case EXDEV: return "EXDEV"
        case ENODEV: return "ENODEV"
        case ENOTDIR: return "ENOTDIR"
        case EISDIR: return "EISDIR"
        case EINVAL: return "EINVAL"
        case ENFILE: return "ENFILE"
        case EMFILE: return "EMFILE"
        case ENOTTY: return "ENOTTY"
        case ETXTBSY: return "ETXTBSY"
        case EFBIG: return "EFBIG"
        case ENOSPC: return "ENOSPC"
        case ESPIPE: return "ESPIPE"
        case EROFS: return "EROFS"
        case EMLINK: return "EMLINK"
        case EPIPE: return "EPIPE"
        case ERANGE: return "ERANGE"
        case ENAMETOOLONG: return "ENAMETOOLONG"
        case ENOSYS: return "ENOSYS"
        case ENOTEMPTY: return "ENOTEMPTY"
        case ELOOP: return "ELOOP"
        case ENODATA: return "ENODATA"
        case EOPNOTSUPP: return "EOPNOTSUPP"
        case EADDRINUSE: return "EADDRINUSE"
        case ECONNREFUSED: return "ECONNREFUSED"
        case ECONNRESET: return "ECONNRESET"
        case ETIMEDOUT: return "ETIMEDOUT"
        default: return "errno \(code)"
        }
    }
}
