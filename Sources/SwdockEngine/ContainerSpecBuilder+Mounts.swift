import SwdockOCI
import SwdockOS

/// What the mount rules produce besides the mounts.
struct MountPlan {
    var mounts: [RuntimeSpec.Mount]
    var hostDirectoriesToCreate: [String] = []
    var anonymousVolumes: [String] = []
}

extension ContainerSpecBuilder {
    /// Docker's default mounts (oci/defaults.go) with /dev/shm for a private IPC namespace.
    static func defaultMounts(shmSize: Int64, ipc: NamespaceModes.Ipc) -> [RuntimeSpec.Mount] {
        var mounts: [RuntimeSpec.Mount] = [
            .init(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
            .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            .init(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
            .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"]),
            .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        ]
        if ipc == .private {
            mounts.append(.init(destination: "/dev/shm", type: "tmpfs", source: "shm",
                                options: ["nosuid", "noexec", "nodev", "mode=1777", "size=\(shmSize)"]))
        }
        return mounts
    }

    /// All mounts in Docker's order: the defaults the request does not cover, then the
    /// request's binds, mounts and tmpfs, the init, /etc/resolv.conf, /etc/hostname, /etc/hosts
    /// and the host's /dev/shm for `--ipc host`, sorted parents first (stable).
    func mounts(_ hc: HostConfiguration, config: ContainerConfiguration, context: ContainerSpecContext,
                modes: NamespaceModes, initEnabled: Bool) throws(EngineError) -> MountPlan {
        var plan = MountPlan(mounts: [])
        var user: [RuntimeSpec.Mount] = []
        var destinations = Set<String>()
        func add(_ mount: RuntimeSpec.Mount) throws(EngineError) {
            guard destinations.insert(mount.destination).inserted else {
                throw EngineError(.invalidArgument, "Duplicate mount point: \(mount.destination)")
            }
            user.append(mount)
        }

        for raw in hc.binds {
            let bind = try BindSpec.parse(raw)
            switch bind.kind {
            case .anonymousVolume:
                plan.anonymousVolumes.append(bind.destination)
                continue
            case .namedVolume:
                throw EngineError(.notSupported, "volume \"\(bind.source)\" in \"\(raw)\": named volumes are not implemented yet")
            case .bind:
                // Docker creates a missing -v source directory (but not a missing --mount source).
                if !host.pathExists(bind.source) && !plan.hostDirectoriesToCreate.contains(bind.source) {
                    plan.hostDirectoriesToCreate.append(bind.source)
                }
                try add(Self.bindMount(source: bind.source, destination: bind.destination, readOnly: bind.readOnly,
                                       propagation: bind.propagation, recursive: true))
            }
        }

        for request in hc.mounts {
            if let mount = try mount(request, plan: &plan) { try add(mount) }
        }

        for destination in hc.tmpfs.keys.sorted() {
            try Self.checkTmpfsDestination(destination)
            let data = hc.tmpfs[destination]!.split(separator: ",").map(String.init)
            try add(.init(destination: PathText.clean(destination), type: "tmpfs", source: "tmpfs",
                          options: ["noexec", "nosuid", "nodev", "rprivate"] + data))
        }

        if initEnabled {
            try add(.init(destination: defaults.initPathInContainer, type: "bind", source: defaults.initBinary,
                          options: ["bind", "ro"]))
        }

        // The network files, unless the request mounts something there itself.
        for (name, destination) in [("resolv.conf", "/etc/resolv.conf"), ("hostname", "/etc/hostname"), ("hosts", "/etc/hosts")]
            where !destinations.contains(destination) {
            var options = ["rbind"]
            if hc.readonlyRootfs { options.append("ro") }
            options.append("rprivate")
            try add(.init(destination: destination, type: "bind", source: context.containerDirectory + "/" + name,
                          options: options))
        }
        if modes.ipc == .host && !destinations.contains("/dev/shm") {
            try add(.init(destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind", "rprivate"]))
        }

        var defaultsKept: [RuntimeSpec.Mount] = []
        for var mount in Self.defaultMounts(shmSize: hc.shmSize, ipc: modes.ipc) {
            if destinations.contains(mount.destination) { continue }
            if mount.destination.hasPrefix("/dev/") && destinations.contains("/dev") { continue }
            var options = mount.options ?? []
            if hc.readonlyRootfs && !["/proc", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev"].contains(mount.destination)
                && !options.contains("ro") {
                options.append("ro")
            }
            // Privileged containers may write /sys and the cgroup tree, as in Docker.
            if hc.privileged && (mount.destination == "/sys" || mount.type == "cgroup") {
                options.removeAll { $0 == "ro" }
            }
            mount.options = options
            defaultsKept.append(mount)
        }
        let sorted = user.enumerated().sorted { lhs, rhs in
            let (a, b) = (PathText.depth(lhs.element.destination), PathText.depth(rhs.element.destination))
            return a != b ? a < b : lhs.offset < rhs.offset
        }.map(\.element)
        plan.mounts = defaultsKept + sorted
        return plan
    }

    /// A bind mount as Docker writes it: `rbind` (or `bind`), `ro` when read-only, the propagation.
    static func bindMount(source: String, destination: String, readOnly: Bool, propagation: String,
                          recursive: Bool) -> RuntimeSpec.Mount {
        var options = [recursive ? "rbind" : "bind"]
        if readOnly { options.append("ro") }
        options.append(propagation.isEmpty ? "rprivate" : propagation)
        return .init(destination: destination, type: "bind", source: source, options: options)
    }

    /// One `--mount` checked as moby's validateMountConfig.
    func mount(_ request: HostConfiguration.MountRequest, plan: inout MountPlan) throws(EngineError) -> RuntimeSpec.Mount? {
        func configError(_ text: String) -> EngineError {
            EngineError(.invalidArgument, "invalid mount config for type \"\(request.type)\": \(text)")
        }
        if request.target.isEmpty { throw configError("field Target must not be empty") }
        if PathText.clean(request.target) == "/" { throw configError("invalid specification: destination can't be '/'") }
        if !request.target.hasPrefix("/") {
            throw configError("invalid mount path: '\(request.target)' mount path must be absolute")
        }
        let target = PathText.clean(request.target)
        switch request.type {
        case "bind":
            if request.source.isEmpty { throw configError("field Source must not be empty") }
            let propagation = request.bindOptions?.propagation ?? ""
            if !propagation.isEmpty && !BindSpec.propagations.contains(propagation) {
                throw configError("invalid propagation mode: \(propagation)")
            }
            if request.hasVolumeOptions { throw configError("field VolumeOptions must not be specified") }
            if request.tmpfsOptions != nil { throw configError("field TmpfsOptions must not be specified") }
            if !request.source.hasPrefix("/") {
                throw configError("invalid mount path: '\(request.source)' mount path must be absolute")
            }
            let source = PathText.clean(request.source)
            if !host.pathExists(source) {
                guard request.bindOptions?.createMountpoint == true else {
                    throw configError("bind source path does not exist: \(source)")
                }
                if !plan.hostDirectoriesToCreate.contains(source) { plan.hostDirectoriesToCreate.append(source) }
            }
            return Self.bindMount(source: source, destination: target, readOnly: request.readOnly,
                                  propagation: propagation, recursive: request.bindOptions?.nonRecursive != true)
        case "tmpfs":
            if request.bindOptions != nil { throw configError("field BindOptions must not be specified") }
            if !request.source.isEmpty { throw configError("field Source must not be specified") }
            let data: [String]
            do { data = try Self.tmpfsOptions(request.tmpfsOptions, readOnly: request.readOnly) } catch {
                throw configError(error.message)
            }
            return .init(destination: target, type: "tmpfs", source: "tmpfs",
                         options: ["noexec", "nosuid", "nodev", "rprivate"] + data)
        case "volume":
            if request.source.isEmpty {
                plan.anonymousVolumes.append(target)
                return nil
            }
            throw EngineError(.notSupported, "--mount type=volume (\(request.source)): named volumes are not implemented yet")
        default:
            throw configError("mount type unknown")
        }
    }

    /// moby's ConvertTmpfsOptions: `ro`, `mode=<octal>`, `size=<n>[kmg]` (the largest unit that
    /// divides the size), then `exec`/`noexec`.
    static func tmpfsOptions(_ options: HostConfiguration.TmpfsOptions?, readOnly: Bool) throws(EngineError) -> [String] {
        var result: [String] = []
        if readOnly { result.append("ro") }
        guard let options else { return result }
        if options.mode != 0 { result.append("mode=" + String(options.mode, radix: 8)) }
        if options.sizeBytes < 0 { throw EngineError(.invalidArgument, "invalid tmpfs size: \(options.sizeBytes)") }
        if options.sizeBytes != 0 {
            var size = options.sizeBytes
            var suffix = ""
            for (unit, divisor) in [("g", Int64(1) << 30), ("m", Int64(1) << 20), ("k", Int64(1) << 10)]
                where size % divisor == 0 {
                size /= divisor
                suffix = unit
                break
            }
            result.append("size=\(size)\(suffix)")
        }
        for option in options.options {
            guard (1...2).contains(option.count) else { throw EngineError(.invalidArgument, "invalid option array length") }
            guard option[0] == "exec" || option[0] == "noexec" else {
                throw EngineError(.invalidArgument, "invalid option: \(option[0])")
            }
            result.append(option.count == 1 ? option[0] : "\(option[0])=\(option[1])")
        }
        return result
    }

    static func checkTmpfsDestination(_ destination: String) throws(EngineError) {
        if PathText.clean(destination) == "/" {
            throw EngineError(.invalidArgument, "invalid tmpfs: invalid specification: destination can't be '/'")
        }
        if !destination.hasPrefix("/") {
            throw EngineError(.invalidArgument, "invalid tmpfs: invalid mount path: '\(destination)' mount path must be absolute")
        }
    }
}
