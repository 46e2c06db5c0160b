/// DNS messages (RFC 1035 §4) as the embedded resolver needs them: a bounds-checked parser that
/// follows compression pointers (backwards only, with a hop limit, so a loop cannot hang it) and
/// an encoder that compresses names against earlier ones. Anything malformed is a
/// `DNSFormatError`, never a crash: the input comes from containers.

/// Why a message could not be parsed.
public struct DNSFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    /// The byte offset where parsing stopped.
    public let offset: Int
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
    public var description: String { "malformed DNS message at byte \(offset): \(message)" }
}

/// A domain name as its labels (raw bytes, case kept). `text` is the dotted, lower-cased form
/// used for lookups.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    public var labels: [[UInt8]]
    public init(labels: [[UInt8]]) { self.labels = labels }

    /// `a.example.` or `a.example` (the root is `""` or `.`); nil for an empty label or one over 63 bytes.
    public init?(_ text: String) {
        var labels: [[UInt8]] = []
        var total = 1
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            if part.isEmpty { continue }
            let bytes = Array(part.utf8)
            guard bytes.count <= 63 else { return nil }
            total += bytes.count + 1
            labels.append(bytes)
        }
        guard total <= 255, !text.contains("..") else { return nil }
        self.labels = labels
    }

    /// Lower-cased (ASCII only, as DNS compares), dot-separated, without a trailing dot.
    public var text: String {
        labels.map { label in String(decoding: label.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self) }
            .joined(separator: ".")
    }

    public var description: String { text + "." }
}

/// Record types and classes the resolver deals with.
public enum DNSType {
    public static let a: UInt16 = 1
    public static let ns: UInt16 = 2
    public static let cname: UInt16 = 5
    public static let ptr: UInt16 = 12
    public static let mx: UInt16 = 15
    public static let txt: UInt16 = 16
    public static let aaaa: UInt16 = 28
    public static let opt: UInt16 = 41
    public static let classIN: UInt16 = 1
}

/// Response codes.
public enum DNSResponseCode {
    public static let noError: UInt8 = 0
    public static let formatError: UInt8 = 1
    public static let serverFailure: UInt8 = 2
    public static let nameError: UInt8 = 3
    public static let notImplemented: UInt8 = 4
    public static let refused: UInt8 = 5
}

public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: UInt16
    public var qclass: UInt16
    public init(name: DNSName, type: UInt16, qclass: UInt16 = DNSType.classIN) {
        self.name = name
        self.type = type
        self.qclass = qclass
    }
}

public struct DNSRecord: Hashable, Sendable {
    /// What a record carries: addresses and names decoded, anything else as its bytes.
    public enum Data: Hashable, Sendable {
        case a(UInt32)
        case ptr(DNSName)
        case raw([UInt8])
    }
    public var name: DNSName
    public var type: UInt16
    public var rclass: UInt16
    public var ttl: UInt32
    public var data: Data
    public init(name: DNSName, type: UInt16, rclass: UInt16 = DNSType.classIN, ttl: UInt32, data: Data) {
        self.name = name
        self.type = type
        self.rclass = rclass
        self.ttl = ttl
        self.data = data
    }
}

public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    /// The second header word: QR, opcode, AA, TC, RD, RA, Z and RCODE.
    public var flags: UInt16
    public var questions: [DNSQuestion] = []
    public var answers: [DNSRecord] = []
    public var authorities: [DNSRecord] = []
    public var additionals: [DNSRecord] = []

    public init(id: UInt16, flags: UInt16, questions: [DNSQuestion] = [], answers: [DNSRecord] = []) {
        self.id = id
        self.flags = flags
        self.questions = questions
        self.answers = answers
    }

    public var isResponse: Bool { flags & 0x8000 != 0 }
    public var opcode: UInt8 { UInt8((flags >> 11) & 0xF) }
    public var isTruncated: Bool { flags & 0x0200 != 0 }
    public var recursionDesired: Bool { flags & 0x0100 != 0 }
    public var responseCode: UInt8 { UInt8(flags & 0xF) }

    /// A query for one name (RD set, as stub resolvers send).
    public static func query(id: UInt16, name: DNSName, type: UInt16) -> DNSMessage {
        DNSMessage(id: id, flags: 0x0100, questions: [DNSQuestion(name: name, type: type)])
    }

    /// The response to `query`: same ID, opcode, RD and question; QR and RA set; `code`.
    public static func response(to query: DNSMessage, code: UInt8, answers: [DNSRecord] = [], authoritative: Bool = false) -> DNSMessage {
        var flags: UInt16 = 0x8000 | 0x0080 | (query.flags & 0x7900) | UInt16(code & 0xF)
        if authoritative { flags |= 0x0400 }
        return DNSMessage(id: query.id, flags: flags, questions: query.questions, answers: answers)
    }

    // MARK: parsing

    /// Parses a whole message; fails on anything out of bounds or inconsistent.
    public static func parse(_ bytes: [UInt8]) throws(DNSFormatError) -> DNSMessage {
        var reader = DNSReader(bytes)
        let id = try reader.u16()
        let flags = try reader.u16()
        let counts = (try reader.u16(), try reader.u16(), try reader.u16(), try reader.u16())
        var message = DNSMessage(id: id, flags: flags)
        // Each question takes at least 5 bytes, each record 11: a count beyond what is left is a lie.
        guard Int(counts.0) * 5 + (Int(counts.1) + Int(counts.2) + Int(counts.3)) * 11 <= bytes.count - 12 else {
            throw DNSFormatError("section counts exceed the message", at: 4)
        }
        for _ in 0..<counts.0 {
            message.questions.append(DNSQuestion(name: try reader.name(), type: try reader.u16(), qclass: try reader.u16()))
        }
        for _ in 0..<counts.1 { message.answers.append(try reader.record()) }
        for _ in 0..<counts.2 { message.authorities.append(try reader.record()) }
        for _ in 0..<counts.3 { message.additionals.append(try reader.record()) }
        return message
    }

    /// Only the header's ID (for matching replies without parsing them).
    public static func peekID(_ bytes: [UInt8]) -> UInt16? {
        bytes.count >= 12 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil
    }

    // MARK: encoding

    /// The wire form, names compressed against earlier occurrences.
    public func encoded() -> [UInt8] {
        var writer = DNSWriter()
        writer.u16(id)
        writer.u16(flags)
        writer.u16(UInt16(clamping: questions.count))
        writer.u16(UInt16(clamping: answers.count))
        writer.u16(UInt16(clamping: authorities.count))
        writer.u16(UInt16(clamping: additionals.count))
        for question in questions {
            writer.name(question.name)
            writer.u16(question.type)
            writer.u16(question.qclass)
        }
        for record in answers + authorities + additionals { writer.record(record) }
        return writer.bytes
    }
}

/// A cursor over untrusted bytes; every read checks the bounds.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0
    /// Enough for any legal name (at most 127 labels), small enough to stop a loop at once.
    static let maxPointerHops = 128

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() throws(DNSFormatError) -> UInt8 {
        guard offset < bytes.count else { throw DNSFormatError("message ends early", at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSFormatError) -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }

    mutating func u32() throws(DNSFormatError) -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

    mutating func take(_ count: Int) throws(DNSFormatError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw DNSFormatError("field of \(count) bytes runs past the end", at: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A name at the cursor; the cursor ends after its first pointer or its root label.
    mutating func name() throws(DNSFormatError) -> DNSName {
        var labels: [[UInt8]] = []
        var position = offset
        var length = 1
        var hops = 0
        var resume: Int?
        while true {
            guard position < bytes.count else { throw DNSFormatError("name runs past the end", at: position) }
            let head = bytes[position]
            switch head & 0xC0 {
            case 0x00:
                if head == 0 {
                    offset = resume ?? position + 1
                    return DNSName(labels: labels)
                }
                let count = Int(head)
                guard position + 1 + count <= bytes.count else { throw DNSFormatError("label runs past the end", at: position) }
                length += count + 1
                guard length <= 255 else { throw DNSFormatError("name longer than 255 bytes", at: position) }
                labels.append(Array(bytes[position + 1..<position + 1 + count]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw DNSFormatError("pointer runs past the end", at: position) }
                let target = Int(head & 0x3F) << 8 | Int(bytes[position + 1])
                // Only backwards: a pointer to itself or ahead is how loops are built.
                guard target < position else { throw DNSFormatError("compression pointer to \(target) does not point backwards", at: position) }
                hops += 1
                guard hops <= Self.maxPointerHops else { throw DNSFormatError("too many compression pointers", at: position) }
                if resume == nil { resume = position + 2 }
                position = target
            default:
                throw DNSFormatError("unsupported label type 0x\(String(head, radix: 16))", at: position)
            }
        }
    }

    mutating func record() throws(DNSFormatError) -> DNSRecord {
        let name = try name()
        let type = try u16(), rclass = try u16(), ttl = try u32()
        let length = Int(try u16())
        let start = offset
        guard length <= bytes.count - start else { throw DNSFormatError("record data of \(length) bytes runs past the end", at: start) }
        let data: DNSRecord.Data
        if type == DNSType.a && rclass == DNSType.classIN {
            guard length == 4 else { throw DNSFormatError("A record of \(length) bytes", at: start) }
            data = .a(try u32())
        } else if type == DNSType.ptr {
            let target = try self.name()
            guard offset == start + length else { throw DNSFormatError("PTR data does not match its length", at: start) }
            data = .ptr(target)
        } else {
            data = .raw(try take(length))
        }
        offset = start + length
        return DNSRecord(name: name, type: type, rclass: rclass, ttl: ttl, data: data)
    }
}

/// Builds a message; remembers where each name suffix was written for compression.
struct DNSWriter {
    var bytes: [UInt8] = []
    private var suffixes: [[[UInt8]]: Int] = [:]

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    mutating func u32(_ value: UInt32) { u16(UInt16(value >> 16)); u16(UInt16(value & 0xFFFF)) }

    /// Compresses against exactly equal suffixes only (case kept: a client may check that its
    /// question's mixed case comes back).
    mutating func name(_ name: DNSName) {
        for index in name.labels.indices {
            let suffix = Array(name.labels[index...])
            if let at = suffixes[suffix] {
                u16(0xC000 | UInt16(at))
                return
            }
            if bytes.count < 0x3FFF { suffixes[suffix] = bytes.count }
            bytes.append(UInt8(name.labels[index].count))
            bytes += name.labels[index]
        }
        bytes.append(0)
    }

    mutating func record(_ record: DNSRecord) {
        name(record.name)
        u16(record.type)
        u16(record.rclass)
        u32(record.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch record.data {
        case .a(let address): u32(address)
        case .ptr(let target): name(target)
        case .raw(let data): bytes += data
        }
        let length = bytes.count - lengthAt - 2
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
