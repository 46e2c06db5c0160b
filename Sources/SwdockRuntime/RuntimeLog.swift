#if canImport(Glibc)
import Glibc
#endif

/// Where the runtime's messages go: `--log FILE` in `--log-format text|json`, as runc writes
/// them (engines read the last error from there), plus the error line on stderr.
public final class RuntimeLog: @unchecked Sendable {
    public enum Format: String, Sendable { case text, json }

    /// Set once by the CLI before any command runs, read afterwards.
    nonisolated(unsafe) public static var shared = RuntimeLog()

    public let path: String?
    public let format: Format
    public let debug: Bool

    public init(path: String? = nil, format: Format = .text, debug: Bool = false) {
        self.path = path
        self.format = format
        self.debug = debug
    }

    public func error(_ message: String) { write(level: "error", message) }
    public func warning(_ message: String) {
        write(level: "warning", message)
        if path == nil { writeStderr("warning: " + message) }
    }
    public func debugMessage(_ message: String) { if debug { write(level: "debug", message) } }

    /// Prints the error line on stderr and writes it to the log.
    public func fatal(_ message: String) {
        writeStderr(message)
        error(message)
    }

    private func writeStderr(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    private func write(level: String, _ message: String) {
        guard let path, !path.isEmpty else { return }
        let time = Clock.rfc3339Now()
        let line: String
        switch format {
        case .json:
            line = "{\"level\":\(JSONText.quote(level)),\"msg\":\(JSONText.quote(message)),\"time\":\(JSONText.quote(time))}\n"
        case .text:
            line = "time=\(JSONText.quote(time)) level=\(level) msg=\(JSONText.quote(message))\n"
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
