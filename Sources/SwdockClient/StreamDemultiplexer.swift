/// Splits Docker's multiplexed stdout/stderr stream (attach, logs and exec with `Tty=false`):
/// each frame is `[stream, 0, 0, 0, size(4, big-endian)]` followed by `size` bytes. Bytes can
/// arrive in any pieces; whole frames come out as soon as they are complete.
public struct StreamDemultiplexer: Sendable {
    /// Which stream a frame belongs to (0 stdin, 1 stdout, 2 stderr, as the daemon sends them).
    public enum Stream: UInt8, Sendable { case stdin = 0, stdout = 1, stderr = 2 }

    private var pending: [UInt8] = []

    public init() {}

    /// Appends received bytes and returns every frame they complete.
    public mutating func feed(_ bytes: [UInt8]) throws(ClientError) -> [(Stream, [UInt8])] {
        pending.append(contentsOf: bytes)
        var frames: [(Stream, [UInt8])] = []
        var start = 0
        while pending.count - start >= 8 {
            guard let stream = Stream(rawValue: pending[start]) else {
                throw ClientError(.protocolError, "unknown stream id \(pending[start]) in a multiplexed stream frame")
            }
            let size = Int(pending[start + 4]) << 24 | Int(pending[start + 5]) << 16
                | Int(pending[start + 6]) << 8 | Int(pending[start + 7])
            guard pending.count - start - 8 >= size else { break }
            frames.append((stream, Array(pending[(start + 8)..<(start + 8 + size)])))
            start += 8 + size
        }
        pending.removeFirst(start)
        return frames
    }

    /// True when a partial frame is left over (the stream ended in the middle of one).
    public var hasPartialFrame: Bool { !pending.isEmpty }
}
