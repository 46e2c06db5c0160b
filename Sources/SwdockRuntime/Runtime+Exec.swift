#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockCgroups
import SwdockOCI
import SwdockOS

/// Options of `exec`.
public struct ExecOptions: Sendable {
    public var id: String
    /// `--process FILE`: the whole process JSON (args etc. from the command line are ignored).
    public var process: RuntimeSpec.Process?
    public var args: [String] = []
    public var tty = false
    public var consoleSocket: String?
    public var detach = false
    public var pidFile: String?
    public var cwd: String?
    public var env: [String] = []
    /// `uid[:gid]`.
    public var user: String?
    public var additionalGids: [UInt32] = []
    public var capabilities: [String] = []
    public var noNewPrivileges = false
    public var preserveFds: Int32 = 0

    public init(id: String) { self.id = id }
}

extension Runtime {
    /// `exec`: a new process in a running container: joins the init's namespaces through
    /// /proc/PID/ns/*, its cgroup, and gets the same caps, no_new_privs and seccomp rules.
    /// Returns the process's exit code (0 when detached).
    public func exec(_ options: ExecOptions) throws(RuntimeError) -> Int32 {
        // The process's cgroup join below would otherwise wait a whole RCU grace period.
        let warmup = CgroupMigrationWarmup.start()
        defer { warmup?.finish() }
        let record = try store.load(options.id)
        switch status(of: record) {
        case .running, .created: break
        case .paused: throw RuntimeError(.invalidState, "cannot exec in a paused container")
        default: throw RuntimeError(.invalidState, "cannot exec in a stopped container")
        }
        let process = try execProcess(options, config: record.config)
        var plan = InitPlan()
        plan.execMode = true
        try plan.planProcess(process)
        try plan.compileSeccomp(record.config.linux?.seccomp, cache: SeccompCache(root: store.root))
        if plan.terminal && options.consoleSocket == nil && options.detach {
            throw RuntimeError(.invalidArgument, "cannot allocate tty if runc will detach without setting console socket")
        }
        if plan.terminal && options.consoleSocket == nil {
            throw RuntimeError.notSupported("exec --tty without --console-socket (the runtime does not proxy a terminal itself)")
        }
        for ns in record.config.linux?.namespaces ?? [] {
            guard let kind = NamespaceKind(rawValue: ns.type) else { continue }
            plan.joins.append((kind, "/proc/\(record.initPid)/ns/\(kind.procName)"))
        }
        plan.joins.sort { ($0.kind == .user ? 0 : 1) < ($1.kind == .user ? 0 : 1) }

        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        var descriptors = Bootstrap.Descriptors(sync: -1, preserveFds: options.preserveFds)
        for join in plan.joins {
            let fd = open(join.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw RuntimeError.system("open \(join.path)", OSError(call: "open", object: join.path, errno: errno))
            }
            fds.append(fd)
            descriptors.joins.append(fd)
        }
        if let socket = options.consoleSocket, plan.terminal {
            let fd = try Runtime.connectUnix(socket)
            fds.append(fd)
            descriptors.console = fd
        }
        let manager = try cgroup(of: record)
        let forwarded: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD]
        var mask = sigset_t()
        sigemptyset(&mask)
        for sig in forwarded { sigaddset(&mask, sig) }
        var oldMask = sigset_t()
        sigprocmask(SIG_BLOCK, &mask, &oldMask)
        defer { sigprocmask(SIG_SETMASK, &oldMask, nil) }

        let (parentEnd, childEnd) = try InitChannel.pair()
        defer { close(parentEnd) }
        descriptors.sync = childEnd
        let bootstrap = Bootstrap(plan: plan, fds: descriptors)
        warmup?.finish()
        let child = bootstrap.spawn()
        close(childEnd)
        guard child > 0 else { throw RuntimeError.system("clone the exec process", OSError(call: "clone", errno: errno)) }
        let channel = InitChannel(fd: parentEnd)
        var pid: Int32 = 0
        var failed = true
        defer {
            if failed {
                Glibc.kill(child, SIGKILL); _ = waitChild(child)
                if pid > 0 && pid != child { Glibc.kill(pid, SIGKILL); _ = waitChild(pid) }
            }
        }
        loop: while true {
            switch try channel.receive() {
            case .hello(let hello):
                do { try manager.addProcess(hello) } catch { throw Runtime.wrap("join the cgroup of \(record.id)", error) }
                try channel.go()
            case .pid(let value):
                pid = value
                if pid != child { _ = waitChild(child) }
            case .hooks:
                try channel.go()
            case .ready:
                guard pid > 0 else { throw RuntimeError(.containerInit, "exec failed: the process was ready before it reported its pid") }
                break loop
            case .error(let report):
                throw RuntimeError(.containerInit, InitChannel.message(for: report, prefix: "exec failed: "))
            case .closed:
                throw RuntimeError(.containerInit, "exec failed: the process exited before it was set up")
            }
        }
        if case .error(let report) = (try? channel.receive()) ?? .closed {
            throw RuntimeError(.containerInit, InitChannel.message(for: report, prefix: "exec failed: "))
        }
        failed = false
        if let pidFile = options.pidFile {
            let path = absolutePath(pidFile, relativeTo: HostFiles.currentDirectory())
            do { try HostFiles.writeAtomically(path, Array("\(pid)".utf8)) } catch {
                throw RuntimeError.system("write the pid file \(path)", error)
            }
        }
        if options.detach { return 0 }
        while true {
            var info = siginfo_t()
            let sig = sigwaitinfo(&mask, &info)
            if sig < 0 { continue }
            if sig == SIGCHLD {
                while true {
                    var raw: Int32 = 0
                    let reaped = waitpid(-1, &raw, WNOHANG)
                    if reaped <= 0 { break }
                    if reaped == pid { return exitCode(ofWaitStatus: raw) }
                }
            } else {
                Glibc.kill(pid, sig)
            }
        }
    }

    func execProcess(_ options: ExecOptions, config: RuntimeSpec) throws(RuntimeError) -> RuntimeSpec.Process {
        if var process = options.process {
            if options.tty { process.terminal = true }
            return process
        }
        guard !options.args.isEmpty else { throw RuntimeError(.invalidArgument, "exec: no command given") }
        var process = config.process ?? RuntimeSpec.Process()
        process.args = options.args
        process.terminal = options.tty
        process.consoleSize = nil
        if let cwd = options.cwd { process.cwd = cwd }
        process.env = (process.env ?? []) + options.env
        if let user = options.user {
            let parts = user.split(separator: ":")
            guard let uid = UInt32(parts.first ?? ""), parts.count <= 2 else {
                throw RuntimeError(.invalidArgument, "invalid user \"\(user)\": only uid[:gid] is supported")
            }
            process.user.uid = uid
            if parts.count == 2 {
                guard let gid = UInt32(parts[1]) else { throw RuntimeError(.invalidArgument, "invalid user \"\(user)\"") }
                process.user.gid = gid
            }
        }
        if !options.additionalGids.isEmpty { process.user.additionalGids = options.additionalGids }
        if !options.capabilities.isEmpty {
            var caps = process.capabilities ?? RuntimeSpec.Capabilities()
            for cap in options.capabilities {
                for keyPath in [\RuntimeSpec.Capabilities.bounding, \.effective, \.permitted, \.inheritable, \.ambient] {
                    caps[keyPath: keyPath] = (caps[keyPath: keyPath] ?? []) + [cap]
                }
            }
            process.capabilities = caps
        }
        if options.noNewPrivileges { process.noNewPrivileges = true }
        return process
    }
}
