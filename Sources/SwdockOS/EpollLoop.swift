#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// What an fd is ready for (or what to wait for), as epoll reports it.
public struct IOEvents: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = IOEvents(rawValue: SWDOCK_EPOLLIN)
    public static let writable = IOEvents(rawValue: SWDOCK_EPOLLOUT)
    /// The peer closed its writing side (or the whole connection).
    public static let readHangup = IOEvents(rawValue: SWDOCK_EPOLLRDHUP)
    public static let hangup = IOEvents(rawValue: SWDOCK_EPOLLHUP)
    public static let error = IOEvents(rawValue: SWDOCK_EPOLLERR)
}

/// A single-threaded epoll loop: fds with a handler each, and one-shot timers.
///
/// Registrations are keyed by a token that is never reused, so an event that was already
/// collected for an fd closed earlier in the same batch reaches nobody instead of reaching
/// whoever got the same fd number next.
public final class EpollLoop {
    public typealias Handler = (IOEvents) -> Void

    private struct Registration {
        let fd: Int32
        var events: IOEvents
        let handler: Handler
    }

    private struct Timer {
        let id: UInt64
        let deadline: Int64
        let action: () -> Void
    }

    private let epoll: FileDescriptor
    private var registrations: [UInt64: Registration] = [:]
    private var tokenOfFD: [Int32: UInt64] = [:]
    private var nextToken: UInt64 = 1
    private var timers: [Timer] = []
    private var stopped = false
    private var idleAction: (() -> Void)?
    private var idleMilliseconds: Int64 = 0
    private var busySinceIdle = false

    public init() throws(OSError) {
        epoll = FileDescriptor(rawValue: try sys("epoll_create1") { swdock_epoll_create() })
    }

    deinit { epoll.close() }

    /// Starts watching `fd` for `events`; `handler` runs on the loop with what is ready.
    public func register(_ fd: FileDescriptor, for events: IOEvents, handler: @escaping Handler) throws(OSError) {
        let token = nextToken
        nextToken += 1
        try sys("epoll_ctl(ADD)", "fd \(fd.rawValue)") {
            swdock_epoll_ctl(epoll.rawValue, SWDOCK_EPOLL_CTL_ADD, fd.rawValue, events.rawValue, token)
        }
        registrations[token] = Registration(fd: fd.rawValue, events: events, handler: handler)
        tokenOfFD[fd.rawValue] = token
    }

    /// Changes what a registered fd is watched for. An empty set pauses it: the fd leaves the
    /// epoll set (epoll reports hangup and error even for an empty mask, which would spin) and
    /// comes back, with the same handler, on the next non-empty update.
    public func update(_ fd: FileDescriptor, to events: IOEvents) throws(OSError) {
        guard let token = tokenOfFD[fd.rawValue], let current = registrations[token] else { return }
        if current.events == events { return }
        if events.isEmpty {
            _ = swdock_epoll_ctl(epoll.rawValue, SWDOCK_EPOLL_CTL_DEL, fd.rawValue, 0, 0)
        } else {
            let op = current.events.isEmpty ? SWDOCK_EPOLL_CTL_ADD : SWDOCK_EPOLL_CTL_MOD
            try sys("epoll_ctl", "fd \(fd.rawValue)") {
                swdock_epoll_ctl(epoll.rawValue, op, fd.rawValue, events.rawValue, token)
            }
        }
        registrations[token]?.events = events
    }

    /// Stops watching `fd`; call before closing it.
    public func unregister(_ fd: FileDescriptor) {
        guard let token = tokenOfFD.removeValue(forKey: fd.rawValue) else { return }
        let wasWatched = !(registrations[token]?.events.isEmpty ?? true)
        registrations[token] = nil
        if !wasWatched { return }
        // Failure only means the fd is already gone from the set.
        _ = swdock_epoll_ctl(epoll.rawValue, SWDOCK_EPOLL_CTL_DEL, fd.rawValue, 0, 0)
    }

    /// Runs `action` once, `milliseconds` from now; returns an id for `cancelTimer`.
    @discardableResult
    public func schedule(afterMilliseconds milliseconds: Int64, _ action: @escaping () -> Void) -> UInt64 {
        let id = nextToken
        nextToken += 1
        timers.append(Timer(id: id, deadline: MonotonicClock.milliseconds() + milliseconds, action: action))
        return id
    }

    public func cancelTimer(_ id: UInt64) { timers.removeAll { $0.id == id } }

    /// Runs `action` once whenever the loop has had no event and no timer for `milliseconds`
    /// after some activity (never repeatedly while it stays idle: an idle loop stays asleep).
    public func onIdle(afterMilliseconds milliseconds: Int64, _ action: @escaping () -> Void) {
        idleMilliseconds = milliseconds
        idleAction = action
        busySinceIdle = true
    }

    /// Makes `run()` return after the current iteration.
    public func stop() { stopped = true }

    /// Dispatches events until `stop()` is called.
    public func run() throws(OSError) {
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        stopped = false
        while !stopped {
            var timeout: Int32 = -1
            if let next = timers.min(by: { $0.deadline < $1.deadline }) {
                timeout = Int32(clamping: max(0, next.deadline - MonotonicClock.milliseconds()))
            }
            let waitingForIdle = idleAction != nil && busySinceIdle && (timeout < 0 || Int64(timeout) > idleMilliseconds)
            if waitingForIdle { timeout = Int32(clamping: idleMilliseconds) }
            let count = try sys("epoll_wait") {
                tokens.withUnsafeMutableBufferPointer { t in
                    events.withUnsafeMutableBufferPointer { e in
                        swdock_epoll_wait(epoll.rawValue, t.baseAddress, e.baseAddress, 64, timeout)
                    }
                }
            }
            if count == 0 && waitingForIdle && timers.allSatisfy({ $0.deadline > MonotonicClock.milliseconds() }) {
                busySinceIdle = false
                idleAction?()
                continue
            }
            if count > 0 { busySinceIdle = true }
            for i in 0..<Int(count) {
                guard let registration = registrations[tokens[i]] else { continue }
                registration.handler(IOEvents(rawValue: events[i]))
            }
            fireDueTimers()
        }
    }

    private func fireDueTimers() {
        guard !timers.isEmpty else { return }
        let now = MonotonicClock.milliseconds()
        let due = timers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.deadline <= now }
        busySinceIdle = true
        for timer in due { timer.action() }
    }
}
