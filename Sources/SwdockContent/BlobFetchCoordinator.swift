import SwdockOCI

/// Makes concurrent fetches of one digest in this process share a single download: the first
/// caller runs the fetch, later callers wait for its outcome instead of downloading again.
/// (Across processes the ingest `flock` does the same job.)
public actor BlobFetchCoordinator {
    private var inFlight: [Digest: Task<Void, any Error>] = [:]

    public init() {}

    /// How a call to `fetch` was satisfied.
    public enum Outcome: Sendable {
        /// This call ran `body`.
        case fetched
        /// Another caller's fetch was already running; this call waited for it.
        case joined
    }

    /// Runs `body` unless a fetch of `digest` is in flight, in which case it waits for that one
    /// and rethrows its error. The fetch is not cancelled when one waiter is.
    public func fetch(_ digest: Digest, _ body: @escaping @Sendable () async throws -> Void) async throws -> Outcome {
        if let running = inFlight[digest] {
            try await running.value
            return .joined
        }
        let task = Task { try await body() }
        inFlight[digest] = task
        defer { inFlight[digest] = nil }
        try await task.value
        return .fetched
    }

    /// Whether a fetch of `digest` is running now.
    public func isFetching(_ digest: Digest) -> Bool { inFlight[digest] != nil }
}
