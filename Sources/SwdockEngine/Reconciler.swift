import Foundation
import SwdockOS

/// The driver of the container side's reconcile loop: one thread that wakes when a restart is
/// due, when kicked, and for a periodic resync, and hands that work to one function (the
/// service's `reconcile`). It owns the in-memory part of the restart policies: the due times
/// and Docker's backoff per container.
///
/// Docker's backoff (restartmanager): the first restart waits 100 ms, each next one twice the
/// previous (capped at 1 minute); a run of 10 s or more resets it to 100 ms.
final class Reconciler: @unchecked Sendable {
    static let initialBackoffMilliseconds: Int64 = 100
    static let maximumBackoffMilliseconds: Int64 = 60_000
    static let resetAfterMilliseconds: Int64 = 10_000

    struct State {
        /// Container → monotonic millisecond at which its restart is due.
        var due: [String: Int64] = [:]
        /// Container → the delay of its last restart (0: none yet).
        var backoff: [String: Int64] = [:]
        var kicked = false
        var stopped = false
        /// The daemon is stopping: exits are recorded, never answered with a restart.
        var daemonStopping = false
        var running = false
    }
    private let condition = NSCondition()
    private var state = State()
    let resyncMilliseconds: Int64

    init(resyncMilliseconds: Int64 = 5_000) { self.resyncMilliseconds = resyncMilliseconds }

    private func locked<T>(_ body: (inout State) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(&state)
    }

    /// Docker's next delay for a container that ran `ranMilliseconds` before it exited.
    func nextBackoff(_ id: String, ranMilliseconds: Int64) -> Int64 {
        locked { state in
            var timeout = state.backoff[id] ?? 0
            if ranMilliseconds >= Self.resetAfterMilliseconds { timeout = 0 }
            if timeout == 0 {
                timeout = Self.initialBackoffMilliseconds
            } else if timeout < Self.maximumBackoffMilliseconds {
                timeout *= 2
            }
            timeout = min(timeout, Self.maximumBackoffMilliseconds)
            state.backoff[id] = timeout
            return timeout
        }
    }

    /// The restart of `id` is due in `milliseconds`.
    func schedule(_ id: String, afterMilliseconds milliseconds: Int64) {
        condition.lock()
        state.due[id] = MonotonicClock.milliseconds() + milliseconds
        condition.signal()
        condition.unlock()
    }

    func isScheduled(_ id: String) -> Bool { locked { $0.due[id] != nil } }

    /// Drops a pending restart of `id` (a user stop, remove, or start).
    func cancel(_ id: String) { _ = locked { $0.due.removeValue(forKey: id) } }

    /// A manual start or remove: the next restart begins again at 100 ms.
    func forget(_ id: String) {
        locked { state in
            state.due[id] = nil
            state.backoff[id] = nil
        }
    }

    /// Asks for a resync now.
    func kick() {
        condition.lock()
        state.kicked = true
        condition.signal()
        condition.unlock()
    }

    var isDaemonStopping: Bool { locked { $0.daemonStopping } }
    func setDaemonStopping() { locked { $0.daemonStopping = true } }

    /// Starts the loop thread: `body(due, resync)` runs on it, never concurrently with itself.
    func start(_ body: @escaping @Sendable (_ due: [String], _ resync: Bool) -> Void) {
        guard locked({ state -> Bool in
            if state.running || state.stopped { return false }
            state.running = true
            return true
        }) else { return }
        let thread = Thread { [self] in
            ThreadName.set("swdock-reconcile")
            var nextResync = MonotonicClock.milliseconds() + resyncMilliseconds
            while true {
                condition.lock()
                var due: [String] = []
                var resync = false
                while true {
                    if state.stopped { condition.unlock(); return }
                    let now = MonotonicClock.milliseconds()
                    due = state.due.filter { $0.value <= now }.map(\.key).sorted()
                    for id in due { state.due[id] = nil }
                    resync = state.kicked || now >= nextResync
                    if !due.isEmpty || resync { break }
                    let wake = min(nextResync, state.due.values.min() ?? Int64.max)
                    _ = condition.wait(until: Date().addingTimeInterval(Double(max(1, wake - now)) / 1000))
                }
                if resync {
                    state.kicked = false
                    nextResync = MonotonicClock.milliseconds() + resyncMilliseconds
                }
                condition.unlock()
                body(due, resync)
            }
        }
        thread.start()
    }

    /// Ends the loop (the daemon stops watching); pending restarts are dropped.
    func stop() {
        condition.lock()
        state.stopped = true
        condition.signal()
        condition.unlock()
    }
}
