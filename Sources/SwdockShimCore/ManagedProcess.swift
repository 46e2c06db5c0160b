import SwdockOS

/// A process the shim started through the runtime and holds the stdio of: the container's
/// init, or one exec'd process.
final class ManagedProcess {
    enum Status: String {
        /// Created by the runtime, waiting for `start` (init only).
        case created
        case running
        case stopped
    }

    /// nil for the container's init.
    let execID: String?
    var pid: Int32 = 0
    var status: Status = .created
    var exit: ExitRecord?
    var startedAt: Timestamp?
    /// Output fds still open (stdout and stderr pipes, or the terminal).
    var outputs: [OutputChannel] = []
    var stdin: StdinChannel?
    /// The terminal's master side when the process has one (resize goes there).
    var terminal: FileDescriptor?
    var subscribers: [Subscription] = []
    /// Connections whose `wait` is answered at the exit.
    var waiters: [Connection] = []
    /// Exit recorded and output drained (or the drain time ran out): waits are answered.
    var finalized = false
    var drainTimer: UInt64?
    /// Output reading paused because an attached client is not keeping up.
    var outputPaused = false

    init(execID: String?) { self.execID = execID }

    var name: String { execID.map { "exec \($0)" } ?? "init" }
}

/// An attached connection and the streams it asked for.
struct Subscription {
    let connection: Connection
    let stdout: Bool
    let stderr: Bool
}

/// One output stream being read.
final class OutputChannel {
    let fd: FileDescriptor
    let stream: StdioStream
    var splitter = LogLineSplitter()

    init(fd: FileDescriptor, stream: StdioStream) {
        self.fd = fd
        self.stream = stream
    }
}

/// The writing side of a process's stdin, with bytes queued while the pipe is full (or before
/// the process started reading).
final class StdinChannel {
    let fd: FileDescriptor
    var queue: [UInt8] = []
    var offset = 0
    var closeRequested = false
    var watchingWritable = false

    init(fd: FileDescriptor) { self.fd = fd }

    var queuedCount: Int { queue.count - offset }
}
