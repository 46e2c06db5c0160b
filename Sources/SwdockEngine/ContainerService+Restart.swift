import Foundation
import SwdockOS
import SwdockShimCore

/// Restart policies and the reconcile loop.
///
/// Desired state: a container should run when the user started it and did not stop it
/// since (`ManuallyStopped` in its document), or — after an exit — when its restart policy
/// says so. Observed state: the store's `State`, the monitors (one per running container's
/// shim) and the shims themselves. One function, `reconcile`, moves observed towards desired:
/// it starts containers whose restart is due, and at each periodic resync it finds running
/// containers whose shim is gone without a monitor noticing (recording their exit, which may
/// schedule a restart), `restarting` containers without a pending restart (a daemon that died
/// while one waited), and — at the first pass after the service starts — the containers Docker
/// starts at daemon start (`always`; `unless-stopped` not stopped by the user).
extension ContainerService {
    /// Docker's restart decision at an exit (restartmanager.ShouldRestart): nil, or the delay
    /// before the restart. `always` and `unless-stopped` restart unless the user stopped the
    /// container; `on-failure[:N]` when the code is not 0 and fewer than N restarts happened.
    func restartDelay(after container: Loaded, exitCode: Int32, finishedAt: String) -> Int64? {
        let policy = container.document.HostConfig.restartPolicy
        if reconciler.isDaemonStopping || container.document.ManuallyStopped == true { return nil }
        let restart: Bool
        switch policy.name {
        case "always", "unless-stopped":
            restart = true
        case "on-failure":
            let maximum = policy.maximumRetryCount
            restart = exitCode != 0 && (maximum == 0 || container.document.RestartCount < maximum)
        default:
            restart = false
        }
        guard restart else { return nil }
        var ran: Int64 = 0
        if let started = Timestamp(rfc3339Nano: container.state.StartedAt), let finished = Timestamp(rfc3339Nano: finishedAt) {
            ran = (finished.seconds - started.seconds) * 1000 + Int64(finished.nanoseconds - started.nanoseconds) / 1_000_000
        }
        return reconciler.nextBackoff(container.id, ranMilliseconds: ran)
    }

    /// Records an exit that the policy answers with a restart: `restarting` (Docker's
    /// SetRestarting: Running and Restarting true, no pid, the exit code), RestartCount + 1,
    /// and the restart due after `delay`. The caller holds the container's lock.
    func recordRestarting(_ container: Loaded, exited: ContainerState, delay: Int64) throws(EngineError) {
        var state = exited
        state.Status = .restarting
        state.Running = true
        state.Restarting = true
        var document = container.document
        document.RestartCount += 1
        try saveDocument(container.id, state: state, document: document)
        reconciler.schedule(container.id, afterMilliseconds: delay)
    }

    /// A manual start: the user wants it running again, counting restarts from 0 (Docker's
    /// ResetRestartManager). The caller holds the lock; returns the container as recorded.
    func prepareManualStart(_ container: Loaded) throws(EngineError) -> Loaded {
        reconciler.forget(container.id)
        guard container.document.ManuallyStopped != nil || container.document.RestartCount != 0 else { return container }
        var next = container
        next.document.ManuallyStopped = nil
        next.document.RestartCount = 0
        try saveDocument(container.id, state: container.state, document: next.document)
        return next
    }

    /// A user stop, kill or forced remove: no restart policy applies to the exit that follows,
    /// and a pending restart is dropped. A `restarting` container (nothing runs) becomes
    /// `exited` at once; then true is returned. The caller holds the lock.
    func stopByUserLocked(_ container: Loaded) throws(EngineError) -> Bool {
        guard [.running, .restarting].contains(container.state.Status) else { return false }
        reconciler.cancel(container.id)
        var document = container.document
        document.ManuallyStopped = true
        guard container.state.Status == .restarting else {
            try saveDocument(container.id, state: container.state, document: document)
            return false
        }
        var state = container.state
        state.Status = .exited
        state.Running = false
        state.Restarting = false
        try saveDocument(container.id, state: state, document: document)
        return true
    }

    /// `stopByUserLocked` under the container's lock; fires the waiters when it ended a
    /// `restarting` container.
    func stopByUser(_ id: String) throws -> Bool {
        var code: Int32 = 0
        let ended = try withContainerLock(id) { () throws -> Bool in
            guard let container = try reload(id) else { return false }
            code = container.state.ExitCode
            return try stopByUserLocked(container)
        }
        if ended { notifyWaiters(id, exited: true, removed: false, exitCode: code) }
        return ended
    }

    // MARK: the loop

    /// Starts the loop; the first pass is the daemon-start pass.
    func startReconciler() {
        let first = Locked(true)
        reconciler.start { [weak self] due, resync in
            guard let self else { return }
            let atDaemonStart = first.withLock { value -> Bool in
                defer { value = false }
                return value
            }
            self.reconcile(due: due, resync: resync || atDaemonStart, atDaemonStart: atDaemonStart)
        }
        reconciler.kick()
    }

    /// One pass: the restarts that are due, then (at a resync) observed vs desired for every container.
    func reconcile(due: [String], resync: Bool, atDaemonStart: Bool) {
        for id in due { restartByPolicy(id) }
        guard resync, !isShutDown, let records = try? storeRead("list containers", { try $0.allContainers() }) else { return }
        for record in records {
            guard let container = try? load(record) else { continue }
            let id = record.id
            switch container.state.Status {
            case .running, .paused:
                let watched = live.withLock { $0.monitors[id] != nil }
                if watched { continue }
                // A running container nobody watches: its monitor is gone (or never came).
                let unwatched = withContainerLock(id) { () -> Bool in
                    guard let now = try? reload(id), [.running, .paused].contains(now.state.Status) else { return false }
                    return live.withLock { $0.monitors[id] == nil }
                }
                guard unwatched else { continue }
                if let session = try? ShimSession(socketPath: shimSocket(id)), let state = try? session.request("state") {
                    if state["status"] == "stopped" { handleExit(id, reported: state) } else { monitor(id, session: session) }
                } else {
                    handleExit(id, reported: nil)
                }
            case .restarting:
                if !reconciler.isScheduled(id) && !due.contains(id) {
                    let delay = reconciler.nextBackoff(id, ranMilliseconds: 0)
                    reconciler.schedule(id, afterMilliseconds: delay)
                }
            case .exited where atDaemonStart:
                let policy = container.document.HostConfig.restartPolicy.name
                let stoppedByUser = container.document.ManuallyStopped == true
                guard container.state.StartedAt != ContainerState.zeroTime,
                      policy == "always" || (policy == "unless-stopped" && !stoppedByUser) else { continue }
                _ = try? startBlocking(id)
            default:
                break
            }
        }
    }

    /// A due restart: start again unless the user stopped or removed it meanwhile. A start
    /// that fails ends the restarts (exited with the start's error and code), as in Docker.
    func restartByPolicy(_ id: String) {
        var failedCode: Int32?
        withContainerLock(id) {
            guard let container = try? reload(id), container.state.Status == .restarting,
                  container.document.ManuallyStopped != true, !reconciler.isDaemonStopping else { return }
            do {
                try launch(container)
            } catch {
                let engineError = error as? EngineError ?? EngineError(.system, "restart container \(id)", cause: DescribedError(error))
                let code = Self.startFailureCode(engineError.description)
                try? saveState(id, container.state.exited(code: code, at: Timestamp.now().rfc3339Nano, oomKilled: false,
                                                          error: engineError.message))
                failedCode = code
            }
        }
        if let failedCode { notifyWaiters(id, exited: true, removed: false, exitCode: failedCode) }
    }

    // MARK: daemon stop, update

    /// A clean daemon stop with `live-restore: false` (Docker's behaviour): every running
    /// container is stopped (its stop signal, then KILL after its timeout) and no restart
    /// policy answers those exits; at the next daemon start `always` and `unless-stopped`
    /// containers come back, since the user did not stop them.
    public func stopAllForDaemonShutdown() async {
        reconciler.setDaemonStopping()
        guard let records = try? storeRead("list containers", { try $0.allContainers() }) else { return }
        await withTaskGroup(of: Void.self) { group in
            for record in records {
                guard let container = try? load(record), [.running, .restarting].contains(container.state.Status) else { continue }
                group.addTask {
                    _ = try? await self.offload { try self.stopForDaemonShutdown(record.id) }
                }
            }
        }
    }

    /// Stops without marking the stop as the user's.
    func stopForDaemonShutdown(_ id: String) throws {
        let waiter = register(id, .nextExit)
        defer { unregister(waiter) }
        guard let container = try reload(id) else { return }
        if container.state.Status == .restarting {
            withContainerLock(id) {
                var state = container.state
                state.Status = .exited
                state.Running = false
                state.Restarting = false
                try? saveState(id, state)
            }
            return
        }
        let signal = (try? SignalName.parse(container.document.Config.stopSignal.isEmpty ? "TERM" : container.document.Config.stopSignal)) ?? SIGTERM
        let seconds = container.document.Config.stopTimeout ?? options.defaultStopTimeout
        if try !signalIfRunning(id, signal) { return }
        if waiter.wait(seconds: seconds < 0 ? nil : Double(seconds)) != nil { return }
        _ = try signalIfRunning(id, SIGKILL)
        _ = waiter.wait(seconds: 30)
    }

    /// `POST /containers/{id}/update` of the restart policy only (see `update`).
    public func updateRestartPolicy(_ ref: String, _ policy: HostConfiguration.RestartPolicy) async throws {
        var change = ContainerUpdate()
        change.restartPolicy = policy
        try await update(ref, change)
    }
}
