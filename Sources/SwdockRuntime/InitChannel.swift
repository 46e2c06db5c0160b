#if canImport(Glibc)
import Glibc
#endif
import CSwdockInit
import SwdockOS

/// The parent's end of the sync socket to the container init (see `swdock_msg`).
struct InitChannel {
    let fd: Int32

    enum Message {
        case hello(pid: Int32)
        case pid(Int32)
        case hooks
        case ready
        case error(swdock_init_report)
        case closed
    }

    /// A SOCK_SEQPACKET pair: (parent end, child end), both close-on-exec.
    static func pair() throws(RuntimeError) -> (parent: Int32, child: Int32) {
        var fds: [Int32] = [-1, -1]
        do {
            try sys("socketpair") { socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        } catch { throw RuntimeError.system("create the sync socket", error) }
        return (fds[0], fds[1])
    }

    func receive() throws(RuntimeError) -> Message {
        var msg = swdock_msg()
        let size = MemoryLayout<swdock_msg>.size
        let n: Int
        do {
            n = try sys("recv", "sync socket") { withUnsafeMutableBytes(of: &msg) { recv(fd, $0.baseAddress, size, 0) } }
        } catch {
            if error.errno == ECONNRESET { return .closed }
            throw RuntimeError.system("read from the container init", error)
        }
        if n == 0 { return .closed }
        guard n == size else { throw RuntimeError(.containerInit, "container init: short sync message (\(n) bytes)") }
        switch Int(msg.type) {
        case Int(SWDOCK_MSG_HELLO.rawValue): return .hello(pid: msg.value)
        case Int(SWDOCK_MSG_PID.rawValue): return .pid(msg.value)
        case Int(SWDOCK_MSG_HOOKS.rawValue): return .hooks
        case Int(SWDOCK_MSG_READY.rawValue): return .ready
        case Int(SWDOCK_MSG_ERROR.rawValue): return .error(msg.report)
        default: throw RuntimeError(.containerInit, "container init: unknown sync message \(msg.type)")
        }
    }

    /// Tells the child to carry on (`value` 0) or that the parent failed (errno > 0).
    func go(_ value: Int32 = 0) throws(RuntimeError) {
        var msg = swdock_msg()
        msg.type = SWDOCK_MSG_GO.rawValue
        msg.value = value
        let size = MemoryLayout<swdock_msg>.size
        do {
            try sys("send", "sync socket") { withUnsafeBytes(of: &msg) { send(fd, $0.baseAddress, size, Int32(MSG_NOSIGNAL)) } }
        } catch { throw RuntimeError.system("write to the container init", error) }
    }

    /// The one line runc would print for a report: `container init: mount "proc" on "/proc": operation not permitted`
    /// (`prefix` is `exec failed: ` for `exec`).
    static func message(for report: swdock_init_report, prefix: String = "container init: ") -> String {
        let detail = withUnsafeBytes(of: report.detail) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        let err = Errno.message(report.error)
        let text: String
        switch report.stage {
        case SWDOCK_STAGE_OP.rawValue: text = "\(detail): \(err)"
        case SWDOCK_STAGE_LOOKUP.rawValue:
            text = detail.contains("/") ? "exec: \"\(detail)\": stat \(detail): \(err)"
                : "exec: \"\(detail)\": executable file not found in $PATH"
        case SWDOCK_STAGE_EXEC.rawValue: text = "exec \"\(detail)\": \(err)"
        case SWDOCK_STAGE_CWD.rawValue: text = "chdir to cwd (\"\(detail)\") set in config.json failed: \(err)"
        case SWDOCK_STAGE_SETNS.rawValue: text = "join the \(detail) namespace: \(err)"
        case SWDOCK_STAGE_UNSHARE_USER.rawValue: text = "create the user namespace: \(err)"
        case SWDOCK_STAGE_UNSHARE.rawValue: text = "create namespaces: \(err)"
        case SWDOCK_STAGE_SETID_USERNS.rawValue: text = "become \(detail) in the user namespace: \(err)"
        case SWDOCK_STAGE_TIMENS.rawValue: text = "write \(detail): \(err)"
        case SWDOCK_STAGE_FORK.rawValue: text = "clone the container process: \(err)"
        case SWDOCK_STAGE_SETSID.rawValue: text = "setsid: \(err)"
        case SWDOCK_STAGE_ROOT_PROPAGATION.rawValue: text = "set the propagation of \"/\": \(err)"
        case SWDOCK_STAGE_ROOT_BIND.rawValue: text = "bind the rootfs \"\(detail)\" onto itself: \(err)"
        case SWDOCK_STAGE_CONSOLE.rawValue: text = "console: \(detail): \(err)"
        case SWDOCK_STAGE_RLIMIT.rawValue: text = "setrlimit \(Rlimits.name(Int32(detail) ?? -1)): \(err)"
        case SWDOCK_STAGE_CAPS.rawValue: text = "capabilities: \(detail): \(err)"
        case SWDOCK_STAGE_SETGROUPS.rawValue: text = "setgroups: \(err)"
        case SWDOCK_STAGE_SETGID.rawValue: text = "setgid: \(err)"
        case SWDOCK_STAGE_SETUID.rawValue: text = "setuid: \(err)"
        case SWDOCK_STAGE_FDS.rawValue: text = "fds: \(detail): \(err)"
        case SWDOCK_STAGE_FIFO.rawValue: text = "open \(detail): \(err)"
        case SWDOCK_STAGE_NO_NEW_PRIVS.rawValue: text = "set no_new_privs: \(err)"
        case SWDOCK_STAGE_SECCOMP.rawValue: text = "load the seccomp filter: \(err)"
        case SWDOCK_STAGE_PERSONALITY.rawValue: text = "personality: \(err)"
        case SWDOCK_STAGE_HOOK.rawValue: text = "createContainer hook failed"
        case SWDOCK_STAGE_START_HOOK.rawValue:
            text = report.error == 0 ? "startContainer hook \(detail)" : "startContainer hook \(detail): \(err)"
        default: text = "stage \(report.stage) \(detail): \(err)"
        }
        return prefix + text
    }
}

/// waitpid that retries EINTR; returns the raw status, or nil when there is no such child.
func waitChild(_ pid: Int32, options: Int32 = 0) -> Int32? {
    var status: Int32 = 0
    while true {
        let r = waitpid(pid, &status, options)
        if r == pid { return status }
        if r == 0 { return nil }
        if errno == EINTR { continue }
        return nil
    }
}

/// The exit code of a wait status as a shell reports it (128+signal when killed).
func exitCode(ofWaitStatus status: Int32) -> Int32 {
    let signal = status & 0x7f
    if signal == 0 { return (status >> 8) & 0xff }
    return 128 + signal
}
