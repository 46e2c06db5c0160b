import SwdockAPI
import SwdockOS

/// Carries an upload's body from the connection's event loop to its handler's task.
///
/// The event loop `deliver`s chunks as they arrive; once more than `highWater` bytes wait
/// unconsumed the connection stops reading (`isFull`), and when the handler has taken the
/// backlog below `lowWater` the feed calls `resume` so reading starts again. Memory per upload
/// is therefore bounded by about `highWater` plus one socket read.
final class UploadFeed: Sendable {
    static let highWater = 4 << 20
    static let lowWater = 1 << 20

    let body: RequestBody
    private let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let waiting = Locked(0)

    /// `resume` runs on the consumer's task when the backlog drops below `lowWater`.
    init(resume: @escaping @Sendable () -> Void) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        self.continuation = continuation
        let waiting = self.waiting
        body = RequestBody(chunks: stream) { taken in
            let crossed = waiting.withLock { count -> Bool in
                let before = count
                count -= taken
                return before >= Self.lowWater && count < Self.lowWater
            }
            if crossed { resume() }
        }
    }

    /// True while the handler has `highWater` bytes or more still to take.
    var isFull: Bool { waiting.withLock { $0 >= Self.highWater } }

    func deliver(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        waiting.withLock { $0 += chunk.count }
        continuation.yield(chunk)
    }

    func finish() { continuation.finish() }

    func finish(throwing error: any Error) { continuation.finish(throwing: error) }
}
