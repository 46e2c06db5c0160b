#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// What, besides the spec, decides the init plan of a new container.
public struct PlanContext: Sendable {
    public var bundle: String
    public var noPivot = false
    /// The host's cgroup hierarchies (from /proc/self/mountinfo), for `cgroup` mounts.
    public var cgroupHierarchies: [CgroupHierarchy] = []
    /// The container's cgroup path inside each hierarchy (`/docker/abc`).
    public var cgroupPath: String = "/"
    /// The container's cgroup directories (the cgroup manager's), bound into a container
    /// without its own cgroup namespace.
    public var cgroupDirectories: [String] = []

    public init(bundle: String, noPivot: Bool = false) {
        self.bundle = bundle
        self.noPivot = noPivot
    }
}

/// One mounted cgroup hierarchy of the host.
public struct CgroupHierarchy: Equatable, Sendable {
    /// Where it is mounted (`/sys/fs/cgroup/cpu,cpuacct`).
    public var mountPoint: String
    /// `cgroup` or `cgroup2`.
    public var fstype: String
    /// The v1 superblock options naming it (`cpu,cpuacct`, `name=systemd`).
    public var options: String

    /// Reads the hierarchies under /sys/fs/cgroup from mountinfo text.
    public static func parse(mountinfo: String) -> [CgroupHierarchy] {
        var result: [CgroupHierarchy] = []
        let noise: Set<Substring> = ["rw", "ro", "relatime", "nosuid", "nodev", "noexec", "xattr", "clone_children", "nsdelegate", "memory_recursiveprot", "noprefix"]
        for line in mountinfo.split(separator: "\n") where isCgroupMount(line) {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count, fields.count > 4 else { continue }
            let fstype = fields[dash + 1]
            guard fstype == "cgroup" || fstype == "cgroup2" else { continue }
            let mountPoint = String(fields[4])
            guard mountPoint.hasPrefix("/sys/fs/cgroup/") else { continue }
            let options = fields[dash + 3].split(separator: ",").filter { !noise.contains($0) && !$0.hasPrefix("release_agent") }
            result.append(CgroupHierarchy(mountPoint: mountPoint, fstype: String(fstype), options: options.joined(separator: ",")))
        }
        return result
    }

    /// Whether a mountinfo line's filesystem type (the field after the first ` - `) starts
    /// with `cgroup`: a byte scan, so only the few cgroup lines are split into fields (this
    /// runs on every `create`).
    private static func isCgroupMount(_ line: Substring) -> Bool {
        let bytes = Array(line.utf8)
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0x20 && bytes[i + 1] == 0x2d && bytes[i + 2] == 0x20 {  // " - "
                return bytes[(i + 3)...].starts(with: "cgroup".utf8)
            }
            i += 1
        }
        return false
    }
}

extension InitPlan {
    /// The plan of a new container's init: namespaces, mounts, devices, pivot, process.
    public init(spec: RuntimeSpec, context: PlanContext) throws(RuntimeError) {
        self.init()
        guard let process = spec.process else { throw RuntimeError(.config, "process property must not be empty") }
        guard let root = spec.root else { throw RuntimeError(.config, "root property must not be empty") }
        let linux = spec.linux ?? RuntimeSpec.Linux()

        try planNamespaces(linux)
        guard newNamespaces.contains(.mount) || joins.contains(where: { $0.kind == .mount }) else {
            throw RuntimeError.notSupported("a container without a mount namespace")
        }
        if newUserNamespace {
            uidMappings = (linux.uidMappings ?? []).map { ($0.containerID, $0.hostID, $0.size) }
            gidMappings = (linux.gidMappings ?? []).map { ($0.containerID, $0.hostID, $0.size) }
            if uidMappings.isEmpty || gidMappings.isEmpty {
                throw RuntimeError(.config, "user namespaces enabled, but no user mapping found")
            }
        }
        if let offsets = linux.timeOffsets, !offsets.isEmpty {
            guard newNamespaces.contains(.time) else {
                throw RuntimeError(.config, "time offsets specified, but no new time namespace")
            }
            timensOffsets = offsets.sorted { $0.key < $1.key }.map { clock, offset in
                let id = clock == "boottime" ? "boottime" : "monotonic"
                return "\(id) \(offset.secs ?? 0) \(offset.nanosecs ?? 0)\n"
            }.joined()
        }

        let rootPath = absolutePath(root.path, relativeTo: context.bundle)
        do { rootfs = try HostFiles.realPath(rootPath) } catch {
            throw RuntimeError(.config, "invalid rootfs: \(rootPath): \(Errno.message(error.errno))", cause: error)
        }
        if let propagation = linux.rootfsPropagation, !propagation.isEmpty {
            guard let value = MountFlag.propagationTable[propagation] else {
                throw RuntimeError(.config, "rootfsPropagation: unknown propagation \"\(propagation)\"")
            }
            rootPropagation = value
        } else {
            rootPropagation = MountFlag.slave | MountFlag.rec
        }

        try planMounts(spec.mounts ?? [], context: context)
        if !(spec.mounts ?? []).contains(where: { $0.destination == "/dev" && Self.isBind($0) }) {
            try planDevices(linux.devices ?? [])
        } else {
            try planDevices(linux.devices ?? [], defaults: false)
        }
        // prestart, createRuntime and createContainer run after the namespaces and mounts
        // exist and before pivot_root: the init stops here and the parent runs them.
        let hooks = spec.hooks
        startContainerHooks = hooks?.startContainer ?? []
        if !(hooks?.prestart ?? []).isEmpty || !(hooks?.createRuntime ?? []).isEmpty || !(hooks?.createContainer ?? []).isEmpty {
            ops.append(InitOp(kind: .hooks, describe: "run createRuntime hooks"))
        }
        var pivot = InitOp(kind: .pivot, describe: context.noPivot ? "chroot to \"\(rootfs)\"" : "pivot_root \"\(rootfs)\"")
        if context.noPivot { pivot.flags = .noPivot }
        ops.append(pivot)

        let privateUTS = newNamespaces.contains(.uts)
        if let hostname = spec.hostname, !hostname.isEmpty {
            guard privateUTS else { throw RuntimeError(.config, "unable to set hostname without a private UTS namespace") }
            var op = InitOp(kind: .sethostname, describe: "sethostname \"\(hostname)\"")
            op.source = hostname
            ops.append(op)
        }
        if let domainname = spec.domainname, !domainname.isEmpty {
            guard privateUTS else { throw RuntimeError(.config, "unable to set domainname without a private UTS namespace") }
            var op = InitOp(kind: .setdomainname, describe: "setdomainname \"\(domainname)\"")
            op.source = domainname
            ops.append(op)
        }
        for (key, value) in (linux.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + key.replacingAll(".", with: "/")
            var op = InitOp(kind: .write, describe: "write sysctl \(key)")
            op.target = path
            op.data = value
            ops.append(op)
        }
        for path in linux.readonlyPaths ?? [] {
            var op = InitOp(kind: .mount, describe: "make \"\(path)\" read-only")
            op.flags = [.bind, .sourceInRoot, .ignoreMissing]
            op.source = path
            op.target = path
            op.mountFlags = MountFlag.bind | MountFlag.rec
            op.remountFlags = MountFlag.bind | MountFlag.rdonly
            ops.append(op)
        }
        for path in linux.maskedPaths ?? [] {
            var op = InitOp(kind: .mask, describe: "mask \"\(path)\"")
            op.flags = [.ignoreMissing]
            op.target = path
            ops.append(op)
        }
        if root.readonly == true {
            var op = InitOp(kind: .remount, describe: "remount \"/\" read-only")
            op.target = "/"
            op.mountFlags = MountFlag.bind | MountFlag.rdonly
            ops.append(op)
        }

        try planProcess(process)
        if let personality = linux.personality {
            switch personality.domain {
            case "LINUX": self.personality = 0
            case "LINUX32": self.personality = 0x0008
            default: throw RuntimeError(.config, "unknown personality domain \"\(personality.domain)\"")
            }
        }
    }

    mutating func planNamespaces(_ linux: RuntimeSpec.Linux) throws(RuntimeError) {
        var seen: Set<String> = []
        for ns in linux.namespaces ?? [] {
            guard let kind = NamespaceKind(rawValue: ns.type) else {
                throw RuntimeError(.config, "namespace type \"\(ns.type)\" is not supported")
            }
            guard seen.insert(ns.type).inserted else { throw RuntimeError(.config, "duplicate namespace \(ns.type)") }
            if let path = ns.path, !path.isEmpty {
                joins.append((kind, path))
            } else {
                if kind == .time && !HostFiles.exists("/proc/self/ns/time") {
                    throw RuntimeError.notSupported("time namespaces (this kernel has none)")
                }
                newNamespaces.append(kind)
            }
        }
        // The user namespace is joined first: the others are then joined with its rights.
        joins.sort { ($0.kind == .user ? 0 : 1) < ($1.kind == .user ? 0 : 1) }
    }

    static func isBind(_ mount: RuntimeSpec.Mount) -> Bool {
        mount.type == "bind" || (mount.options ?? []).contains { $0 == "bind" || $0 == "rbind" }
    }

    static func cleanDestination(_ destination: String) -> String {
        var parts: [Substring] = []
        for part in destination.split(separator: "/") where part != "." && !part.isEmpty {
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    mutating func planMounts(_ mounts: [RuntimeSpec.Mount], context: PlanContext) throws(RuntimeError) {
        for mount in mounts {
            let destination = Self.cleanDestination(mount.destination)
            let options = try MountOptions(parsing: mount.options ?? [])
            let source = mount.source ?? ""
            let describe = "mount \"\(source.isEmpty ? (mount.type ?? "none") : source)\" on \"\(destination)\""
            if Self.isBind(mount) {
                let hostSource = absolutePath(source, relativeTo: context.bundle)
                var st = stat()
                guard stat(hostSource, &st) == 0 else {
                    let error = OSError(call: "stat", object: hostSource, errno: errno)
                    throw RuntimeError(.containerInit, "\(describe): stat \(hostSource): \(Errno.message(error.errno))", cause: error)
                }
                var op = InitOp(kind: .mount, describe: describe)
                op.flags = [.bind, .mkdir]
                if (st.st_mode & S_IFMT) != S_IFDIR { op.flags.insert(.targetIsFile) }
                op.source = hostSource
                op.target = destination
                op.mountFlags = MountFlag.bind | (options.flags & MountFlag.rec)
                let extra = options.flags & ~(MountFlag.bind | MountFlag.rec | MountFlag.remount)
                if extra != 0 { op.remountFlags = MountFlag.bind | extra }
                op.propagation = options.propagation
                ops.append(op)
                continue
            }
            guard let type = mount.type, !type.isEmpty else {
                throw RuntimeError(.config, "\(describe): no filesystem type")
            }
            if type == "cgroup" || (type == "cgroup2" && !context.cgroupHierarchies.isEmpty && context.cgroupHierarchies.contains { $0.fstype == "cgroup" }) {
                planCgroupMount(destination: destination, options: options, context: context, describe: describe)
                continue
            }
            var op = InitOp(kind: .mount, describe: describe)
            op.flags = [.mkdir]
            op.source = source.isEmpty ? type : source
            op.target = destination
            op.fstype = type
            op.mountFlags = options.flags
            op.data = options.data.isEmpty ? nil : options.data.joined(separator: ",")
            op.propagation = options.propagation
            ops.append(op)
        }
    }

    /// cgroup mounts: on a v1 host a tmpfs with one entry per hierarchy (the hierarchy itself
    /// when the container has its own cgroup namespace, else a bind of the container's cgroup
    /// directory); on a v2 host cgroup2 itself or a bind of the container's directory.
    mutating func planCgroupMount(destination: String, options: MountOptions, context: PlanContext, describe: String) {
        let ownNamespace = newNamespaces.contains(.cgroup)
        let readOnly = options.flags & MountFlag.rdonly != 0
        let leafFlags = options.flags & (MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec | MountFlag.rdonly | MountFlag.relatime)
        let v1 = context.cgroupHierarchies.filter { $0.fstype == "cgroup" }
        if v1.isEmpty {
            var op = InitOp(kind: .mount, describe: describe)
            op.flags = [.mkdir]
            op.target = destination
            if ownNamespace {
                op.source = "cgroup2"
                op.fstype = "cgroup2"
                op.mountFlags = leafFlags
            } else {
                op.flags.insert(.bind)
                op.source = "/sys/fs/cgroup" + (context.cgroupPath == "/" ? "" : context.cgroupPath)
                op.mountFlags = MountFlag.bind
                op.remountFlags = MountFlag.bind | leafFlags
            }
            ops.append(op)
            return
        }
        var tmpfs = InitOp(kind: .mount, describe: describe)
        tmpfs.flags = [.mkdir]
        tmpfs.source = "tmpfs"
        tmpfs.fstype = "tmpfs"
        tmpfs.target = destination
        tmpfs.mountFlags = MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec
        tmpfs.data = "mode=755"
        ops.append(tmpfs)
        for hierarchy in context.cgroupHierarchies {
            let name = String(hierarchy.mountPoint.dropFirst("/sys/fs/cgroup/".count))
            let target = destination + "/" + name
            var op = InitOp(kind: .mount, describe: "mount \"cgroup\" on \"\(target)\"")
            op.flags = [.mkdir]
            op.target = target
            if ownNamespace {
                op.source = "cgroup"
                op.fstype = hierarchy.fstype
                op.mountFlags = leafFlags
                op.data = hierarchy.fstype == "cgroup" ? hierarchy.options : nil
            } else {
                let own = context.cgroupDirectories.first { $0.hasPrefix(hierarchy.mountPoint + "/") }
                op.flags.insert(.bind)
                op.source = own ?? hierarchy.mountPoint
                op.mountFlags = MountFlag.bind
                op.remountFlags = MountFlag.bind | leafFlags
            }
            ops.append(op)
            // cpu → cpu,cpuacct and the like, as on the host.
            if name.contains(",") {
                for part in name.split(separator: ",") {
                    var link = InitOp(kind: .symlink, describe: "symlink \"\(destination)/\(part)\"")
                    link.source = name
                    link.target = destination + "/" + part
                    ops.append(link)
                }
            }
        }
        if readOnly {
            var remount = InitOp(kind: .remount, describe: "remount \"\(destination)\" read-only")
            remount.target = destination
            remount.mountFlags = MountFlag.rdonly | MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec
            ops.append(remount)
        }
    }

    static let defaultDevices: [RuntimeSpec.Device] = [
        .init(type: "c", path: "/dev/null", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/zero", major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/full", major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/tty", major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/urandom", major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0),
        .init(type: "c", path: "/dev/random", major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0),
    ]

    static func makedev(_ major: UInt64, _ minor: UInt64) -> UInt64 {
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff)
    }

    /// The default /dev set plus `linux.devices`: mknod, or a bind of the host node in a user
    /// namespace (where mknod is not allowed); then the /dev symlinks.
    mutating func planDevices(_ devices: [RuntimeSpec.Device], defaults: Bool = true) throws(RuntimeError) {
        var all: [RuntimeSpec.Device] = []
        if defaults {
            all = Self.defaultDevices.filter { d in !devices.contains { $0.path == d.path } }
        }
        all += devices
        for device in all {
            let path = Self.cleanDestination(device.path)
            let typeBits: UInt32
            switch device.type {
            case "c", "u": typeBits = UInt32(S_IFCHR)
            case "b": typeBits = UInt32(S_IFBLK)
            case "p": typeBits = UInt32(S_IFIFO)
            default: throw RuntimeError(.config, "device \(device.path): unknown type \"\(device.type)\"")
            }
            if inUserNamespace && device.type != "p" {
                var op = InitOp(kind: .mount, describe: "bind device \"\(path)\"")
                op.flags = [.bind, .mkdir, .targetIsFile]
                op.source = device.path
                op.target = path
                op.mountFlags = MountFlag.bind
                ops.append(op)
                continue
            }
            var op = InitOp(kind: .mknod, describe: "mknod \"\(path)\"")
            op.target = path
            op.mode = typeBits | ((device.fileMode ?? 0o666) & 0o7777)
            op.dev = Self.makedev(UInt64(device.major ?? 0), UInt64(device.minor ?? 0))
            op.uid = device.uid ?? 0
            op.gid = device.gid ?? 0
            ops.append(op)
        }
        guard defaults else { return }
        var links: [(String, String)] = [("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"),
                                         ("/proc/self/fd/1", "/dev/stdout"), ("/proc/self/fd/2", "/dev/stderr")]
        if HostFiles.exists("/proc/kcore") { links.append(("/proc/kcore", "/dev/core")) }
        links.append(("pts/ptmx", "/dev/ptmx"))
        for (to, at) in links {
            var op = InitOp(kind: .symlink, describe: "symlink \"\(at)\"")
            op.source = to
            op.target = at
            ops.append(op)
        }
    }

    mutating func planProcess(_ process: RuntimeSpec.Process) throws(RuntimeError) {
        guard let args = process.args, !args.isEmpty else { throw RuntimeError(.config, "args must not be empty") }
        guard process.cwd.hasPrefix("/") else { throw RuntimeError(.config, "cwd \"\(process.cwd)\" is not an absolute path") }
        argv = args
        env = process.env ?? []
        cwd = process.cwd
        uid = process.user.uid
        gid = process.user.gid
        additionalGids = process.user.additionalGids ?? []
        umask = process.user.umask.map { Int32($0) } ?? -1
        for limit in process.rlimits ?? [] {
            rlimits.append((try Rlimits.number(limit.type), limit.soft, limit.hard))
        }
        if let caps = process.capabilities { capabilities = try CapabilitySets(caps) }
        noNewPrivileges = process.noNewPrivileges ?? false
        terminal = process.terminal ?? false
        if let size = process.consoleSize { consoleSize = (UInt16(clamping: size.height), UInt16(clamping: size.width)) }
        oomScoreAdj = process.oomScoreAdj
        if process.apparmorProfile.map({ !$0.isEmpty }) == true {
            throw RuntimeError.notSupported("apparmorProfile (AppArmor is not enabled on this host)")
        }
        if process.selinuxLabel.map({ !$0.isEmpty }) == true {
            throw RuntimeError.notSupported("selinuxLabel (SELinux is not enabled on this host)")
        }
        if process.ioPriority != nil { throw RuntimeError.notSupported("process.ioPriority") }
        if process.scheduler != nil { throw RuntimeError.notSupported("process.scheduler") }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
