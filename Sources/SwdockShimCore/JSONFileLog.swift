#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The json-file log of a container with Docker's rotation: before a write, when the file has
/// reached `maxSize`, `log.(N-1)` is dropped, `log.i` becomes `log.(i+1)`, the log becomes
/// `log.1` and a new empty log is started (with `maxFiles` 1 the log is simply started over).
public final class JSONFileLog {
    public let path: String
    /// Bytes after which the file is rotated; nil for no limit (Docker's default).
    public let maxSize: Int64?
    /// Files kept including the current one (Docker's default: 1).
    public let maxFiles: Int

    private var fd: FileDescriptor
    private var size: Int64
    private var buffer: [UInt8] = []

    /// Opens (or creates, mode 0640 as dockerd) the log for appending; an existing log is continued.
    public init(path: String, maxSize: Int64?, maxFiles: Int) throws(OSError) {
        self.path = path
        self.maxSize = maxSize
        self.maxFiles = max(1, maxFiles)
        fd = try FileDescriptor.open(path, O_WRONLY | O_APPEND | O_CREAT, mode: 0o640)
        size = Int64(lseek(fd.rawValue, 0, SEEK_END))
        buffer.reserveCapacity(512)
    }

    deinit { fd.close() }

    /// Writes one message as a json-file record (rotating first if the file is full).
    public func write(_ message: LogLineSplitter.Message, stream: StdioStream) throws(OSError) {
        buffer.removeAll(keepingCapacity: true)
        JSONLogEntry.append(line: message.line, complete: message.complete, stream: stream,
                            time: message.time, to: &buffer)
        if let maxSize, size >= maxSize { try rotate() }
        try fd.writeAll(buffer)
        size += Int64(buffer.count)
        if buffer.capacity > 64 * 1024 { buffer = [] }
    }

    private func rotate() throws(OSError) {
        fd.close()
        if maxFiles >= 2 {
            try FileSystem.remove("\(path).\(maxFiles - 1)")
            var i = maxFiles - 1
            while i > 1 {
                try renameIfPresent("\(path).\(i - 1)", "\(path).\(i)")
                i -= 1
            }
            try renameIfPresent(path, "\(path).1")
        } else {
            try FileSystem.remove(path)
        }
        fd = try FileDescriptor.open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, mode: 0o640)
        size = 0
    }

    private func renameIfPresent(_ from: String, _ to: String) throws(OSError) {
        do {
            try FileSystem.rename(from, to: to)
        } catch where error.errno == ENOENT {
        }
    }
}
