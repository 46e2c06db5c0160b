#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// Signals delivered as readable events on an fd (`signalfd`), so a single-threaded loop
/// handles them between other events instead of in an async-signal handler.
public struct SignalDescriptor {
    public let fd: FileDescriptor

    /// Blocks `signals` for the calling thread and opens a non-blocking signalfd for them.
    public static func open(_ signals: [Int32]) throws(OSError) -> SignalDescriptor {
        try Signals.block(signals)
        let raw = try sys("signalfd") { signals.withUnsafeBufferPointer { swdock_signalfd_open($0.baseAddress, Int32($0.count)) } }
        return SignalDescriptor(fd: FileDescriptor(rawValue: raw))
    }

    /// Every signal pending now (one entry per delivery the kernel kept; SIGCHLD coalesces).
    public func drain() throws(OSError) -> [Int32] {
        var received: [Int32] = []
        while true {
            var signo: UInt32 = 0
            let got = try sys("read(signalfd)", "fd \(fd.rawValue)") { swdock_signalfd_read(fd.rawValue, &signo) }
            if got == 0 { return received }
            received.append(Int32(bitPattern: signo))
        }
    }
}

/// Process-wide signal dispositions.
public enum Signals {
    /// Blocks `signals` in the calling thread (children spawned through `ChildProcess` get an empty mask).
    public static func block(_ signals: [Int32]) throws(OSError) {
        try sys("sigprocmask(SIG_BLOCK)") { signals.withUnsafeBufferPointer { swdock_sigmask(SIG_BLOCK, $0.baseAddress, Int32($0.count)) } }
    }

    /// Ignores `signal` (SIGPIPE, so a closed peer is an EPIPE error instead of death).
    public static func ignore(_ signal: Int32) {
        _ = Glibc.signal(signal, SIG_IGN)
    }

    /// The number of a signal given as `9`, `KILL` or `SIGKILL` (case-insensitive), as runc accepts them.
    public static func number(_ text: String) -> Int32? {
        if let n = Int32(text), n > 0, n < 65 { return n }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        switch name {
        case "HUP": return SIGHUP
        case "INT": return SIGINT
        case "QUIT": return SIGQUIT
        case "ILL": return SIGILL
        case "TRAP": return SIGTRAP
        case "ABRT", "IOT": return SIGABRT
        case "BUS": return SIGBUS
        case "FPE": return SIGFPE
        case "KILL": return SIGKILL
        case "USR1": return SIGUSR1
        case "SEGV": return SIGSEGV
        case "USR2": return SIGUSR2
        case "PIPE": return SIGPIPE
        case "ALRM": return SIGALRM
        case "TERM": return SIGTERM
        case "STKFLT": return 16
        case "CHLD", "CLD": return SIGCHLD
        case "CONT": return SIGCONT
        case "STOP": return SIGSTOP
        case "TSTP": return SIGTSTP
        case "TTIN": return SIGTTIN
        case "TTOU": return SIGTTOU
        case "URG": return SIGURG
        case "XCPU": return SIGXCPU
        case "XFSZ": return SIGXFSZ
        case "VTALRM": return SIGVTALRM
        case "PROF": return SIGPROF
        case "WINCH": return SIGWINCH
        case "IO", "POLL": return SIGIO
        case "PWR": return SIGPWR
        case "SYS": return SIGSYS
        default: break
        }
        if name.hasPrefix("RTMIN") || name.hasPrefix("RTMAX") {
            let base: Int32 = name.hasPrefix("RTMIN") ? 34 : 64
            let rest = name.dropFirst(5)
            if rest.isEmpty { return base }
            guard let offset = Int32(rest), (name.hasPrefix("RTMIN") ? offset > 0 : offset < 0) else { return nil }
            let n = base + offset
            return (34...64).contains(n) ? n : nil
        }
        return nil
    }
}
