#if canImport(Glibc)
import Glibc
#endif
import SwdockCgroups
import SwdockOS

extension Runtime {
    /// `delete [--force] ID`: a stopped (or never started) container is removed; a running one
    /// only with `force`, after SIGKILL.
    public func delete(_ id: String, force: Bool) throws(RuntimeError) {
        let record: ContainerRecord
        do { record = try store.load(id) } catch {
            if error.code == .notFound && force {
                // runc: deleting a missing container with --force is not an error; a half-made
                // state directory (a create that died) is removed too.
                try? HostFiles.removeTree(store.directory(of: id))
                return
            }
            throw error
        }
        try delete(record, force: force)
    }

    /// `delete` of a record already in hand (`run` keeps the one it created and its cgroup:
    /// no state read, no cgroup lookup).
    func delete(_ record: ContainerRecord, force: Bool, cgroup known: (any CgroupManager)? = nil) throws(RuntimeError) {
        let id = record.id
        let current = status(of: record)
        switch current {
        case .stopped:
            break
        case .created:
            try killAndWait(record)
        case .running, .paused, .creating:
            guard force else {
                throw RuntimeError(.invalidState, "cannot delete container \(id) that is not stopped: \(current.rawValue)")
            }
            try killAndWait(record)
        }
        try destroy(record, cgroup: known)
    }

    func killAndWait(_ record: ContainerRecord) throws(RuntimeError) {
        let sharedPidNamespace = !(record.config.linux?.namespaces ?? []).contains { $0.type == "pid" && ($0.path ?? "").isEmpty }
        if sharedPidNamespace {
            // Without its own pid ns the init's death does not take the others with it.
            try? signalAll(record, SIGKILL)
        } else {
            if (try? cgroup(of: record).isFrozen()) == true { try? cgroup(of: record).thaw() }
            try? signalInit(record, SIGKILL)
        }
        guard Runtime.waitGone(record.initPid, startTime: record.initStartTime) else {
            throw RuntimeError(.system, "container \(record.id): init \(record.initPid) did not die after SIGKILL")
        }
    }

    /// Removes the cgroup and the state, then runs poststop hooks.
    func destroy(_ record: ContainerRecord, cgroup known: (any CgroupManager)? = nil) throws(RuntimeError) {
        let manager: any CgroupManager
        if let known { manager = known } else { manager = try cgroup(of: record) }
        do { try manager.destroy() } catch { throw Runtime.wrap("remove the cgroup of \(record.id)", error) }
        do { try HostFiles.removeTree(store.directory(of: record.id)) } catch {
            throw RuntimeError.system("remove the state of \(record.id)", error)
        }
        runWarningHooks(record.config.hooks?.poststop, phase: .poststop, record: record, status: .stopped)
    }
}
