import CSwdockSys

extension FileDescriptor {
    /// Asks for a pipe buffer of `bytes` (`F_SETPIPE_SZ`); a larger buffer means fewer
    /// wake-ups per megabyte for a stream between two threads. Best effort: the kernel may
    /// refuse above /proc/sys/fs/pipe-max-size, and it is meaningless for non-pipes.
    public func setPipeSize(_ bytes: Int) {
        // F_SETPIPE_SZ is F_LINUX_SPECIFIC_BASE (1024) + 7.
        _ = swdock_fcntl_int(rawValue, 1024 + 7, Int32(bytes))
    }
}
