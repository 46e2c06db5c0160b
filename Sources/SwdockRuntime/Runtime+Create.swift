#if canImport(Glibc)
import Glibc
#endif
import CSwdockInit
import CSwdockSys
import FoundationEssentials
import SwdockCgroups
import SwdockOCI
import SwdockOS

/// Options of `create` (and of the create half of `run`).
public struct CreateOptions: Sendable {
    public var id: String
    public var bundle: String?
    public var pidFile: String?
    public var consoleSocket: String?
    public var noPivot = false
    public var noNewKeyring = false
    /// Extra fds after stdio handed to the container (`--preserve-fds`, plus LISTEN_FDS).
    public var preserveFds: Int32 = 0
    /// `run` in the foreground: the caller waits on the init and keeps the sync socket.
    public var foreground = false

    public init(id: String) { self.id = id }
}

/// A container whose init is set up and waiting on the exec fifo.
public struct Launched: Sendable {
    public var record: ContainerRecord
    /// The parent's end of the sync socket (open only for `run`, to hear late exec errors).
    public var syncFd: Int32
    /// The cgroup the init was put in (`run` removes it at the end without resolving it again).
    var cgroup: (any CgroupManager)?
}

extension Runtime {
    /// `create`: sets up the container and leaves its init blocked on the exec fifo.
    public func create(_ options: CreateOptions) throws(RuntimeError) -> Launched {
        try StateStore.validate(id: options.id)
        let bundleInput = options.bundle ?? HostFiles.currentDirectory()
        let bundle: String
        do { bundle = try HostFiles.realPath(bundleInput) } catch {
            throw RuntimeError(.config, "bundle \(bundleInput): \(Errno.message(error.errno))", cause: error)
        }
        let (spec, specText) = try Runtime.loadSpecAndText(bundle: bundle)

        do { try HostFiles.mkdirAll(store.root, mode: 0o700) } catch {
            throw RuntimeError.system("create the state directory \(store.root)", error)
        }
        let stateDir = store.directory(of: options.id)
        do { try HostFiles.mkdir(stateDir, mode: 0o711) } catch {
            if error.errno == EEXIST { throw RuntimeError(.exists, "container with id exists: \(options.id)") }
            throw RuntimeError.system("create \(stateDir)", error)
        }
        var undo: [() -> Void] = [{ try? HostFiles.removeTree(stateDir) }]
        defer { for step in undo.reversed() { step() } }

        let manager: any CgroupManager
        do { manager = try Cgroups.manager(cgroupsPath: spec.linux?.cgroupsPath, containerID: options.id) } catch {
            throw Runtime.wrap("cgroup of \(options.id)", error)
        }
        do { try manager.create(resources: Runtime.effectiveResources(spec)) } catch {
            throw Runtime.wrap("create the cgroup \(manager.path)", error)
        }
        // A cgroupsPath may name a cgroup that already has processes (runc allows it): those are not ours.
        let alreadyInCgroup = Set((try? manager.processes()) ?? [])
        undo.append {
            Runtime.killLeftovers(in: manager, sparing: alreadyInCgroup)
            try? manager.destroy()
        }
        // The init's join would wait a whole RCU grace period; this lets it pass while the plan
        // and the seccomp program are built. Started after the cgroup is made: the warm-up
        // holds the kernel's cgroup_mutex while it waits, which mkdir in a hierarchy needs too.
        let warmup = CgroupMigrationWarmup.start()
        defer { warmup?.finish() }
        var context = PlanContext(bundle: bundle, noPivot: options.noPivot)
        context.cgroupHierarchies = CgroupHierarchy.parse(mountinfo: (try? HostFiles.readString("/proc/self/mountinfo")) ?? "")
        context.cgroupPath = manager.path
        context.cgroupDirectories = Array(manager.directories.values)
        var plan = try InitPlan(spec: spec, context: context)
        try plan.compileSeccomp(spec.linux?.seccomp, cache: SeccompCache(root: store.root))
        if plan.terminal && options.consoleSocket == nil {
            throw RuntimeError(.invalidArgument, "cannot allocate tty if runc will detach without setting console socket")
        }
        if !plan.terminal && options.consoleSocket != nil {
            throw RuntimeError(.invalidArgument, "cannot use console socket if runc will not detach or allocate tty")
        }

        // The exec fifo: `start` opens it for reading, which releases the init.
        let fifo = store.fifoPath(of: options.id)
        do {
            try sys("mkfifo", "\"\(fifo)\"") { mkfifo(fifo, 0o622) }
            try sys("chmod", "\"\(fifo)\"") { chmod(fifo, 0o622) }
        } catch { throw RuntimeError.system("create the exec fifo", error) }
        let fifoFd: FileDescriptor
        do { fifoFd = try FileDescriptor.open(fifo, SWDOCK_O_PATH) } catch { throw RuntimeError.system("open the exec fifo", error) }
        var parentFds: [Int32] = [fifoFd.rawValue]
        defer { for fd in parentFds { close(fd) } }

        var descriptors = Bootstrap.Descriptors(sync: -1, execFifo: fifoFd.rawValue, preserveFds: options.preserveFds)
        if let socket = options.consoleSocket {
            let fd = try Runtime.connectUnix(socket)
            parentFds.append(fd)
            descriptors.console = fd
        }
        for join in plan.joins {
            do {
                let fd = try FileDescriptor.open(join.path, O_RDONLY)
                parentFds.append(fd.rawValue)
                descriptors.joins.append(fd.rawValue)
            } catch {
                throw RuntimeError(.config, "open \(join.kind.rawValue) namespace path \(join.path): \(Errno.message(error.errno))", cause: error)
            }
        }
        let (parentEnd, childEnd) = try InitChannel.pair()
        descriptors.sync = childEnd
        let channel = InitChannel(fd: parentEnd)
        var keepParentEnd = false
        defer { if !keepParentEnd { close(parentEnd) } }

        var record = ContainerRecord(id: options.id, initPid: 0, initStartTime: 0, bundle: bundle, rootfs: plan.rootfs,
                                     created: Clock.rfc3339Now(), owner: "", config: spec, cgroupsPath: manager.path)
        record.cgroupDirectories = manager.directories
        // startContainer hooks see the container as created, with the pid the init has in its namespace.
        plan.hookState = Runtime.hookStateParts(record, status: .created)
        let bootstrap = Bootstrap(plan: plan, fds: descriptors)
        warmup?.finish()
        let child = bootstrap.spawn()
        close(childEnd)
        guard child > 0 else { throw RuntimeError.system("clone the container init", OSError(call: "clone", errno: errno)) }
        var initPid: Int32 = 0
        undo.append {
            Glibc.kill(child, SIGKILL)
            _ = waitChild(child)
            if initPid > 0 && initPid != child { Glibc.kill(initPid, SIGKILL); _ = waitChild(initPid) }
        }

        loop: while true {
            switch try channel.receive() {
            case .hello(let reported):
                let pid = reported == 0 ? child : reported   // 0: the clone made the namespaces (directCloneFlags)
                try Runtime.writeIDMaps(plan: plan, pid: pid)
                do { try manager.addProcess(pid) } catch { throw Runtime.wrap("join the cgroup \(manager.path)", error) }
                if let adj = plan.oomScoreAdj {
                    do { try HostFiles.write("/proc/\(pid)/oom_score_adj", "\(adj)") } catch {
                        throw RuntimeError.system("write oom_score_adj \(adj)", error)
                    }
                }
                try channel.go()
            case .pid(let reported):
                let pid = reported == 0 ? child : reported
                initPid = pid
                if pid != child, let status = waitChild(child), exitCode(ofWaitStatus: status) != 0 {
                    throw RuntimeError(.containerInit, "container init: intermediate process failed (\(exitCode(ofWaitStatus: status)))")
                }
                record.initPid = pid
                record.initStartTime = ProcessInfoReader.stat(pid)?.startTime ?? 0
            case .hooks:
                guard initPid > 0 else { throw RuntimeError(.containerInit, "container init: asked for its hooks before it reported its pid") }
                let failure = runCreateHooks(spec: spec, record: record)
                try channel.go(failure == nil ? 0 : EPERM)
                if let failure { throw failure }
            case .ready:
                guard initPid > 0 else { throw RuntimeError(.containerInit, "container init: ready before it reported its pid") }
                break loop
            case .error(let report):
                throw RuntimeError(.containerInit, InitChannel.message(for: report))
            case .closed:
                let status = waitChild(child).map { " (exit \(exitCode(ofWaitStatus: $0)))" } ?? ""
                throw RuntimeError(.containerInit, "container init: exited before it was set up\(status)")
            }
        }
        try store.save(record, configText: specText)
        if let pidFile = options.pidFile {
            let path = absolutePath(pidFile, relativeTo: HostFiles.currentDirectory())
            do { try HostFiles.writeAtomically(path, Array("\(initPid)".utf8)) } catch {
                throw RuntimeError.system("write the pid file \(path)", error)
            }
        }
        undo.removeAll()
        keepParentEnd = options.foreground
        return Launched(record: record, syncFd: options.foreground ? parentEnd : -1, cgroup: manager)
    }

    /// Kills what a failed create left in its cgroup: a container process whose pid never
    /// reached us would otherwise keep its namespaces (and the engine's veth in them) alive.
    static func killLeftovers(in manager: any CgroupManager, sparing others: Set<Int32>) {
        for _ in 0..<200 {
            let pids = ((try? manager.processes()) ?? []).filter { !others.contains($0) }
            if pids.isEmpty { return }
            for pid in pids { Glibc.kill(pid, SIGKILL) }
            usleep(1_000)
        }
    }

    /// Writes uid_map and gid_map of a child that made a new user namespace.
    static func writeIDMaps(plan: InitPlan, pid: Int32) throws(RuntimeError) {
        guard plan.newUserNamespace else { return }
        func text(_ maps: [(containerID: UInt32, hostID: UInt32, size: UInt32)]) -> String {
            maps.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
        }
        do {
            try HostFiles.write("/proc/\(pid)/uid_map", text(plan.uidMappings))
        } catch { throw RuntimeError.system("write uid_map of the container init", error) }
        do {
            try HostFiles.write("/proc/\(pid)/gid_map", text(plan.gidMappings))
        } catch { throw RuntimeError.system("write gid_map of the container init", error) }
    }

    /// Connects to the unix socket at `path` (the console socket).
    static func connectUnix(_ path: String) throws(RuntimeError) -> Int32 {
        let fd: Int32
        do { fd = try sys("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) } } catch {
            throw RuntimeError.system("open the console socket", error)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw RuntimeError(.invalidArgument, "console socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        do {
            try sys("connect", "\"\(path)\"") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
        } catch {
            close(fd)
            throw RuntimeError.system("connect to the console socket \(path)", error)
        }
        return fd
    }
}
