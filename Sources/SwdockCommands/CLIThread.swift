#if canImport(Glibc)
import Glibc
#endif

/// A plain pthread for the CLI's helpers (pipe feeders, extractors): the CLI links only
/// FoundationEssentials, which has no `Thread`. `join` waits for the body to return.
final class CLIThread: @unchecked Sendable {
    private var thread = pthread_t()

    /// Starts `body` at once.
    init(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    func join() { pthread_join(thread, nil) }

    /// Lets the thread end on its own (nobody joins it).
    func detach() { pthread_detach(thread) }
}
