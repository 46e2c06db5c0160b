#if canImport(Glibc)
import Glibc
#endif
import CSwdockInit
import SwdockOS

extension Runtime {
    /// `run`: create + start, then (unless detached) wait for the container process, forward
    /// the signals the runtime gets to it, delete the container and return its exit code
    /// (128+signal when it was killed).
    public func run(_ options: CreateOptions, detach: Bool) throws(RuntimeError) -> Int32 {
        var options = options
        options.foreground = !detach
        let forwarded: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD]
        var mask = sigset_t()
        sigemptyset(&mask)
        for sig in forwarded { sigaddset(&mask, sig) }
        var oldMask = sigset_t()
        if !detach { sigprocmask(SIG_BLOCK, &mask, &oldMask) }
        defer { if !detach { sigprocmask(SIG_SETMASK, &oldMask, nil) } }

        let launched = try create(options)
        let record = launched.record
        do { try releaseInit(record) } catch {
            if !detach { close(launched.syncFd); try? delete(record, force: true, cgroup: launched.cgroup) }
            throw error
        }
        runWarningHooks(record.config.hooks?.poststart, phase: .poststart, record: record, status: .running)
        if detach { return 0 }

        // A late failure (execve after start) arrives on the sync socket; success closes it.
        let channel = InitChannel(fd: launched.syncFd)
        var lateError: RuntimeError?
        if case .error(let report) = (try? channel.receive()) ?? .closed {
            lateError = RuntimeError(.containerInit, InitChannel.message(for: report))
        }
        close(launched.syncFd)

        var status: Int32 = 0
        waiting: while true {
            var info = siginfo_t()
            let sig = sigwaitinfo(&mask, &info)
            if sig < 0 { continue }
            if sig == SIGCHLD {
                while true {
                    var raw: Int32 = 0
                    let pid = waitpid(-1, &raw, WNOHANG)
                    if pid <= 0 { break }
                    if pid == record.initPid { status = raw; break waiting }
                }
            } else {
                Glibc.kill(record.initPid, sig)
            }
        }
        try? delete(record, force: true, cgroup: launched.cgroup)
        if let lateError { throw lateError }
        return exitCode(ofWaitStatus: status)
    }
}
