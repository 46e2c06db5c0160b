#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Dedicated threads that run libcurl's blocking transfers, so the Swift cooperative pool is
/// never blocked. Each thread owns one reused easy handle (its kept-alive connections).
///
/// Jobs are served in submission order; `run` suspends the calling task until its job finished
/// on a worker, and cancelling the task aborts the transfer.
final class CurlWorkers: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var queue: [(CurlEasy) -> Void] = []
    private var shuttingDown = false
    private let threadCount: Int

    init(threads: Int) {
        threadCount = max(1, threads)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        for index in 0..<threadCount {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "swdock-curl-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Stops the threads once their queued jobs are done.
    func shutdown() {
        pthread_mutex_lock(&mutex)
        shuttingDown = true
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }

    private func workerLoop() {
        let easy = CurlEasy()
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty && !shuttingDown { pthread_cond_wait(&condition, &mutex) }
            if queue.isEmpty && shuttingDown {
                pthread_mutex_unlock(&mutex)
                return
            }
            let job = queue.removeFirst()
            pthread_mutex_unlock(&mutex)
            job(easy)
        }
    }

    private func submit(_ job: @escaping (CurlEasy) -> Void) {
        pthread_mutex_lock(&mutex)
        queue.append(job)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Runs `body` on a worker thread with that thread's handle. `body` gets a flag that is set
    /// when the calling task is cancelled (pass it to the transfer).
    func run<T: Sendable>(_ body: @escaping @Sendable (CurlEasy, CancellationFlag) throws -> T) async throws -> T {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                submit { easy in
                    if flag.isSet {
                        continuation.resume(throwing: RegistryError(.cancelled, "cancelled before it started"))
                        return
                    }
                    do { continuation.resume(returning: try body(easy, flag)) } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            flag.set()
        }
    }
}
