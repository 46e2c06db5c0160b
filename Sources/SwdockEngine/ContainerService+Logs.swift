import Foundation
import SwdockOS

/// What `GET /containers/{id}/logs` asks for.
public struct ContainerLogOptions: Sendable {
    public var stdout = true
    public var stderr = true
    public var follow = false
    public var timestamps = false
    /// The last `tail` messages only; nil for all.
    public var tail: Int?
    public var since: Timestamp?
    public var until: Timestamp?
    public init() {}
}

/// Reads a container's json-file log (`<id>-json.log` and its rotated `.1` … `.N-1`, oldest
/// first), as dockerd's json-file reader does.
struct LogFileReader {
    let path: String
    let maxFiles: Int

    struct Entry: Decodable {
        let log: String
        let stream: String
        let time: String
    }

    var files: [String] {
        var result: [String] = []
        if maxFiles > 1 {
            for index in stride(from: maxFiles - 1, through: 1, by: -1) where FileSystem.exists("\(path).\(index)") {
                result.append("\(path).\(index)")
            }
        }
        result.append(path)
        return result
    }

    /// Every complete record of the files, filtered and formatted.
    func entries(_ options: ContainerLogOptions) throws -> [OutputChunk] { try entriesAndEnd(options).chunks }

    /// The records, and how many bytes of the current file they came from (where a follow
    /// continues: records written after the read are not skipped).
    func entriesAndEnd(_ options: ContainerLogOptions) throws -> (chunks: [OutputChunk], consumed: Int) {
        var lines: [[UInt8]] = []
        var consumed = 0
        for file in files {
            guard let bytes = try FileSystem.read(file) else { continue }
            let complete = Self.completeLines(bytes[...])
            lines.append(contentsOf: complete.lines)
            if file == path { consumed = complete.consumed }
        }
        var chunks = lines.compactMap { Self.chunk($0, options) }
        if let tail = options.tail { chunks = Array(chunks.suffix(max(0, tail))) }
        return (chunks, consumed)
    }

    /// Splits at `\n`; the bytes after the last newline are an unfinished record.
    static func completeLines(_ bytes: ArraySlice<UInt8>) -> (lines: [[UInt8]], consumed: Int) {
        var lines: [[UInt8]] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                if index > start { lines.append(Array(bytes[start..<index])) }
                start = index + 1
            }
            index += 1
        }
        return (lines, start - bytes.startIndex)
    }

    static func chunk(_ line: [UInt8], _ options: ContainerLogOptions) -> OutputChunk? {
        guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(line)) else { return nil }
        let stream: UInt8 = entry.stream == "stderr" ? 2 : 1
        if stream == 1 && !options.stdout || stream == 2 && !options.stderr { return nil }
        let time = Timestamp(rfc3339Nano: entry.time)
        if let since = options.since, let time, time < since { return nil }
        if let until = options.until, let time, until < time { return nil }
        var bytes: [UInt8] = []
        if options.timestamps, let time {
            bytes.append(contentsOf: fixedNano(time).utf8)
            bytes.append(UInt8(ascii: " "))
        }
        bytes.append(contentsOf: entry.log.utf8)
        return OutputChunk(stream: stream, bytes: bytes)
    }

    /// Docker's `RFC3339NanoFixed` (always nine fraction digits), which `logs -t` prints.
    static func fixedNano(_ time: Timestamp) -> String {
        let text = time.rfc3339Nano
        guard let dot = text.firstIndex(of: ".") ?? text.firstIndex(of: "Z") else { return text }
        let head = text[..<dot]
        var fraction = text[dot...].dropFirst(text[dot] == "." ? 1 : 0).filter(\.isNumber)
        while fraction.count < 9 { fraction.append("0") }
        return "\(head).\(fraction)Z"
    }
}

extension ContainerService {
    /// `GET /containers/{id}/logs`: the stored json-file log; with `follow`, new records as they
    /// are written until the container is no longer running.
    public func logs(_ ref: String, options: ContainerLogOptions) throws -> ContainerOutput {
        let container = try resolve(ref)
        guard let path = container.document.LogPath else {
            throw EngineError(.notSupported, "configured logging driver does not support reading")
        }
        let id = container.id
        let reader = LogFileReader(path: path, maxFiles: container.document.LogMaxFiles)
        let (chunks, continuation) = AsyncStream<OutputChunk>.makeStream(bufferingPolicy: .unbounded)
        let gone = Locked(false)
        continuation.onTermination = { _ in gone.withLock { $0 = true } }
        let thread = Thread { [self] in
            ThreadName.set("swdock-logs")
            defer { continuation.finish() }
            // Size of the current file already read, so follow continues where this pass ended.
            var offset = 0
            var inode: UInt64 = 0
            do {
                inode = Self.fileSize(path).1
                let (initial, consumed) = try reader.entriesAndEnd(options)
                for chunk in initial { continuation.yield(chunk) }
                offset = consumed
            } catch { return }
            guard options.follow else { return }
            var tailOptions = options
            tailOptions.tail = nil
            while !gone.withLock({ $0 }) {
                let running = (try? reload(id))?.map { [.running, .restarting, .paused].contains($0.state.Status) } ?? false
                let (size, currentInode) = Self.fileSize(path)
                if currentInode != inode { offset = 0; inode = currentInode }   // rotated: a new file
                if size > offset, let bytes = try? FileSystem.read(path), bytes.count > offset {
                    let (lines, consumed) = LogFileReader.completeLines(bytes[offset...])
                    offset += consumed
                    for line in lines { if let chunk = LogFileReader.chunk(line, tailOptions) { continuation.yield(chunk) } }
                }
                if !running { return }
                usleep(50_000)
            }
        }
        thread.start()
        return ContainerOutput(tty: container.document.Config.tty, chunks: chunks)
    }

    static func fileSize(_ path: String) -> (Int, UInt64) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (0, 0) }
        return (Int(info.st_size), UInt64(info.st_ino))
    }
}
