import SwdockOCI

/// Makes concurrent fetches of one digest in this process share a single download: the first
/// caller runs the fetch, later callers wait for its outcome instead of downloading again.
/// (Across processes the ingest `flock` does the same job.)
///
/// The shared fetch is cancelled only when every caller waiting for it was cancelled.
public actor BlobFetchCoordinator {
    private struct Running {
        let task: Task<Void, any Error>
        var waiters: Int
    }
    private var inFlight: [Digest: Running] = [:]

    public init() {}

    /// How a call to `fetch` was satisfied.
    public enum Outcome: Sendable {
        /// This call ran `body`.
        case fetched
        /// Another caller's fetch was already running; this call waited for it.
        case joined
    }

    /// Runs `body` unless a fetch of `digest` is in flight, in which case it waits for that one
    /// and rethrows its error.
    public func fetch(_ digest: Digest, _ body: @escaping @Sendable () async throws -> Void) async throws -> Outcome {
        let outcome: Outcome
        let task: Task<Void, any Error>
        if var running = inFlight[digest] {
            running.waiters += 1
            inFlight[digest] = running
            task = running.task
            outcome = .joined
        } else {
            task = Task { try await body() }
            inFlight[digest] = Running(task: task, waiters: 1)
            outcome = .fetched
        }
        defer { finished(digest, task) }
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.waiterCancelled(digest, task) }
        }
        return outcome
    }

    private func finished(_ digest: Digest, _ task: Task<Void, any Error>) {
        guard var running = inFlight[digest], running.task == task else { return }
        running.waiters -= 1
        if running.waiters <= 0 {
            inFlight[digest] = nil
            cancelledWaiters[digest] = nil
        } else {
            inFlight[digest] = running
        }
    }

    private func waiterCancelled(_ digest: Digest, _ task: Task<Void, any Error>) {
        guard let running = inFlight[digest], running.task == task else {
            task.cancel()  // already finished bookkeeping: nobody else waits
            return
        }
        // Only the cancelled waiters remain when every other one has finished or been cancelled.
        cancelledWaiters[digest, default: 0] += 1
        if cancelledWaiters[digest, default: 0] >= running.waiters {
            task.cancel()
            cancelledWaiters[digest] = nil
        }
    }

    private var cancelledWaiters: [Digest: Int] = [:]

    /// Whether a fetch of `digest` is running now.
    public func isFetching(_ digest: Digest) -> Bool { inFlight[digest] != nil }
}
