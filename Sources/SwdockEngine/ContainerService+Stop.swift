import Foundation
import SwdockOS
import SwdockShimCore
import SwdockSnapshot

extension ContainerService {
    /// `POST /containers/{id}/kill?signal=`: the signal (name or number; default KILL) to the
    /// container's init through its shim. 409 "Container X is not running" when it is not.
    public func kill(_ ref: String, signal: String) async throws {
        try await offload { try self.killBlocking(ref, signal: signal) }
    }

    func killBlocking(_ ref: String, signal: String) throws {
        let id = try resolve(ref).id
        let number = try SignalName.parse(signal.isEmpty ? "KILL" : signal)
        try withContainerLock(id) {
            guard let container = try reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
            try ContainerTransition.checkSignal(container.state.Status, id: id)
            // A restarting container has no process: the kill only ends its restarts.
            if try stopByUserLocked(container) { return }
            try signalContainer(id, number)
        }
    }

    func signalContainer(_ id: String, _ number: Int32) throws(EngineError) {
        do {
            let session = try ShimSession(socketPath: shimSocket(id))
            try session.request("kill", [("signal", String(number))])
            emit("kill", id: id, extra: ["signal": String(number)])
        } catch {
            if error.code == .notRunning { throw EngineError(.conflict, "Container \(id) is not running") }
            throw EngineError(.system, "Cannot kill container: \(id): \(error.message)", cause: error)
        }
    }

    /// Sends `number`; false when the process had already exited (not an error for stop and rm).
    func signalIfRunning(_ id: String, _ number: Int32) throws(EngineError) -> Bool {
        do {
            try signalContainer(id, number)
            return true
        } catch {
            if error.code == .conflict { return false }
            throw error
        }
    }

    /// `POST /containers/{id}/stop?t=`: the stop signal (StopSignal, else TERM), then KILL after
    /// `timeout` seconds (the request's, else StopTimeout, else the daemon's default; negative
    /// waits for ever). Returns false when the container was not running (Docker's 304).
    public func stop(_ ref: String, timeout: Int?) async throws -> Bool {
        try await offload {
            let before = try self.resolve(ref)
            let stopped = try self.stopBlocking(ref, timeout: timeout)
            if stopped { self.emit("stop", before) }
            return stopped
        }
    }

    func stopBlocking(_ ref: String, timeout: Int?) throws -> Bool {
        let id = try resolve(ref).id
        // The user's stop: no restart policy applies; a restarting container is simply ended.
        if try stopByUser(id) { return true }
        let waiter = register(id, .nextExit)
        defer { unregister(waiter) }
        let document: ContainerDocument? = try withContainerLock(id) {
            guard let container = try reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
            guard [.running, .restarting].contains(container.state.Status) else {
                if container.state.Status == .paused {
                    throw EngineError(.conflict, "Container \(id) is paused. Unpause the container before stopping or killing")
                }
                return nil
            }
            return container.document
        }
        guard let document else { return false }
        let stopSignal = try SignalName.parse(document.Config.stopSignal.isEmpty ? "TERM" : document.Config.stopSignal)
        let seconds = timeout ?? document.Config.stopTimeout ?? options.defaultStopTimeout
        if seconds != 0 {
            if try !signalIfRunning(id, stopSignal) { return true }
            if waiter.wait(seconds: seconds < 0 ? nil : Double(seconds)) != nil { return true }
        }
        if try !signalIfRunning(id, SIGKILL) { return true }
        guard waiter.wait(seconds: 30) != nil else {
            throw EngineError(.system, "container \(id) did not exit within 30 seconds of SIGKILL")
        }
        return true
    }

    /// `POST /containers/{id}/restart?t=`: stop (if running), then start.
    public func restart(_ ref: String, timeout: Int?) async throws {
        try await offload {
            let before = try self.resolve(ref)
            if try self.stopBlocking(ref, timeout: timeout) { self.emit("stop", before) }
            // AutoRemove may have removed it at the stop: then it is gone, as with Docker.
            _ = try self.startBlocking(ref)
            self.emit("restart", before)
        }
    }

    /// `DELETE /containers/{id}?force=&v=`: a running container needs `force` (it is killed
    /// first). Removes the record, the snapshot, the container's directories (log, hosts…) and
    /// its run directory; `removed` waiters fire. Anonymous volumes do not exist yet, so `v`
    /// has nothing to remove.
    public func remove(_ ref: String, force: Bool, volumes: Bool) async throws {
        try await offload {
            let before = try self.resolve(ref)
            try self.removeBlocking(ref, force: force)
            if volumes { self.removeAnonymousVolumes(before.document) }
        }
    }

    func removeBlocking(_ ref: String, force: Bool) throws {
        let id = try resolve(ref).id
        let waiter = register(id, .nextExit)
        defer { unregister(waiter) }
        let running: Bool = try withContainerLock(id) {
            guard let container = try reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
            try ContainerTransition.checkRemove(container.state.Status, id: id, force: force)
            if try stopByUserLocked(container) { return false }
            return [.running, .restarting, .paused].contains(container.state.Status)
        }
        if running {
            _ = try signalIfRunning(id, SIGKILL)
            guard waiter.wait(seconds: 30) != nil else {
                throw EngineError(.system, "Could not kill running container \(id), cannot remove: it did not exit within 30 seconds")
            }
        }
        var exitCode: Int32 = 0
        let removedNow: Bool = try withContainerLock(id) {
            // AutoRemove may have removed it when it exited.
            guard let container = try reload(id) else { return false }
            try ContainerTransition.checkRemove(container.state.Status, id: id, force: false)
            exitCode = container.state.ExitCode
            try saveState(id, container.state.with(status: .removing))
            try removeLocked(id)
            return true
        }
        if removedNow { notifyWaiters(id, exited: false, removed: true, exitCode: exitCode) }
    }

    /// Removes everything of a stopped container; the caller holds its lock and fires waiters.
    /// A failed removal leaves the container `dead` (removable again), as Docker does.
    func removeLocked(_ id: String) throws(EngineError) {
        let before = try? reload(id)
        do {
            try removeEverything(id)
            reconciler.forget(id)
            if let before {
                emit("destroy", before)
                // --rm takes the anonymous volumes along, as Docker.
                if before.document.HostConfig.autoRemove { removeAnonymousVolumes(before.document) }
            }
        } catch {
            if let container = try? reload(id) { try? saveState(id, container.state.with(status: .dead)) }
            throw error
        }
    }

    private func removeEverything(_ id: String) throws(EngineError) {
        finishPendingAttaches(id)
        if let container = try? reload(id) { forceDeleteInRuntime(id, runtime: container.document.Runtime) }
        forgetNetwork(id)
        archiveUsers.waitUntilIdle(id)  // a copy under way keeps the snapshot until it ends
        unmountRootfs(id)
        do { try snapshotter.remove(id) } catch {
            if case .notFound = error.code {} else { throw EngineError(.system, "remove the snapshot of container \(id)", cause: error) }
        }
        HostPaths.removeTree(layout.containerRunDirectory(id))
        HostPaths.removeTree(layout.containerDirectory(id))
        _ = try storeWrite("remove container \(id)") { try $0.deleteContainer(id: id) }
        documents.withLock { $0[id] = nil }
        execs.remove(containerID: id)
        live.withLock { state in
            state.locks[id] = nil
            state.monitors[id] = nil
        }
    }
}

extension ContainerService {
    /// `runtime delete --force` when the runtime still has state for the container: a
    /// container whose shim died (SIGKILL) or a create that failed half-way would otherwise
    /// leave its process, cgroup or runtime state behind. Normally the shim has deleted it.
    func forceDeleteInRuntime(_ id: String, runtime name: String) {
        let root = layout.runtimeRoot(name)
        guard let runtime = options.runtimes[name], FileSystem.exists(root + "/" + id) else { return }
        let arguments = ["runtime"] + runtime.arguments + ["--root", root, "delete", "--force", id]
        guard let pid = try? ChildProcess.spawn(runtime.path, arguments: arguments, environment: ChildProcess.currentEnvironment(),
                                                stdio: [nil, nil, nil]) else { return }
        _ = try? ChildProcess.wait(pid)
    }
}
