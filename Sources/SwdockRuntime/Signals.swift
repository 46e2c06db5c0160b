#if canImport(Glibc)
import Glibc
#endif

/// Signal names and numbers as `kill` accepts them (`KILL`, `SIGKILL`, `9`).
public enum Signals {
    static let table: [String: Int32] = [
        "ABRT": SIGABRT, "ALRM": SIGALRM, "BUS": SIGBUS, "CHLD": SIGCHLD, "CONT": SIGCONT, "FPE": SIGFPE,
        "HUP": SIGHUP, "ILL": SIGILL, "INT": SIGINT, "IO": SIGIO, "IOT": SIGIOT, "KILL": SIGKILL,
        "PIPE": SIGPIPE, "POLL": SIGPOLL, "PROF": SIGPROF, "PWR": SIGPWR, "QUIT": SIGQUIT, "SEGV": SIGSEGV,
        "STKFLT": SIGSTKFLT, "STOP": SIGSTOP, "SYS": SIGSYS, "TERM": SIGTERM, "TRAP": SIGTRAP,
        "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "URG": SIGURG, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "VTALRM": SIGVTALRM, "WINCH": SIGWINCH, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ,
    ]

    /// Parses a signal name (with or without `SIG`, any case, `RTMIN+n`) or number.
    public static func parse(_ text: String) throws(RuntimeError) -> Int32 {
        if let number = Int32(text) {
            guard number > 0 && number < 65 else { throw RuntimeError(.invalidArgument, "unknown signal \"\(text)\"") }
            return number
        }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let value = table[name] { return value }
        let rtmin = Int32(34), rtmax = Int32(64)
        if name == "RTMIN" { return rtmin }
        if name == "RTMAX" { return rtmax }
        if name.hasPrefix("RTMIN+"), let n = Int32(name.dropFirst(6)), rtmin + n <= rtmax { return rtmin + n }
        if name.hasPrefix("RTMAX-"), let n = Int32(name.dropFirst(6)), rtmax - n >= rtmin { return rtmax - n }
        throw RuntimeError(.invalidArgument, "unknown signal \"\(text)\"")
    }
}
