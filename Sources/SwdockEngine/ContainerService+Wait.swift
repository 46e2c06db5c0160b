import Dispatch
import SwdockOS

/// `wait`'s conditions, as Docker names them.
public enum WaitCondition: String, Sendable {
    /// Satisfied at once when the container is not running, otherwise at its exit.
    case notRunning = "not-running"
    /// Satisfied at the next exit, even when the container is still `created`.
    case nextExit = "next-exit"
    /// Satisfied once the container's record is gone.
    case removed

    /// Docker's parsing: empty means not-running; anything unknown is a 400.
    public init(parsing text: String) throws(EngineError) {
        if text.isEmpty { self = .notRunning; return }
        guard let value = WaitCondition(rawValue: text) else {
            throw EngineError(.invalidArgument, "invalid condition: \"\(text)\"")
        }
        self = value
    }
}

/// The answer of a wait: the exit code, and an error text when the wait itself failed.
public struct ContainerWaitResult: Sendable, Equatable {
    public var statusCode: Int64
    public var error: String?
}

/// One registered wait. `result()` suspends until the condition holds; `cancel()` (the
/// client went away) unregisters it and makes `result()` return nil.
public final class ContainerWaiter: @unchecked Sendable {
    public let containerID: String
    public let condition: WaitCondition
    private let state = Locked<(result: ContainerWaitResult?, done: Bool, continuation: CheckedContinuation<ContainerWaitResult?, Never>?)>((nil, false, nil))
    private let semaphore = DispatchSemaphore(value: 0)
    let onCancel: @Sendable (ContainerWaiter) -> Void

    init(containerID: String, condition: WaitCondition, onCancel: @escaping @Sendable (ContainerWaiter) -> Void) {
        self.containerID = containerID
        self.condition = condition
        self.onCancel = onCancel
    }

    /// Satisfies the wait (once; later calls do nothing).
    func fire(_ result: ContainerWaitResult?) {
        let continuation = state.withLock { value -> CheckedContinuation<ContainerWaitResult?, Never>?? in
            guard !value.done else { return nil }
            value.done = true
            value.result = result
            defer { value.continuation = nil }
            return .some(value.continuation)
        }
        guard let continuation else { return }
        semaphore.signal()
        continuation?.resume(returning: result)
    }

    /// The result once the condition holds; nil when cancelled.
    public func result() async -> ContainerWaitResult? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { value -> ContainerWaitResult?? in
                if value.done { return .some(value.result) }
                value.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Blocks up to `seconds` (nil: forever); nil on timeout or cancel.
    func wait(seconds: Double?) -> ContainerWaitResult? {
        if let seconds {
            guard semaphore.wait(timeout: .now() + seconds) == .success else { return nil }
        } else {
            semaphore.wait()
        }
        semaphore.signal()
        return state.withLock { $0.result }
    }

    /// The client is gone: unregister and end `result()` with nil.
    public func cancel() {
        onCancel(self)
        fire(nil)
    }
}

extension ContainerService {
    /// Registers a wait on container `ref` (resolved now: an unknown container is a 404 before
    /// any response is sent). `not-running` on a container that is not running is satisfied at once.
    public func wait(_ ref: String, condition: WaitCondition) throws -> ContainerWaiter {
        let container = try resolve(ref)
        let waiter = register(container.id, condition)
        if condition == .notRunning {
            let current = try reload(container.id)
            if let current, ![.running, .restarting, .paused].contains(current.state.Status) {
                waiter.fire(ContainerWaitResult(statusCode: Int64(current.state.ExitCode), error: nil))
                unregister(waiter)
            }
        }
        return waiter
    }

    func register(_ id: String, _ condition: WaitCondition) -> ContainerWaiter {
        let waiter = ContainerWaiter(containerID: id, condition: condition) { [weak self] waiter in self?.unregister(waiter) }
        live.withLock { $0.waiters[id, default: []].append(waiter) }
        return waiter
    }

    func unregister(_ waiter: ContainerWaiter) {
        live.withLock { state in
            state.waiters[waiter.containerID]?.removeAll { $0 === waiter }
            if state.waiters[waiter.containerID]?.isEmpty == true { state.waiters[waiter.containerID] = nil }
        }
    }

    /// Fires the waiters of `id` whose condition `event` satisfies.
    func notifyWaiters(_ id: String, exited: Bool, removed: Bool, exitCode: Int32) {
        let fired = live.withLock { state -> [ContainerWaiter] in
            let all = state.waiters[id] ?? []
            let matching = all.filter { waiter in
                switch waiter.condition {
                case .notRunning, .nextExit: return exited || removed
                case .removed: return removed
                }
            }
            state.waiters[id] = all.filter { waiter in !matching.contains { $0 === waiter } }
            if state.waiters[id]?.isEmpty == true { state.waiters[id] = nil }
            return matching
        }
        for waiter in fired { waiter.fire(ContainerWaitResult(statusCode: Int64(exitCode), error: nil)) }
    }
}
