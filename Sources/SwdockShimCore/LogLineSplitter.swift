import SwdockOS

/// Cuts one output stream into log messages exactly as dockerd's log copier does: a message per
/// `\n`-terminated line; a line that fills the 16 KiB buffer without a newline is emitted as a
/// partial chunk of exactly 16 KiB; what is left at end of stream is a partial chunk too.
/// All chunks of one long line carry the time of its first chunk.
public struct LogLineSplitter {
    /// dockerd's copier buffer size (defaultBufSize).
    public static let bufferSize = 16 * 1024

    /// One message to log.
    public struct Message {
        public var line: ArraySlice<UInt8>
        /// false for a chunk of a longer line (written without its `\n`).
        public var complete: Bool
        public var time: Timestamp
    }

    private var pending: [UInt8] = []
    private var partialTime: Timestamp?

    public init() {}

    /// Feeds bytes just read and calls `emit` for each message they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, now: () -> Timestamp, emit: (Message) -> Void) {
        pending.append(contentsOf: bytes)
        var start = 0
        while start < pending.count {
            let limit = min(pending.count, start + LogLineSplitter.bufferSize)
            if let newline = pending[start..<limit].firstIndex(of: UInt8(ascii: "\n")) {
                let time = partialTime ?? now()
                partialTime = nil
                emit(Message(line: pending[start..<newline], complete: true, time: time))
                start = newline + 1
            } else if limit - start == LogLineSplitter.bufferSize {
                let time = partialTime ?? now()
                partialTime = time
                emit(Message(line: pending[start..<limit], complete: false, time: time))
                start = limit
            } else {
                break
            }
        }
        if start > 0 { pending.removeFirst(start) }
    }

    /// End of stream: what is buffered becomes a final partial message.
    public mutating func finish(now: () -> Timestamp, emit: (Message) -> Void) {
        if !pending.isEmpty {
            emit(Message(line: pending[...], complete: false, time: partialTime ?? now()))
        }
        pending = []
        partialTime = nil
    }
}
