#if canImport(Glibc)
import Glibc
#endif
import CSwdockInit

/// The C memory of one `swdock_bootstrap`, built from an `InitPlan` and the fds the parent
/// opened. The child of the clone reads its copy of this memory; the parent frees it when
/// done (the object owns every allocation).
final class Bootstrap {
    private var allocations: [UnsafeMutableRawPointer] = []
    private(set) var raw = swdock_bootstrap()

    struct Descriptors {
        var sync: Int32
        var execFifo: Int32 = -1
        var console: Int32 = -1
        var preserveFds: Int32 = 0
        /// One open fd per namespace to join, in the plan's order.
        var joins: [Int32] = []
    }

    init(plan: InitPlan, fds: Descriptors) {
        raw.sync_fd = fds.sync
        raw.exec_fifo_fd = fds.execFifo
        raw.console_fd = fds.console
        raw.preserve_fds = fds.preserveFds
        raw.exec_mode = plan.execMode ? 1 : 0

        let joins = array(of: swdock_join.self, count: plan.joins.count)
        for (index, join) in plan.joins.enumerated() {
            joins[index] = swdock_join(fd: fds.joins[index], nstype: join.kind.cloneFlag)
        }
        raw.joins = joins
        raw.njoins = Int32(plan.joins.count)
        raw.new_userns = plan.newUserNamespace ? 1 : 0
        raw.userns_present = plan.inUserNamespace ? 1 : 0
        raw.unshare_flags = plan.newNamespaces.filter { $0 != .user }.reduce(0) { $0 | $1.cloneFlag }
        raw.need_fork = plan.needsFork ? 1 : 0
        raw.clone_flags = plan.directCloneFlags
        raw.timens_offsets = plan.timensOffsets.map { UnsafePointer(string($0)) }

        raw.rootfs = UnsafePointer(string(plan.rootfs))
        raw.root_propagation = plan.rootPropagation
        let ops = array(of: swdock_op.self, count: plan.ops.count)
        for (index, op) in plan.ops.enumerated() {
            var c = swdock_op()
            c.kind = op.kind.rawValue
            c.flags = op.flags.rawValue
            c.mount_flags = op.mountFlags
            c.remount_flags = op.remountFlags
            c.propagation = op.propagation
            c.source = op.source.map { UnsafePointer(string($0)) }
            c.target = UnsafePointer(string(op.target))
            c.fstype = op.fstype.map { UnsafePointer(string($0)) }
            c.data = op.data.map { UnsafePointer(string($0)) }
            c.mode = op.mode
            c.dev = op.dev
            c.uid = op.uid
            c.gid = op.gid
            c.describe = UnsafePointer(string(op.describe))
            ops[index] = c
        }
        raw.ops = UnsafePointer(ops)
        raw.nops = Int32(plan.ops.count)

        raw.argv = UnsafePointer(stringArray(plan.argv))
        raw.envp = UnsafePointer(stringArray(plan.env))
        raw.path_env = plan.pathEnv.map { UnsafePointer(string($0)) }
        raw.cwd = UnsafePointer(string(plan.cwd))
        raw.uid = plan.uid
        raw.gid = plan.gid
        let groups = array(of: gid_t.self, count: plan.additionalGids.count)
        for (index, gid) in plan.additionalGids.enumerated() { groups[index] = gid }
        raw.groups = UnsafePointer(groups)
        raw.ngroups = Int32(plan.additionalGids.count)
        raw.set_groups = 1
        raw.umask = plan.umask
        let limits = array(of: swdock_rlimit.self, count: plan.rlimits.count)
        for (index, limit) in plan.rlimits.enumerated() {
            limits[index] = swdock_rlimit(resource: limit.resource, soft: limit.soft, hard: limit.hard)
        }
        raw.rlimits = UnsafePointer(limits)
        raw.nrlimits = Int32(plan.rlimits.count)
        if let caps = plan.capabilities {
            raw.set_caps = 1
            raw.cap_bounding = caps.bounding
            raw.cap_effective = caps.effective
            raw.cap_permitted = caps.permitted
            raw.cap_inheritable = caps.inheritable
            raw.cap_ambient = caps.ambient
        }
        raw.last_cap = CapabilitySets.lastCapability
        raw.no_new_privs = plan.noNewPrivileges ? 1 : 0
        if let filter = plan.seccompFilter, !filter.isEmpty {
            let bytes = array(of: UInt8.self, count: filter.count)
            for (index, byte) in filter.enumerated() { bytes[index] = byte }
            raw.seccomp_filter = UnsafeRawPointer(bytes)
            raw.seccomp_len = UInt32(filter.count / 8)   // sizeof(struct sock_filter) == 8
            raw.seccomp_flags = plan.seccompFlags
        }
        raw.terminal = plan.terminal ? 1 : 0
        raw.console_rows = plan.consoleSize.rows
        raw.console_cols = plan.consoleSize.cols
        raw.personality = plan.personality
        let hooks = array(of: swdock_hook.self, count: plan.startContainerHooks.count)
        for (index, hook) in plan.startContainerHooks.enumerated() {
            let args = hook.args?.isEmpty == false ? hook.args! : [hook.path]
            hooks[index] = swdock_hook(path: UnsafePointer(string(hook.path)), argv: UnsafePointer(stringArray(args)),
                                       envp: UnsafePointer(stringArray(hook.env ?? [])), timeout: Int32(hook.timeout ?? 0))
        }
        raw.start_hooks = UnsafePointer(hooks)
        raw.nstart_hooks = Int32(plan.startContainerHooks.count)
        raw.hook_state_head = UnsafePointer(string(plan.hookState.head))
        raw.hook_state_tail = UnsafePointer(string(plan.hookState.tail))
    }

    deinit {
        for pointer in allocations { free(pointer) }
    }

    private func string(_ text: String) -> UnsafeMutablePointer<CChar> {
        let pointer = strdup(text)!
        allocations.append(pointer)
        return pointer
    }

    private func stringArray(_ items: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let pointer = array(of: UnsafeMutablePointer<CChar>?.self, count: items.count + 1)
        for (index, item) in items.enumerated() { pointer[index] = string(item) }
        pointer[items.count] = nil
        return pointer
    }

    private func array<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = calloc(max(count, 1), MemoryLayout<T>.stride)!
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// Clones the child that performs this bootstrap; returns its pid.
    func spawn() -> pid_t {
        withUnsafePointer(to: &raw) { swdock_init_spawn($0) }
    }
}
