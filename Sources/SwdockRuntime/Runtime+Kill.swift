#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

extension Runtime {
    /// `kill [--all] ID SIGNAL`.
    public func kill(_ id: String, signal: Int32, all: Bool) throws(RuntimeError) {
        let record = try store.load(id)
        let current = status(of: record)
        guard current != .stopped else { throw RuntimeError(.invalidState, "container not running") }
        if all {
            try signalAll(record, signal)
        } else {
            try signalInit(record, signal)
        }
    }

    /// Every process of the container's cgroup; a frozen cgroup is thawed after a SIGKILL so
    /// the processes can die.
    func signalAll(_ record: ContainerRecord, _ signal: Int32) throws(RuntimeError) {
        let manager = try cgroup(of: record)
        let pids: [Int32]
        do { pids = try manager.processes() } catch { throw Runtime.wrap("list the processes of \(record.id)", error) }
        let frozen = (try? manager.isFrozen()) == true
        if frozen && signal == SIGKILL { try? manager.freeze() }
        for pid in pids { Glibc.kill(pid, signal) }
        if frozen && signal == SIGKILL { try? manager.thaw() }
        if pids.isEmpty { try signalInit(record, signal) }
    }
}
