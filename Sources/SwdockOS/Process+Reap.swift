#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// How a process ended, as `waitpid` reports it.
public enum ExitStatus: Hashable, Sendable {
    case exited(Int32)
    case signaled(Int32, coreDumped: Bool)

    /// Decodes a `waitpid` status word (the W* macros are not visible to Swift).
    public init(waitStatus status: Int32) {
        let termination = status & 0x7f
        if termination == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(termination, coreDumped: status & 0x80 != 0)
        }
    }

    /// The exit code a shell (and Docker) reports: the code, or 128 + the signal.
    public var code: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal, _): return 128 + signal
        }
    }
}

extension ChildProcess {
    /// Waits for the child `pid` to end.
    public static func wait(_ pid: pid_t) throws(OSError) -> ExitStatus {
        var status: Int32 = 0
        try sys("waitpid", "pid \(pid)") { waitpid(pid, &status, 0) }
        return ExitStatus(waitStatus: status)
    }

    /// Reaps one child that has ended, if any (`waitpid(-1, WNOHANG)`): orphans re-parented to a
    /// subreaper included. nil when no child has ended (or there are none).
    public static func reapAny() throws(OSError) -> (pid: pid_t, status: ExitStatus)? {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 { return (pid, ExitStatus(waitStatus: status)) }
            if pid == 0 { return nil }
            let code = swdock_errno()
            if code == EINTR { continue }
            if code == ECHILD { return nil }
            throw OSError(call: "waitpid", object: "any child", errno: code)
        }
    }

    /// Becomes the reaper of orphaned descendants (`PR_SET_CHILD_SUBREAPER`).
    public static func becomeSubreaper() throws(OSError) {
        try sys("prctl(PR_SET_CHILD_SUBREAPER)") { swdock_set_child_subreaper() }
    }

    /// Sends `signal` to `pid`.
    public static func signal(_ pid: pid_t, _ signal: Int32) throws(OSError) {
        try sys("kill", "pid \(pid) signal \(signal)") { kill(pid, signal) }
    }

    /// Whether a process with this pid exists (signal 0).
    public static func exists(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || swdock_errno() == EPERM
    }
}
