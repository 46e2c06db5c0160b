import SwdockOS

/// One client of the shim's socket (the daemon, or a tool), with its outgoing byte queue.
final class Connection {
    let fd: FileDescriptor
    var decoder = ShimFrameDecoder()
    var outbox: [UInt8] = []
    var outboxStart = 0
    var greeted = false
    /// The process this connection is attached to, and whether its stdin frames go there.
    var attached: ManagedProcess?
    var attachedStdin = false
    /// A `wait` is outstanding: later requests queue behind it so responses stay in order.
    var waiting = false
    var queuedRequests: [ShimMessage] = []
    var closed = false
    var closeWhenFlushed = false
    var watchingWritable = false
    var readingPaused = false

    init(fd: FileDescriptor) { self.fd = fd }

    var pendingOutput: Int { outbox.count - outboxStart }
}
