#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockCgroups
import SwdockOS
import SwdockShimCore
import SwdockSnapshot

extension ContainerService {
    /// `POST /containers/{id}/start`. Returns false when the container already runs (Docker's
    /// 304). A failed start records the container as exited with Docker's exit code for the
    /// failure (127 not found, 126 not executable, 128 otherwise), removes it when AutoRemove
    /// is set, and throws the runtime's message as a 400.
    public func start(_ ref: String) async throws -> Bool {
        try await offload { try self.startBlocking(ref) }
    }

    func startBlocking(_ ref: String) throws -> Bool {
        let id = try resolve(ref).id
        var failure: (error: EngineError, code: Int32, removed: Bool)?
        let started = try withContainerLock(id) { () throws -> Bool in
            guard let current = try reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
            if try ContainerTransition.checkStart(current.state.Status, id: id) == .alreadyRunning { return false }
            let container = try prepareManualStart(current)
            do {
                try launch(container)
            } catch {
                let engineError = error as? EngineError ?? EngineError(.system, "start container \(id)", cause: DescribedError(error))
                let code = Self.startFailureCode(engineError.description)
                let state = container.state.exited(code: code, at: Timestamp.now().rfc3339Nano, oomKilled: false,
                                                   error: engineError.message)
                try? saveState(id, state)
                finishPendingAttaches(id)
                var removed = false
                if container.document.HostConfig.autoRemove {
                    removed = (try? removeLocked(id)) != nil
                }
                failure = (engineError, code, removed)
            }
            return true
        }
        if let failure {
            notifyWaiters(id, exited: true, removed: failure.removed, exitCode: failure.code)
            throw failure.error
        }
        return started
    }

    /// Docker's exit codes for a start that failed (daemon/start.go): the CLI reads them too.
    static func startFailureCode(_ message: String) -> Int32 {
        if message.contains("executable file not found") || message.contains("no such file or directory") { return 127 }
        if message.contains("permission denied") || message.contains("is a directory") { return 126 }
        return 128
    }

    /// Mounts the rootfs, starts the shim (runtime create), connects pending attaches, starts
    /// the process and records it running; undoes what it did when a step fails.
    func launch(_ container: Loaded) throws {
        // The runtime's cgroup join waits a whole RCU grace period unless one has just begun
        // (see CgroupMigrationWarmup): begin it now, so it passes while the rootfs is mounted and
        // the shim and the runtime start. The runtime starts one of its own as well.
        let warmup = CgroupMigrationWarmup.start()
        defer { warmup?.finish() }
        let id = container.id
        let document = container.document
        let runDirectory = layout.containerRunDirectory(id)
        // What a previous run left: its exit record and pid files belong to that run.
        for file in [ShimProtocol.StateFile.exit, ShimProtocol.StateFile.initPID, ShimProtocol.StateFile.shimPID,
                     ShimProtocol.StateFile.socket] {
            try? FileSystem.remove(runDirectory + "/" + file)
        }
        var mounts: [Mount]
        do { mounts = try snapshotter.mounts(id) } catch {
            throw EngineError(.system, "find the snapshot of container \(id)", cause: error)
        }
        if document.HostConfig.autoRemove == true {
            // Its upper layer is removed with it: no sync of the host filesystem for it.
            mounts = mounts.map { $0.discardingUpper() }
            for mount in mounts { mount.clearVolatileMarker() }
        }
        try Self.makeDirectory(rootfs(id), mode: 0o711)
        // A copy out of or into the container may have the snapshot mounted (privately): as
        // Docker's container lock does, start waits for it.
        archiveUsers.waitUntilIdle(id)
        unmountRootfs(id)
        try mountRootfs(id, mounts)
        var shimStarted = false
        do {
            if !document.Config.workingDir.isEmpty { try makeWorkingDirectory(id, document.Config.workingDir) }
            if !FileSystem.exists(bundle(id) + "/config.json") { try rebuildSpec(container) }
            guard let runtime = options.runtimes[document.Runtime] else {
                throw EngineError(.invalidArgument, "Unknown runtime specified \(document.Runtime)")
            }
            var shim = ShimOptions()
            shim.id = id
            shim.bundle = bundle(id)
            shim.runtime = runtime.path
            shim.runtimeArguments = runtime.arguments
            shim.runtimeRoot = layout.runtimeRoot(document.Runtime)
            shim.stateDirectory = runDirectory
            shim.logPath = document.LogPath
            shim.logMaxSize = document.LogMaxSize
            shim.logMaxFiles = document.LogMaxFiles
            shim.stdin = document.Config.openStdin
            shim.tty = document.Config.tty
            let size = document.HostConfig.consoleSize
            if shim.tty, size.count == 2, size[0] > 0, size[1] > 0, let rows = UInt16(exactly: size[0]),
               let columns = UInt16(exactly: size[1]) {
                shim.consoleSize = (rows, columns)
            }
            if let root = shim.runtimeRoot { try Self.makeDirectory(root, mode: 0o700) }
            try connectNetwork(container)
            let ready: ShimLauncher.Ready
            do { ready = try ShimLauncher.start(executable: options.shimExecutable, options: shim) } catch {
                throw EngineError(.invalidArgument, "failed to create task for container \(id): \(error.message)", cause: error)
            }
            shimStarted = true
            // Attaches that came before start get every byte: they subscribe before the process runs.
            connectPendingAttaches(id, socket: ready.socketPath)
            let session: ShimSession
            let answer: ShimMessage
            do {
                session = try ShimSession(socketPath: ready.socketPath)
                answer = try session.request("start")
            } catch {
                throw EngineError(.invalidArgument, "failed to start container \(id): \(error.message)", cause: error)
            }
            let pid = Int32(answer["pid"] ?? "") ?? ready.initPID
            let startedAt = answer["started-at"] ?? Timestamp.now().rfc3339Nano
            let state = container.state.started(pid: pid, at: startedAt)
            try saveState(id, state)
            monitor(id, session: session)
            emit("start", container)
        } catch {
            if shimStarted, let session = try? ShimSession(socketPath: shimSocket(id)) {
                _ = try? session.request("delete", [("force", "true")])
            }
            disconnectNetwork(id)
            unmountRootfs(id)
            throw error
        }
    }

    /// Writes the bundle's config.json again (the exec root is on tmpfs: after a reboot a
    /// created or exited container has none). The rootfs must be mounted.
    func rebuildSpec(_ container: Loaded) throws(EngineError) {
        let id = container.id
        let image = try images.resolveImage(container.record.image)
        let config = container.document.Config
        let context = ContainerSpecContext(id: id, image: image.config.config, rootfs: rootfs(id),
                                           rootfsFiles: RootfsFiles(rootfs: rootfs(id)),
                                           containerDirectory: layout.containerDirectory(id),
                                           networkNamespacePath: networkNamespacePath(id, hostConfig: container.document.HostConfig))
        var plan = try builder.build(config: config, hostConfig: try volumeHostConfigForRebuild(container.document), context: context)
        addRecordedVolumes(&plan, container.document)
        try writeBundle(id, spec: plan.spec)
    }

    // MARK: exit monitoring

    /// Watches a running container: a thread blocks on the shim's `wait` answer (or the socket
    /// closing) and then handles the exit. The session is kept so `shutdown` can cancel it.
    func monitor(_ id: String, session: ShimSession) {
        live.withLock { $0.monitors[id] = session }
        let thread = Thread { [self] in
            ThreadName.set("swdock-monitor")
            var reported: ShimMessage?
            do { reported = try session.request("wait") } catch {}
            if session.isCancelled || isShutDown { return }
            // Still registered while the exit is handled, so the reconcile loop's resync never
            // takes this container for an unwatched one; a restart may already have replaced it.
            handleExit(id, reported: reported)
            live.withLock { state in
                if state.monitors[id] === session { state.monitors[id] = nil }
            }
        }
        thread.start()
    }

    /// Records an exit: the shim's answer, else the exit record it wrote, else (shim gone
    /// without a record) code 255 with an error. Then runtime delete through the shim (beside the
    /// network disconnect and the unmount), one transaction, AutoRemove, and the waiters.
    func handleExit(_ id: String, reported: ShimMessage?) {
        let runDirectory = layout.containerRunDirectory(id)
        var code: Int32 = 255
        var time = Timestamp.now().rfc3339Nano
        var oom = false
        var error = ""
        if let reported, let value = reported["exit-code"].flatMap({ Int32($0) }) {
            code = value
            time = reported["exit-time"] ?? time
            oom = reported["oom-killed"] == "true"
        } else if let record = try? ExitRecord.read(stateDirectory: runDirectory) {
            code = record.exitCode
            time = record.time.rfc3339Nano
            oom = record.oomKilled
        } else {
            error = "the shim of container \(id) is gone and recorded no exit"
        }
        let shimGone = !error.isEmpty
        var removed = false
        let handled: Bool = withContainerLock(id) {
            // A restarting container has no shim: its exit was handled already.
            guard let container = try? reload(id), [.running, .paused].contains(container.state.Status) else {
                return false
            }
            // The runtime's delete (a process of its own, ~5 ms) runs while the network and the
            // rootfs are released here; it is waited for before the exit is recorded, so nothing
            // restarts or removes the container while the runtime still has it.
            let runtimeDeleted = DispatchGroup()
            if let session = try? ShimSession(socketPath: shimSocket(id)) {
                runtimeDeleted.enter()
                DispatchQueue.global().async {
                    _ = try? session.request("delete", [("force", "true")])
                    runtimeDeleted.leave()
                }
            }
            // Without its shim nothing reaps or logs the container: end it rather than leave an orphan.
            if shimGone { forceDeleteInRuntime(id, runtime: container.document.Runtime) }
            disconnectNetwork(id)
            // A copy out of or into the container uses its rootfs mount: it ends first (new ones
            // wait for the container lock held here).
            archiveUsers.waitUntilIdle(id)
            unmountRootfs(id)
            try? FileSystem.remove(runDirectory + "/" + ShimProtocol.StateFile.exit)
            let exited = container.state.exited(code: code, at: time, oomKilled: oom, error: error)
            if oom { emit("oom", container) }
            runtimeDeleted.wait()
            if let delay = restartDelay(after: container, exitCode: code, finishedAt: time) {
                try? recordRestarting(container, exited: exited, delay: delay)
                emit("die", container, extra: ["exitCode": String(code)])
                return true
            }
            try? saveState(id, exited)
            emit("die", container, extra: ["exitCode": String(code)])
            if container.document.HostConfig.autoRemove {
                removed = (try? removeLocked(id)) != nil
            }
            return true
        }
        if handled { notifyWaiters(id, exited: true, removed: removed, exitCode: code) }
    }

    /// At service start: reconnect to the shims of running containers; record exits that
    /// happened meanwhile; finish removals a crash interrupted.
    func recover() {
        guard let records = try? storeRead("list containers", { try $0.allContainers() }) else { return }
        for record in records {
            guard let container = try? load(record) else { continue }
            switch container.state.Status {
            case .running, .restarting, .paused:
                if let session = try? ShimSession(socketPath: shimSocket(record.id)),
                   let state = try? session.request("state") {
                    if state["status"] == "stopped" {
                        handleExit(record.id, reported: state)
                    } else {
                        monitor(record.id, session: session)
                    }
                } else {
                    handleExit(record.id, reported: nil)
                }
            case .removing:
                _ = withContainerLock(record.id) { try? removeLocked(record.id) }
            default:
                break
            }
        }
    }
}
