#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// Where each regular file of a tar archive on disk lies, found by reading only its headers.
///
/// `docker load` archives (docker-archive and OCI layouts) are tars of plain files whose
/// order is not fixed (`manifest.json` or `index.json` may come last), so the archive is
/// spooled to a file and indexed; each member is then read in place (`read(_:)`), hashed and
/// copied in chunks, never held in memory whole.
///
/// Understands ustar (with its name prefix), GNU long names (`L`, `K`), PAX extended headers
/// (`path`, `linkpath`, `size`), hard links to earlier members; sizes in base-256. A member whose data runs past the end of the file, a
/// header whose checksum is wrong, or a name that climbs out of the archive is an error that
/// names the member and the offset.
struct TarIndex {
    struct Member: Sendable {
        var name: String
        /// Offset of the member's first data byte in the file.
        var offset: Int64
        var size: Int64
    }

    let path: String
    let fd: FileDescriptor
    /// Regular files by their normalised name (no leading `./`, no trailing `/`).
    private(set) var members: [String: Member] = [:]

    /// Opens and indexes `path`; the caller closes it with `close()`.
    init(path: String) throws(EngineError) {
        self.path = path
        do { fd = try FileDescriptor.open(path, O_RDONLY) } catch {
            throw EngineError(.system, "open image archive \(path)", cause: error)
        }
        do {
            try scan()
        } catch {
            fd.close()
            throw error
        }
    }

    func close() { fd.close() }

    func member(_ name: String) -> Member? { members[Self.normalise(name)] }

    static func normalise(_ name: String) -> String {
        var parts: [Substring] = []
        for part in name.split(separator: "/") where part != "." && !part.isEmpty { parts.append(part) }
        return parts.joined(separator: "/")
    }

    private mutating func scan() throws(EngineError) {
        let fileSize: Int64
        do {
            var info = stat()
            _ = try sys("fstat", path) { fstat(fd.rawValue, &info) }
            fileSize = Int64(info.st_size)
        }  catch {
            throw EngineError(.system, "stat image archive \(path)", cause: error)
        }
        var offset: Int64 = 0
        var longName: String?
        var longLink: String?
        var paxPath: String?
        var paxLinkPath: String?
        var paxSize: Int64?
        while offset + 512 <= fileSize {
            let header = try read(at: offset, count: 512)
            if header.allSatisfy({ $0 == 0 }) { return }  // end-of-archive marker
            guard Self.checksumMatches(header) else {
                throw EngineError(.invalidArgument, "invalid image archive: bad tar header at offset \(offset) (not a tar file, or corrupt)")
            }
            let type = header[156]
            var size = try Self.number(header[124..<136], at: offset)
            if let paxSize, type != UInt8(ascii: "x"), type != UInt8(ascii: "g") { size = paxSize }
            let dataOffset = offset + 512
            let next = dataOffset + (size + 511) / 512 * 512
            let rawName: String = {
                let name = Self.string(header[0..<100])
                let magic = Self.string(header[257..<263])
                let prefix = magic.hasPrefix("ustar") ? Self.string(header[345..<500]) : ""
                return prefix.isEmpty ? name : prefix + "/" + name
            }()
            let name = paxPath ?? longName ?? rawName
            guard dataOffset + size <= fileSize else {
                throw EngineError(.invalidArgument, "invalid image archive: truncated in \"\(name)\" (needs \(dataOffset + size) bytes, the archive has \(fileSize))")
            }
            switch type {
            case UInt8(ascii: "L"):
                longName = Self.string(ArraySlice(try read(at: dataOffset, count: Int(min(size, 1 << 16)))))
            case UInt8(ascii: "K"):
                longLink = Self.string(ArraySlice(try read(at: dataOffset, count: Int(min(size, 1 << 16)))))
            case UInt8(ascii: "x"):
                let records = try Self.pax(try read(at: dataOffset, count: Int(min(size, 1 << 20))), at: offset)
                if let path = records["path"] { paxPath = path }
                if let path = records["linkpath"] { paxLinkPath = path }
                if let text = records["size"] {
                    guard let value = Int64(text), value >= 0 else {
                        throw EngineError(.invalidArgument, "invalid image archive: bad PAX size \"\(text)\" at offset \(offset)")
                    }
                    paxSize = value
                }
            case UInt8(ascii: "g"):
                break  // global PAX records carry nothing a load needs
            default:
                let normalised = Self.normalise(name)
                if type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7") || type == UInt8(ascii: "1") {
                    guard !name.hasPrefix("/"), !normalised.split(separator: "/").contains("..") else {
                        throw EngineError(.invalidArgument, "invalid image archive: member \"\(name)\" points outside the archive")
                    }
                }
                if type == UInt8(ascii: "1") {
                    // A hard link names an earlier member's bytes (tar writers dedupe equal files so).
                    let target = Self.normalise(paxLinkPath ?? longLink ?? Self.string(header[157..<257]))
                    if let linked = members[target] { members[normalised] = Member(name: normalised, offset: linked.offset, size: linked.size) }
                } else if type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7") {
                    members[normalised] = Member(name: normalised, offset: dataOffset, size: size)
                }
                longLink = nil
                paxLinkPath = nil
                longName = nil
                paxPath = nil
                paxSize = nil
            }
            offset = next
        }
        if offset < fileSize {
            throw EngineError(.invalidArgument, "invalid image archive: truncated tar header at offset \(offset) (archive of \(fileSize) bytes)")
        }
    }

    /// `count` bytes at `offset` of the archive.
    func read(at offset: Int64, count: Int) throws(EngineError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n: Int
            do {
                n = try sys("pread", path) {
                    buffer.withUnsafeMutableBytes { raw in pread(fd.rawValue, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
                }
            } catch {
                throw EngineError(.system, "read image archive \(path) at \(offset)", cause: error)
            }
            if n == 0 { throw EngineError(.invalidArgument, "invalid image archive: ends at \(offset + Int64(done)), \(count - done) bytes early") }
            done += n
        }
        return buffer
    }

    /// The whole (small) member `name`: manifest.json, index.json, configs.
    func contents(_ name: String, limit: Int64 = 64 << 20) throws(EngineError) -> [UInt8]? {
        guard let member = member(name) else { return nil }
        guard member.size <= limit else {
            throw EngineError(.invalidArgument, "invalid image archive: \(name) is \(member.size) bytes (over \(limit))")
        }
        return try read(at: member.offset, count: Int(member.size))
    }

    /// Calls `body` with the member's bytes in chunks of up to 1 MiB, in order.
    func forEachChunk(of member: Member, _ body: (UnsafeRawBufferPointer) throws(EngineError) -> Void) throws(EngineError) {
        var position: Int64 = 0
        while position < member.size {
            let count = Int(min(Int64(1 << 20), member.size - position))
            let chunk = try read(at: member.offset + position, count: count)
            // withUnsafeBytes does not carry a typed error through: hand it out by hand.
            var failure: EngineError?
            chunk.withUnsafeBytes { raw in
                do throws(EngineError) { try body(raw) } catch { failure = error }
            }
            if let failure { throw failure }
            position += Int64(count)
        }
    }

    /// The sha256 digest of a member, read in chunks.
    func digest(of member: Member) throws(EngineError) -> Digest {
        var digester = SHA256Digester()
        try forEachChunk(of: member) { digester.update($0) }
        return digester.finalize()
    }

    // MARK: Header fields

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    private static func number(_ field: ArraySlice<UInt8>, at offset: Int64) throws(EngineError) -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            // base-256 (GNU, Go for sizes ≥ 8 GiB)
            var value: Int64 = Int64(first & 0x7f)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 8 else { throw EngineError(.invalidArgument, "invalid image archive: size overflow at offset \(offset)") }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        let text = string(field).trimmingSpaces
        if text.isEmpty { return 0 }
        guard let value = Int64(text, radix: 8), value >= 0 else {
            throw EngineError(.invalidArgument, "invalid image archive: bad tar size field \"\(text)\" at offset \(offset)")
        }
        return value
    }

    private static func checksumMatches(_ header: [UInt8]) -> Bool {
        var unsigned = 0
        var signed = 0
        for (index, byte) in header.enumerated() {
            let value = (148..<156).contains(index) ? 32 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        let text = string(header[148..<156]).trimmingSpaces
        guard let stored = Int(text, radix: 8) else { return false }
        return stored == unsigned || stored == signed
    }

    /// PAX records: `"<length> <key>=<value>\n"` each.
    private static func pax(_ bytes: [UInt8], at offset: Int64) throws(EngineError) -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)), length > 0,
                  index + length <= bytes.count else {
                if bytes[index...].allSatisfy({ $0 == 0 }) { break }
                throw EngineError(.invalidArgument, "invalid image archive: bad PAX header at offset \(offset)")
            }
            let record = bytes[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                records[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] =
                    String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            index += length
        }
        return records
    }
}

private extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " { scalars.removeFirst() }
        while let last = scalars.last, last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
