#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import Foundation
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockSnapshot

extension ContainerService {
    /// `POST /containers/create`: resolves the image, prepares the container's snapshot, builds
    /// the OCI spec (Docker's rules) into `<exec-root>/containers/<id>/bundle/config.json`, writes
    /// hostname, hosts and resolv.conf under `<data-root>/containers/<id>`, and records the
    /// container as `created` in one transaction. Nothing is left behind when a step fails.
    public func create(name: String?, config: ContainerConfiguration, hostConfig: HostConfiguration,
                       network: ContainerNetworkRequest = ContainerNetworkRequest()) async throws -> ContainerCreated {
        try await offload { try self.createBlocking(name: name, config: config, hostConfig: hostConfig, network: network) }
    }

    func createBlocking(name requestedName: String?, config: ContainerConfiguration,
                        hostConfig requestHost: HostConfiguration,
                        network networkRequest: ContainerNetworkRequest = ContainerNetworkRequest()) throws(EngineError) -> ContainerCreated {
        guard !config.image.isEmpty else { throw EngineError(.invalidArgument, "Config cannot be empty in order to create a container") }
        let image = try images.resolveImage(config.image)
        var hostConfig = requestHost
        if hostConfig.runtime.isEmpty { hostConfig.runtime = options.defaultRuntime }
        guard options.runtimes[hostConfig.runtime] != nil else {
            throw EngineError(.invalidArgument, "Unknown runtime specified \(hostConfig.runtime)")
        }
        let logDriver = hostConfig.logConfig.type.isEmpty ? options.logDriver : hostConfig.logConfig.type
        guard logDriver == "json-file" || logDriver == "none" else {
            throw EngineError(.notSupported, "log driver \(logDriver): only json-file and none are implemented")
        }
        var logOptions = options.logOptions
        for (key, value) in hostConfig.logConfig.config { logOptions[key] = value }
        let (maxSize, maxFiles) = try Self.logLimits(logOptions)

        let name: String
        if let requestedName, !requestedName.isEmpty {
            name = try ContainerNames.validate(requestedName)
        } else {
            name = try generateName()
        }
        let id = Self.generateID()
        let networkPlan = try planNetwork(id, hostConfig: &hostConfig, request: networkRequest)
        let containerDirectory = layout.containerDirectory(id)
        let runDirectory = layout.containerRunDirectory(id)
        var cleanup: [() -> Void] = []
        func undo() { for step in cleanup.reversed() { step() } }

        do {
            try Self.makeDirectory(containerDirectory, mode: 0o710)
            cleanup.append { HostPaths.removeTree(containerDirectory) }
            try Self.makeDirectory(rootfs(id), mode: 0o711)
            cleanup.append { HostPaths.removeTree(runDirectory) }
            let mounts: [Mount]
            // A --rm container's rootfs goes with it: its snapshot records skip the fsyncs.
            let labels = hostConfig.autoRemove ? [SnapshotLabel.volatile: "true"] : [:]
            do { mounts = try snapshotter.prepare(id, parent: image.chainID, labels: labels) } catch {
                throw EngineError(.system, "prepare the snapshot of container \(id)", cause: error)
            }
            cleanup.append { [snapshotter] in try? snapshotter.remove(id) }
            // The spec builder reads the image's /etc/passwd and /etc/group, and volumes are seeded
            // from the image's content: straight from the layers when that is all (no mount), else
            // through the rootfs mounted for the build only.
            let layered = LayeredRootfsFiles(mounts: mounts)
            let mounted = layered == nil || !layered!.servable(["/etc/passwd", "/etc/group"])
                || Self.mayUseVolumes(config, hostConfig, image: image)
            if mounted { try mountRootfs(id, mounts) }
            var plan: ContainerSpecPlan
            var attachments: [VolumeAttachment] = []
            do {
                defer { if mounted { unmountRootfs(id) } }
                let files: any ContainerFileReader = mounted ? RootfsFiles(rootfs: rootfs(id)) : layered!
                let context = ContainerSpecContext(id: id, image: image.config.config, rootfs: rootfs(id),
                                                   rootfsFiles: files,
                                                   containerDirectory: containerDirectory,
                                                   networkNamespacePath: networkPlan?.namespacePath)
                // Volumes become binds of their directories (created on first use, seeded from the image).
                var buildHost = hostConfig
                attachments = try attachVolumes(&buildHost)
                do {
                    plan = try builder.build(config: config, hostConfig: buildHost, context: context)
                    try finishVolumes(&plan, &attachments, requested: hostConfig, rootfs: rootfs(id))
                } catch {
                    detachVolumes(attachments)
                    throw error
                }
            }
            let madeVolumes = attachments
            cleanup.append { [self] in detachVolumes(madeVolumes) }
            try writeBundle(id, spec: plan.spec)
            for file in plan.files {
                // hostname, hosts, resolv.conf: derived from the document, no fsync (as dockerd).
                do {
                    try FileSystem.writeAtomically(containerDirectory + "/" + file.name, Array(file.contents.utf8), mode: 0o644,
                                                   durable: false)
                } catch {
                    throw EngineError(.system, "write \(file.name) of container \(id)", cause: error)
                }
            }
            var merged = plan.config
            merged.image = config.image
            let document = ContainerDocument(
                Config: merged, HostConfig: plan.hostConfig, Path: plan.path, Args: plan.args,
                Runtime: plan.runtime.isEmpty ? options.defaultRuntime : plan.runtime, Driver: snapshotter.driverName,
                ChainID: image.chainID, Mounts: volumeMountPoints(Self.mountPoints(plan.spec.mounts ?? []), attachments),
                LogPath: logDriver == "none" ? nil : containerDirectory + "/\(id)-json.log",
                LogMaxSize: maxSize, LogMaxFiles: maxFiles)
            let record = ContainerRecord(id: id, name: name, image: image.id, createdNanoseconds: Self.nowNanoseconds(),
                                         state: try Self.encode(ContainerState.created), config: try Self.encode(document))
            try insert(record)
            if let networkPlan, let network {
                do { try network.record(containerID: id, plan: networkPlan) } catch {
                    _ = try? storeWrite("remove container \(id)") { try $0.deleteContainer(id: id) }
                    throw error
                }
            }
            emit("create", id: id, name: name, image: config.image, labels: merged.labels)
            return ContainerCreated(id: id, warnings: plan.warnings)
        } catch {
            undo()
            throw error as? EngineError ?? EngineError(.system, "create container \(id)", cause: DescribedError(error))
        }
    }

    func insert(_ record: ContainerRecord) throws(EngineError) {
        do {
            try database.write { connection in
                if let holder = try connection.container(name: record.name) {
                    throw EngineError(.conflict, "Conflict. The container name \"\(record.name)\" is already in use by container \"\(holder.id)\". You have to remove (or rename) that container to be able to reuse that name.")
                }
                try connection.insertContainer(record)
            }
        } catch let error as EngineError { throw error } catch {
            throw EngineError(.system, "record container \(record.id)", cause: DescribedError(error))
        }
    }

    /// A generated name not in use (Docker retries with a digit appended).
    func generateName() throws(EngineError) -> String {
        for retry in 0..<10 {
            let candidate = "/" + ContainerNames.generate(retry: retry)
            let taken = try storeRead("look up container name \(candidate)") { try $0.container(name: candidate) != nil }
            if !taken { return candidate }
        }
        throw EngineError(.system, "could not generate a unique container name")
    }

    /// `max-size` / `max-file` as dockerd's json-file driver reads them.
    static func logLimits(_ options: [String: String]) throws(EngineError) -> (Int64?, Int) {
        var maxSize: Int64?
        if let text = options["max-size"], !text.isEmpty, text != "-1" {
            guard let size = parseHumanSize(text), size > 0 else {
                throw EngineError(.invalidArgument, "invalid value for log-opt max-size: \(text)")
            }
            maxSize = size
        }
        var maxFiles = 1
        if let text = options["max-file"], !text.isEmpty {
            guard let n = Int(text), n >= 1 else { throw EngineError(.invalidArgument, "invalid value for log-opt max-file: \(text)") }
            guard maxSize != nil || n == 1 else {
                throw EngineError(.invalidArgument, "max-file cannot be set without max-size")
            }
            maxFiles = n
        }
        for key in options.keys where !["max-size", "max-file", "compress", "labels", "env", "env-regex", "tag", "mode", "max-buffer-size"].contains(key) {
            throw EngineError(.invalidArgument, "unknown log opt '\(key)' for json-file log driver")
        }
        return (maxSize, maxFiles)
    }

    /// go-units `RAMInBytes`-style sizes as the json-file driver parses them (`10m`, `1g`, `100k`, decimal).
    static func parseHumanSize(_ text: String) -> Int64? {
        var digits = text.lowercased()
        if digits.hasSuffix("b") { digits.removeLast() }
        var multiplier: Int64 = 1
        switch digits.last {
        case "k": multiplier = 1000
        case "m": multiplier = 1000 * 1000
        case "g": multiplier = 1000 * 1000 * 1000
        default: break
        }
        if multiplier != 1 { digits.removeLast() }
        if let n = Int64(digits) { return n * multiplier }
        if let d = Double(digits) { return Int64(d * Double(multiplier)) }
        return nil
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws(EngineError) {
        do { try FileSystem.makeDirectories(path, mode: mode) } catch {
            throw EngineError(.system, "create directory \(path)", cause: error)
        }
    }

    func writeBundle(_ id: String, spec: RuntimeSpec) throws(EngineError) {
        do {
            let bytes = try Self.encoder.encode(spec)
            try FileSystem.writeAtomically(bundle(id) + "/config.json", Array(bytes), mode: 0o600)
        } catch {
            throw EngineError(.system, "write the OCI spec of container \(id)", cause: DescribedError(error))
        }
    }

    /// Whether a container may get volumes (named, anonymous, the image's): those are seeded
    /// from the mounted rootfs at create.
    static func mayUseVolumes(_ config: ContainerConfiguration, _ hostConfig: HostConfiguration, image: LocalImage) -> Bool {
        !hostConfig.binds.isEmpty || !hostConfig.mounts.isEmpty || !(config.volumes ?? []).isEmpty
            || !(image.config.config?.volumes ?? [:]).isEmpty
    }

    /// Performs the snapshot's mounts on the bundle's rootfs (one overlay, or a bind).
    func mountRootfs(_ id: String, _ mounts: [Mount]) throws(EngineError) {
        for mount in mounts {
            do { try mount.perform(at: rootfs(id)) } catch {
                throw EngineError(.system, "mount the root filesystem of container \(id)", cause: error)
            }
        }
    }

    /// Unmounts the bundle's rootfs if it is mounted (detached, so a process still holding it
    /// cannot keep the unmount from happening).
    func unmountRootfs(_ id: String) {
        let target = rootfs(id)
        while HostPaths.isMountPoint(target) {
            do { try Mount.unmount(target, detach: true) } catch { break }
        }
    }

    /// Inspect's `Mounts`: the binds and tmpfs mounts of the spec that the user asked for
    /// (not Docker's standard /proc, /dev, …, nor the hostname/hosts/resolv.conf binds).
    static func mountPoints(_ mounts: [RuntimeSpec.Mount]) -> [ContainerMountPoint] {
        let standard: Set<String> = ["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
                                     "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/sbin/docker-init"]
        return mounts.filter { !standard.contains($0.destination) }.map { mount in
            let options = mount.options ?? []
            let isBind = mount.type == "bind" || options.contains("bind") || options.contains("rbind")
            let propagation = options.first { ["rprivate", "private", "rshared", "shared", "rslave", "slave"].contains($0) }
            return ContainerMountPoint(Type: isBind ? "bind" : (mount.type ?? ""), Source: isBind ? (mount.source ?? "") : "",
                                       Destination: mount.destination, Mode: "", RW: !options.contains("ro"),
                                       Propagation: isBind ? (propagation ?? "rprivate") : "")
        }
    }
}

/// Host filesystem helpers the container side needs.
enum HostPaths {
    /// Whether `path` is a mount point of this mount namespace: statx's mount-root attribute
    /// (one call, however many containers have mounts), else a scan of /proc/self/mountinfo.
    static func isMountPoint(_ path: String) -> Bool {
        switch swdock_is_mount_root(path) {
        case 1: return true
        case 0: return false
        case -1: return false  // gone (ENOENT) or unreachable: nothing to unmount there
        default:
            let escaped = Array(escapedForMountinfo(path).utf8)
            return mountPoints { $0.elementsEqual(escaped) }
        }
    }

    /// Removes a directory tree, unless something is still mounted in it (then it is left alone
    /// rather than deleting through the mount).
    static func removeTree(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        if isMountPointBelow(path) { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    static func isMountPointBelow(_ path: String) -> Bool {
        let escaped = Array(escapedForMountinfo(path).utf8)
        return mountPoints { point in
            point.starts(with: escaped) && (point.count == escaped.count || point[point.startIndex + escaped.count] == UInt8(ascii: "/"))
        }
    }

    /// Whether `matches` holds for the mount point field (the 5th) of a line of
    /// /proc/self/mountinfo. Scanned as bytes: with a few hundred mounts (two per running
    /// container) splitting the text into strings cost a millisecond per call.
    static func mountPoints(where matches: (ArraySlice<UInt8>) -> Bool) -> Bool {
        guard let text = try? FileSystem.read("/proc/self/mountinfo") else { return false }
        var lineStart = 0
        while lineStart < text.count {
            let lineEnd = text[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? text.count
            var field = 0, fieldStart = lineStart, i = lineStart
            while i <= lineEnd {
                if i == lineEnd || text[i] == UInt8(ascii: " ") {
                    if field == 4 {
                        if matches(text[fieldStart..<i]) { return true }
                        break
                    }
                    field += 1
                    fieldStart = i + 1
                }
                i += 1
            }
            lineStart = lineEnd + 1
        }
        return false
    }

    /// A path as mountinfo writes it: space, tab, newline and backslash as `\ooo`.
    static func escapedForMountinfo(_ path: String) -> String {
        var result = ""
        for scalar in path.unicodeScalars {
            switch scalar {
            case " ": result += "\\040"
            case "\t": result += "\\011"
            case "\n": result += "\\012"
            case "\\": result += "\\134"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
