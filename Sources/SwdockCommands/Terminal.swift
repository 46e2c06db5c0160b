#if canImport(Glibc)
import Glibc
#endif
import SwdockAPI
import SwdockClient
import SwdockOS

/// The terminal side of `run -it`, `start -ai`, `attach` and `exec -it`: raw mode that is
/// restored on every way out (normal return, `exit`, a fatal signal), SIGWINCH forwarded as a
/// resize, signals proxied to the container when there is no TTY, and the pump between the
/// hijacked stream and stdin/stdout (with the 8-byte frame demultiplexing when there is no TTY
/// and the detach keys watched on stdin).
enum Terminal {
    /// The modes saved before raw mode, for the restorers (atexit, signal handlers).
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedFD: Int32 = -1

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The size of `fd`'s terminal (rows, columns), nil when it is not one.
    static func size(_ fd: Int32 = 1) -> (rows: Int, columns: Int)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return (Int(size.ws_row), Int(size.ws_col))
    }

    /// Puts `fd` (stdin) in raw mode, as moby's `term.MakeRaw`, and arranges for the old modes
    /// to come back at exit and on SIGINT/SIGTERM/SIGHUP/SIGQUIT (which then take their default
    /// action). Returns false when `fd` is not a terminal.
    @discardableResult
    static func makeRaw(_ fd: Int32 = 0) -> Bool {
        var modes = termios()
        guard tcgetattr(fd, &modes) == 0 else { return false }
        saved = modes
        savedFD = fd
        // cfmakeraw clears OPOST too: the container's pty already turned \n into \r\n.
        cfmakeraw(&modes)
        guard tcsetattr(fd, TCSANOW, &modes) == 0 else { return false }
        atexit { Terminal.restore() }
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            Glibc.signal(signal) { number in
                Terminal.restore()
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
        return true
    }

    /// Restores the saved modes (idempotent; async-signal-safe: one tcsetattr).
    static func restore() {
        guard savedFD >= 0 else { return }
        tcsetattr(savedFD, TCSANOW, &saved)
    }

    // MARK: signals to a thread

    nonisolated(unsafe) private static var signalPipe: (read: Int32, write: Int32) = (-1, -1)

    /// Delivers `signals` to `handler` on a thread of its own (the C handler only writes the
    /// number to a pipe). Used for SIGWINCH → resize and, without a TTY, for `--sig-proxy`.
    static func forward(_ signals: [Int32], to handler: @escaping @Sendable (Int32) -> Void) {
        if signalPipe.read < 0 {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            signalPipe = (fds[0], fds[1])
        }
        for signal in signals {
            Glibc.signal(signal) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = Glibc.write(Terminal.signalPipe.write, &byte, 1)
            }
        }
        let readFD = signalPipe.read
        CLIThread {
            var byte: UInt8 = 0
            while true {
                let count = Glibc.read(readFD, &byte, 1)
                if count == 1 { handler(Int32(byte)) } else if count < 0 && errno == EINTR { continue } else { return }
            }
        }.detach()
    }

    /// docker's sig-proxy for attached non-TTY sessions: INT, TERM, HUP, QUIT, USR1 and USR2
    /// caught while attached are sent to the container (`POST /containers/{id}/kill?signal=N`).
    static func proxySignals(_ client: EngineClient, to id: String) {
        forward([SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]) { signal in
            _ = try? client.postChecked("/containers/\(id)/kill", query: [("signal", String(signal))])
        }
    }

    // MARK: the stream pump

    enum PumpEnd: Equatable {
        /// The daemon ended the stream (the process's output ended).
        case ended
        /// The detach keys were typed.
        case detached
    }

    /// Copies stdin → the connection (watching for `detachKeys`; stdin's EOF half-closes the
    /// connection) and the connection → stdout/stderr (demultiplexed unless `tty`) until the
    /// daemon ends the stream or the detach keys are read.
    static func pump(_ stream: HijackedConnection, tty: Bool, sendStdin: Bool, detachKeys: DetachKeys?) -> PumpEnd {
        let detached = Locked(false)
        if sendStdin {
            CLIThread {
                var matcher = detachKeys.map(DetachKeyMatcher.init)
                var buffer = [UInt8](repeating: 0, count: 32 * 1024)
                while true {
                    let count = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 {
                        try? stream.closeWrite()
                        return
                    }
                    var bytes = Array(buffer[0..<count])
                    if matcher != nil {
                        let (pass, detach) = matcher!.feed(bytes)
                        bytes = pass
                        if detach {
                            if !bytes.isEmpty { try? stream.write(bytes) }
                            detached.withLock { $0 = true }
                            // Wakes the reader: the stream ends for us, the container runs on.
                            shutdown(stream.connection.fd.rawValue, Int32(SHUT_RDWR))
                            return
                        }
                    }
                    if !bytes.isEmpty {
                        do { try stream.write(bytes) } catch { return }
                    }
                }
            }.detach()
        } else {
            try? stream.closeWrite()
        }
        var demultiplexer = StreamDemultiplexer()
        while true {
            guard let bytes = try? stream.read(), !bytes.isEmpty else { break }
            if tty {
                try? FileDescriptor.standardOutput.writeAll(bytes)
                continue
            }
            guard let frames = try? demultiplexer.feed(bytes) else { break }
            for (source, payload) in frames {
                try? (source == .stderr ? FileDescriptor.standardError : FileDescriptor.standardOutput).writeAll(payload)
            }
        }
        return detached.withLock { $0 } ? .detached : .ended
    }
}
