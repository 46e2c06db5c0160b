#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

extension FileDescriptor {
    /// A pipe, both ends close-on-exec.
    public static func pipe() throws(OSError) -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        try sys("pipe2") { fds.withUnsafeMutableBufferPointer { swdock_pipe_cloexec($0.baseAddress) } }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// Sets or clears `O_NONBLOCK`.
    public func setNonBlocking(_ on: Bool = true) throws(OSError) {
        let flags = try sys("fcntl(F_GETFL)", "fd \(rawValue)") { swdock_fcntl_int(rawValue, F_GETFL, 0) }
        let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        try sys("fcntl(F_SETFL)", "fd \(rawValue)") { swdock_fcntl_int(rawValue, F_SETFL, wanted) }
    }

    /// One `read` into `buffer`: the byte count, 0 at end of file, nil when a non-blocking fd has
    /// nothing now. EIO (a pty whose other side closed) counts as end of file.
    public func readAvailable(into buffer: UnsafeMutableRawBufferPointer) throws(OSError) -> Int? {
        while true {
            let n = Glibc.read(rawValue, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            let code = swdock_errno()
            switch code {
            case EINTR: continue
            case EAGAIN: return nil
            case EIO: return 0
            default: throw OSError(call: "read", object: "fd \(rawValue)", errno: code)
            }
        }
    }

    /// One `write` of as much of `bytes` as the fd takes now: the count, or 0 when a
    /// non-blocking fd is full.
    public func writeAvailable(_ bytes: UnsafeRawBufferPointer) throws(OSError) -> Int {
        if bytes.isEmpty { return 0 }
        while true {
            let n = Glibc.write(rawValue, bytes.baseAddress, bytes.count)
            if n >= 0 { return n }
            let code = swdock_errno()
            switch code {
            case EINTR: continue
            case EAGAIN: return 0
            default: throw OSError(call: "write", object: "fd \(rawValue)", errno: code)
            }
        }
    }

    /// Copies this fd onto `target` (`dup3` with `O_CLOEXEC` cleared or set as asked).
    public func duplicate(onto target: Int32, closeOnExec: Bool) throws(OSError) {
        try sys("dup3", "fd \(rawValue) → \(target)") { swdock_dup3(rawValue, target, closeOnExec ? 1 : 0) }
    }

    /// A new close-on-exec fd for the same open file (`F_DUPFD_CLOEXEC`).
    public func duplicated() throws(OSError) -> FileDescriptor {
        FileDescriptor(rawValue: try sys("fcntl(F_DUPFD_CLOEXEC)", "fd \(rawValue)") { swdock_fcntl_int(rawValue, F_DUPFD_CLOEXEC, 0) })
    }

    /// Shuts down the writing side of a socket (the peer reads end of stream).
    public func shutdownWrite() { _ = shutdown(rawValue, Int32(SHUT_WR)) }

    /// Sets the window size of a terminal (`TIOCSWINSZ`).
    public func setWindowSize(rows: UInt16, columns: UInt16) throws(OSError) {
        try sys("ioctl(TIOCSWINSZ)", "fd \(rawValue)") { swdock_set_winsize(rawValue, rows, columns) }
    }

    /// Marks every fd from `first` up close-on-exec, so fds inherited from a parent do not leak
    /// into the processes we start.
    public static func markCloseOnExec(from first: UInt32) throws(OSError) {
        try sys("close_range(CLOEXEC)") { swdock_cloexec_from(first) }
    }
}
