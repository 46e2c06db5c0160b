import SwdockOS

/// One record of Docker's json-file log driver: `{"log":"…","stream":"stdout","time":"…"}`
/// followed by a newline, byte for byte as dockerd writes it.
public enum JSONLogEntry {
    /// Appends the encoded record (with its trailing newline) to `out`.
    ///
    /// `line` is the message as the copier cut it; `complete` lines get their `\n` back, a
    /// partial chunk (a line longer than the buffer, or the tail at end of stream) does not.
    public static func append(line: ArraySlice<UInt8>, complete: Bool, stream: StdioStream,
                              time: Timestamp, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"log":"#.utf8)
        appendJSONString(line, addingNewline: complete, to: &out)
        out.append(contentsOf: #","stream":""#.utf8)
        out.append(contentsOf: stream.name.utf8)
        out.append(contentsOf: #"","time":""#.utf8)
        time.appendRFC3339Nano(to: &out)
        out.append(contentsOf: "\"}\n".utf8)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// JSON string escaping as Docker's json-file writer does it (encoding/json's rules with
    /// HTML escaping): `\"`, `\\`, `\n`, `\r`, other control bytes and `<`, `>`, `&` as `\u00XX`,
    /// U+2028/U+2029 escaped, each byte of invalid UTF-8 as `\ufffd`.
    public static func appendJSONString(_ bytes: ArraySlice<UInt8>, addingNewline: Bool = false, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = bytes.startIndex
        let end = bytes.endIndex
        var runStart = i
        func flush(_ upTo: Int) { if runStart < upTo { out.append(contentsOf: bytes[runStart..<upTo]) } }
        while i < end {
            let b = bytes[i]
            if b < 0x80 {
                if b >= 0x20 && b != UInt8(ascii: "\\") && b != UInt8(ascii: "\"")
                    && b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&") {
                    i += 1
                    continue
                }
                flush(i)
                switch b {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                    out.append(UInt8(ascii: "\\")); out.append(b)
                case UInt8(ascii: "\n"):
                    out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"):
                    out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                default:
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xf)])
                }
                i += 1
                runStart = i
                continue
            }
            let (scalar, size) = decodeUTF8(bytes, at: i)
            if scalar == nil {
                flush(i)
                out.append(contentsOf: #"\ufffd"#.utf8)
                i += 1
                runStart = i
                continue
            }
            if scalar == 0x2028 || scalar == 0x2029 {
                flush(i)
                out.append(contentsOf: #"\u202"#.utf8)
                out.append(hex[Int(scalar! & 0xf)])
                i += size
                runStart = i
                continue
            }
            i += size
        }
        flush(end)
        if addingNewline { out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n")) }
        out.append(UInt8(ascii: "\""))
    }

    /// Decodes one UTF-8 sequence starting at `i` with Go's `utf8.DecodeRune` rules: nil for an
    /// invalid or truncated sequence, an overlong form, a surrogate or a value above U+10FFFF
    /// (each such byte is then replaced on its own).
    static func decodeUTF8(_ bytes: ArraySlice<UInt8>, at i: Int) -> (UInt32?, Int) {
        let b0 = bytes[i]
        let end = bytes.endIndex
        func continuation(_ k: Int) -> UInt32? {
            guard i + k < end else { return nil }
            let b = bytes[i + k]
            return b & 0xc0 == 0x80 ? UInt32(b & 0x3f) : nil
        }
        switch b0 {
        case 0xc2...0xdf:
            guard let c1 = continuation(1) else { return (nil, 1) }
            return ((UInt32(b0 & 0x1f) << 6) | c1, 2)
        case 0xe0...0xef:
            guard let c1 = continuation(1), let c2 = continuation(2) else { return (nil, 1) }
            let v = (UInt32(b0 & 0x0f) << 12) | (c1 << 6) | c2
            if v < 0x800 || (0xd800...0xdfff).contains(v) { return (nil, 1) }
            return (v, 3)
        case 0xf0...0xf4:
            guard let c1 = continuation(1), let c2 = continuation(2), let c3 = continuation(3) else { return (nil, 1) }
            let v = (UInt32(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            if v < 0x10000 || v > 0x10ffff { return (nil, 1) }
            return (v, 4)
        default:
            return (nil, 1)
        }
    }
}

/// Which of the container's output streams bytes came from.
public enum StdioStream: UInt8, Sendable {
    case stdout = 1
    case stderr = 2

    /// The name Docker writes in the log's `stream` field.
    public var name: String { self == .stdout ? "stdout" : "stderr" }
}
