import SwdockOS

/// The daemon ↔ shim protocol over the shim's Unix socket (docs/shim-protocol.md).
///
/// Every frame is an 8-byte header — kind (1 byte), stream (1 byte), two zero bytes, payload
/// length (4 bytes, big-endian) — and the payload. Requests, responses and events carry a
/// `ShimMessage` as payload; output and stdin frames carry raw bytes.
public enum ShimProtocol {
    /// Raised on every incompatible change; the daemon refuses a shim that speaks another one.
    public static let version = 1
    /// Largest payload either side accepts; longer frames are a protocol error.
    public static let maxPayload = 1 << 20
    public static let headerSize = 8

    /// Names of the files a shim keeps in its state directory.
    public enum StateFile {
        public static let socket = "shim.sock"
        public static let shimPID = "shim.pid"
        public static let initPID = "init.pid"
        public static let exit = "exit"
        public static let runtimeLog = "runtime.log"
        public static let shimLog = "shim.log"
        public static let consoleSocket = "tty.sock"
    }
}

/// What a frame carries.
public enum ShimFrameKind: UInt8, Sendable {
    /// client → shim: a request message.
    case request = 1
    /// shim → client: the response to the oldest unanswered request of this connection.
    case response = 2
    /// shim → client: bytes the attached process wrote; `stream` says which stream.
    case output = 3
    /// client → shim: bytes for the attached process's stdin.
    case stdin = 4
    /// client → shim: no more stdin (the process reads end of file once what was sent is written).
    case stdinClose = 5
    /// shim → client: an unsolicited message (`output-end`).
    case event = 6
}

/// One protocol frame.
public struct ShimFrame: Sendable {
    public var kind: ShimFrameKind
    /// 1 stdout, 2 stderr for output frames; 0 otherwise.
    public var stream: UInt8
    public var payload: [UInt8]

    public init(kind: ShimFrameKind, stream: UInt8 = 0, payload: [UInt8] = []) {
        self.kind = kind
        self.stream = stream
        self.payload = payload
    }

    /// Appends the frame's header for a payload of `count` bytes.
    public static func appendHeader(kind: ShimFrameKind, stream: UInt8, count: Int, to out: inout [UInt8]) {
        out.append(kind.rawValue)
        out.append(stream)
        out.append(0)
        out.append(0)
        let n = UInt32(count)
        out.append(UInt8(truncatingIfNeeded: n >> 24))
        out.append(UInt8(truncatingIfNeeded: n >> 16))
        out.append(UInt8(truncatingIfNeeded: n >> 8))
        out.append(UInt8(truncatingIfNeeded: n))
    }

    /// The frame as bytes on the wire.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ShimProtocol.headerSize + payload.count)
        ShimFrame.appendHeader(kind: kind, stream: stream, count: payload.count, to: &out)
        out.append(contentsOf: payload)
        return out
    }
}

/// Reassembles frames from a byte stream that arrives in arbitrary pieces.
public struct ShimFrameDecoder {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    public mutating func feed(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, nil when more bytes are needed; throws on a malformed header.
    public mutating func next() throws(ShimError) -> ShimFrame? {
        let available = buffer.count - start
        guard available >= ShimProtocol.headerSize else { compact(); return nil }
        let h = start
        guard let kind = ShimFrameKind(rawValue: buffer[h]) else {
            throw ShimError(.protocol, "unknown frame kind \(buffer[h])")
        }
        guard buffer[h + 2] == 0, buffer[h + 3] == 0 else { throw ShimError(.protocol, "reserved frame header bytes are not zero") }
        let length = Int(buffer[h + 4]) << 24 | Int(buffer[h + 5]) << 16 | Int(buffer[h + 6]) << 8 | Int(buffer[h + 7])
        guard length <= ShimProtocol.maxPayload else {
            throw ShimError(.protocol, "frame of \(length) bytes exceeds the limit of \(ShimProtocol.maxPayload)")
        }
        guard available >= ShimProtocol.headerSize + length else { compact(); return nil }
        let payloadStart = h + ShimProtocol.headerSize
        let frame = ShimFrame(kind: kind, stream: buffer[h + 1], payload: Array(buffer[payloadStart..<(payloadStart + length)]))
        start = payloadStart + length
        if start == buffer.count { buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024); start = 0 }
        return frame
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedCount: Int { buffer.count - start }

    private mutating func compact() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}

/// The payload of requests, responses and events: UTF-8 text, a verb on the first line
/// (`start`, `ok`, `error`, …) then one `key=value` per line. Values cannot hold a newline.
public struct ShimMessage: Sendable, Equatable {
    public var verb: String
    public var fields: [(key: String, value: String)]

    public init(_ verb: String, _ fields: [(String, String)] = []) {
        self.verb = verb
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    public static func == (a: ShimMessage, b: ShimMessage) -> Bool {
        a.verb == b.verb && a.fields.elementsEqual(b.fields) { $0.key == $1.key && $0.value == $1.value }
    }

    /// The value of the first field named `key`.
    public subscript(key: String) -> String? {
        fields.first { $0.key == key }?.value
    }

    /// Adds a field; newlines in the value become spaces (they would end the field).
    public mutating func set(_ key: String, _ value: String) {
        var clean = value
        if clean.utf8.contains(UInt8(ascii: "\n")) {
            clean = String(decoding: clean.utf8.map { $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        }
        fields.append((key: key, value: clean))
    }

    /// A boolean field: `true`/`false` (also `1`/`0`); `defaultValue` when absent.
    public func bool(_ key: String, default defaultValue: Bool = false) throws(ShimError) -> Bool {
        guard let value = self[key] else { return defaultValue }
        switch value {
        case "true", "1": return true
        case "false", "0": return false
        default: throw ShimError(.invalid, "field \(key) of \(verb): expected true or false, got \"\(value)\"")
        }
    }

    /// An integer field; nil when absent.
    public func int(_ key: String) throws(ShimError) -> Int? {
        guard let value = self[key] else { return nil }
        guard let n = Int(value) else { throw ShimError(.invalid, "field \(key) of \(verb): expected an integer, got \"\(value)\"") }
        return n
    }

    public var encoded: [UInt8] {
        var out = Array(verb.utf8)
        for field in fields {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: field.key.utf8)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: field.value.utf8)
        }
        return out
    }

    public static func decode(_ payload: [UInt8]) throws(ShimError) -> ShimMessage {
        var lines = payload.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard let first = lines.first, !first.isEmpty else { throw ShimError(.protocol, "message without a verb") }
        lines.removeFirst()
        var message = ShimMessage(String(decoding: first, as: UTF8.self))
        for line in lines {
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")), eq > line.startIndex else {
                throw ShimError(.protocol, "field without key=value in \(message.verb): \"\(String(decoding: line, as: UTF8.self))\"")
            }
            message.fields.append((key: String(decoding: line[..<eq], as: UTF8.self),
                                   value: String(decoding: line[(eq + 1)...], as: UTF8.self)))
        }
        return message
    }

    /// An `error` response carrying a `ShimError`.
    public static func error(_ error: ShimError) -> ShimMessage {
        var m = ShimMessage("error")
        m.set("code", error.code.rawValue)
        m.set("message", error.message)
        return m
    }
}
