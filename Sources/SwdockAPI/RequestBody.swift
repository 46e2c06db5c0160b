import SwdockOS

/// A request body as it arrives from the client, in chunks, for the endpoints that take
/// archives of any size (`POST /images/load`, `POST /images/create?fromSrc=-`,
/// `PUT /containers/{id}/archive`). dockerd streams these without a size limit; so does swdockd:
/// the server hands the handler this sequence when the head arrives and reads more from the
/// socket only as the handler consumes (backpressure), so memory stays bounded.
///
/// Iterating throws `RequestBody.Truncated` when the client goes away before the body's end.
/// A body can be iterated once.
public struct RequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    /// The client closed the connection before the end of the body.
    public struct Truncated: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the client closed the connection before the end of the request body" }
    }

    /// Called with the number of bytes the consumer just took, so the producer can read more.
    public typealias ConsumedHandler = @Sendable (Int) -> Void

    private let chunks: AsyncThrowingStream<[UInt8], any Error>
    private let consumed: ConsumedHandler

    /// A body that is already complete (what non-upload routes and tests use).
    public init(bytes: [UInt8]) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        if !bytes.isEmpty { continuation.yield(bytes) }
        continuation.finish()
        self.init(chunks: stream, consumed: { _ in })
    }

    /// A body fed by a producer (the HTTP connection): `consumed` is told how much was taken.
    public init(chunks: AsyncThrowingStream<[UInt8], any Error>, consumed: @escaping ConsumedHandler) {
        self.chunks = chunks
        self.consumed = consumed
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let consumed: ConsumedHandler

        public mutating func next() async throws -> [UInt8]? {
            guard let chunk = try await base.next() else { return nil }
            consumed(chunk.count)
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), consumed: consumed)
    }

    /// Writes the whole body to `descriptor` (a file or the write end of a pipe); returns the
    /// byte count. Blocking writes happen on the caller's task, so pass a descriptor that does
    /// not stall for long (a file, or a pipe whose reader runs on its own thread).
    @discardableResult
    public func write(to descriptor: FileDescriptor) async throws -> Int {
        var total = 0
        for try await chunk in self {
            try descriptor.writeAll(chunk)
            total += chunk.count
        }
        return total
    }
}
