#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

extension Runtime {
    /// `start`: opens the exec fifo, which lets the blocked init carry on to execve.
    public func start(_ id: String) throws(RuntimeError) {
        let record = try store.load(id)
        switch status(of: record) {
        case .created: break
        case .stopped: throw RuntimeError(.invalidState, "cannot start a container that has stopped")
        default: throw RuntimeError(.invalidState, "cannot start an already running container")
        }
        try releaseInit(record)
        runWarningHooks(record.config.hooks?.poststart, phase: .poststart, record: record, status: .running)
    }

    /// Reads the init's byte from the fifo (non-blocking open; the init's pid is watched so a
    /// dead init never leaves `start` waiting) and removes the fifo.
    func releaseInit(_ record: ContainerRecord) throws(RuntimeError) {
        let path = store.fifoPath(of: record.id)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw RuntimeError.system("open the exec fifo", OSError(call: "open", object: path, errno: errno)) }
        defer { close(fd) }
        var byte: UInt8 = 0
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let n = read(fd, &byte, 1)
            if n == 1 { break }
            if n == 0 || (n < 0 && errno == EAGAIN) {
                if !ProcessInfoReader.isAlive(record.initPid, startTime: record.initStartTime) {
                    // A fast container can write its byte, exec and exit between the read
                    // above and this check: the byte still in the fifo means it was started.
                    if read(fd, &byte, 1) == 1 { break }
                    try? HostFiles.unlink(path)
                    throw RuntimeError(.invalidState, "cannot start a container that has stopped")
                }
                _ = poll(&pfd, 1, 20)
                continue
            }
            if errno == EINTR { continue }
            throw RuntimeError.system("read the exec fifo", OSError(call: "read", object: path, errno: errno))
        }
        do { try HostFiles.unlink(path) } catch { throw RuntimeError.system("remove the exec fifo", error) }
    }
}
