#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a new OS thread and waits for it.
///
/// Network-namespace changes (`unshare(CLONE_NEWNET)`, `setns`) apply to the calling thread
/// only; doing them on a throwaway thread keeps every daemon thread (and Swift's cooperative
/// pool) in the host namespace. The thread ends right after `body`, taking its namespace with it.
func onDedicatedThread<T>(_ body: @escaping () throws(NetworkError) -> T) throws(NetworkError) -> T {
    let box = ThreadBox<T>(body)
    let context = Unmanaged.passRetained(box).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! ThreadRunnable
        box.run()
        return nil
    }, context)
    guard rc == 0 else {
        Unmanaged<ThreadBox<T>>.fromOpaque(context).release()
        throw NetworkError(.system, "start a thread for a network namespace change: \(Errno.message(rc))", errno: rc)
    }
    pthread_join(thread, nil)
    return try box.result!.get()
}

private protocol ThreadRunnable: AnyObject { func run() }

private final class ThreadBox<T>: ThreadRunnable {
    let body: () throws(NetworkError) -> T
    var result: Result<T, NetworkError>?
    init(_ body: @escaping () throws(NetworkError) -> T) { self.body = body }
    func run() {
        do throws(NetworkError) { result = .success(try body()) } catch { result = .failure(error) }
    }
}

import SwdockOS
