import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// A description of a directory tree — paths, types, modes, owners, sizes, content hashes,
/// link targets, device numbers, xattrs, mtimes and hard-link groups — in the version-1
/// format that `Tests/Fixtures/build-fixtures.py` writes (see Tests/Fixtures/README.md).
///
/// Fixtures ship the tree an image must unpack to; tests `scan` what they unpacked and ask
/// for the `differences`.
public struct TreeManifest: Codable, Sendable, Equatable {
    /// The only format version there is.
    public static let formatVersion = 1

    public var version: Int
    /// Sorted by the UTF-8 bytes of `path`.
    public var entries: [Entry]

    public init(entries: [Entry]) {
        version = Self.formatVersion
        self.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// One path of the tree.
    public struct Entry: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            case file, dir, symlink, fifo, char, block, socket
        }

        /// Relative to the root, no leading `./` or `/`.
        public var path: String
        public var type: Kind
        /// The 07777 permission bits as four octal digits (`"4755"`).
        public var mode: String
        public var uid: UInt32
        public var gid: UInt32
        /// Files only.
        public var size: UInt64?
        /// Files only: lower-case hex SHA-256 of the content.
        public var sha256: String?
        /// Symlinks only.
        public var target: String?
        /// Character and block devices only.
        public var devmajor: UInt32?
        public var devminor: UInt32?
        /// Extended attribute name → base64 of the value; absent means none.
        public var xattrs: [String: String]?
        /// Seconds since the epoch, non-directories only; absent in an expected manifest means "any".
        public var mtime: Int64?
        /// Set only on files that share an inode with another path of the tree; equal numbers, one inode.
        public var hardlinkGroup: Int?

        public init(path: String, type: Kind, mode: String, uid: UInt32 = 0, gid: UInt32 = 0,
                    size: UInt64? = nil, sha256: String? = nil, target: String? = nil,
                    devmajor: UInt32? = nil, devminor: UInt32? = nil, xattrs: [String: String]? = nil,
                    mtime: Int64? = nil, hardlinkGroup: Int? = nil) {
            self.path = path
            self.type = type
            self.mode = mode
            self.uid = uid
            self.gid = gid
            self.size = size
            self.sha256 = sha256
            self.target = target
            self.devmajor = devmajor
            self.devminor = devminor
            self.xattrs = xattrs
            self.mtime = mtime
            self.hardlinkGroup = hardlinkGroup
        }

        /// The xattr values decoded from base64.
        public var xattrValues: [String: [UInt8]] {
            (xattrs ?? [:]).compactMapValues { Data(base64Encoded: $0).map { Array($0) } }
        }
    }

    /// The entry for `path`, if any.
    public subscript(path: String) -> Entry? {
        entries.first { $0.path == path }
    }

    /// Paths of the tree in manifest order.
    public var paths: [String] { entries.map(\.path) }
}

/// Why a tree manifest could not be read, written or scanned: the step, the object, the cause.
public struct TreeManifestError: Error, CustomStringConvertible {
    public let what: String
    public let message: String
    public let cause: (any Error)?

    public init(what: String, message: String, cause: (any Error)? = nil) {
        self.what = what
        self.message = message
        self.cause = cause
    }

    public var description: String {
        "\(what): \(message)" + (cause.map { ": \($0)" } ?? "")
    }
}

// MARK: - reading and writing

extension TreeManifest {
    /// Decodes a manifest and checks its version and ordering.
    public static func decode(_ data: Data, source: String = "tree manifest") throws -> TreeManifest {
        let manifest: TreeManifest
        do {
            manifest = try JSONDecoder().decode(TreeManifest.self, from: data)
        } catch {
            throw TreeManifestError(what: "decode \(source)", message: "not a tree manifest", cause: error)
        }
        guard manifest.version == formatVersion else {
            throw TreeManifestError(what: "decode \(source)",
                                    message: "format version \(manifest.version), want \(formatVersion)")
        }
        for (previous, next) in zip(manifest.entries, manifest.entries.dropFirst())
        where !previous.path.utf8.lexicographicallyPrecedes(next.path.utf8) {
            throw TreeManifestError(what: "decode \(source)",
                                    message: "entries not sorted or duplicated at \"\(next.path)\"")
        }
        var groupSizes: [Int: Int] = [:]
        for entry in manifest.entries {
            if let group = entry.hardlinkGroup {
                guard entry.type != .dir else {
                    throw TreeManifestError(what: "decode \(source)", message: "directory \"\(entry.path)\" has a hardlinkGroup")
                }
                groupSizes[group, default: 0] += 1
            }
        }
        if let lonely = groupSizes.first(where: { $0.value == 1 }) {
            throw TreeManifestError(what: "decode \(source)",
                                    message: "hardlinkGroup \(lonely.key) has one entry; groups are for paths sharing an inode")
        }
        return manifest
    }

    /// Reads and decodes the manifest at `url`.
    public static func load(from url: URL) throws -> TreeManifest {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TreeManifestError(what: "read tree manifest \(url.path)", message: "cannot read", cause: error)
        }
        return try decode(data, source: url.path)
    }

    /// The manifest as JSON, one entry per line (the layout the fixture builder writes).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = "{\"version\":\(version),\"entries\":[\n"
        for (index, entry) in entries.enumerated() {
            text += String(decoding: try encoder.encode(entry), as: UTF8.self)
            text += index == entries.count - 1 ? "\n" : ",\n"
        }
        text += "]}\n"
        return Data(text.utf8)
    }
}

// MARK: - scanning a real directory

extension TreeManifest {
    /// The manifest of the tree under `root` (which itself is not an entry): lstat, readlink,
    /// every xattr (`user.*`, `trusted.*`, `security.*`, … — reading `trusted.*` needs root),
    /// a SHA-256 of each regular file, and hard-link groups from (st_dev, st_ino) of
    /// non-directories with st_nlink > 1 that have more than one path inside the tree.
    ///
    /// Names that are not valid UTF-8 are reported with replacement characters.
    public static func scan(root: String) throws -> TreeManifest {
        var scanner = TreeScanner()
        var rootBytes = Array(root.utf8)
        while rootBytes.count > 1 && rootBytes.last == UInt8(ascii: "/") { rootBytes.removeLast() }
        var st = stat()
        try call("lstat", root) { lstat(root, &st) }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw TreeManifestError(what: "scan \(root)", message: "not a directory")
        }
        try scanner.walk(directory: rootBytes, relative: [])
        return scanner.finish()
    }

    /// Runs a system call through `sys`, wrapping its `OSError` with the scan step.
    @discardableResult
    fileprivate static func call<T: FixedWidthInteger>(_ name: String, _ path: String, _ body: () -> T) throws -> T {
        do {
            return try sys(name, "\"\(path)\"", body)
        } catch {
            throw TreeManifestError(what: "scan \(path)", message: "\(name) failed", cause: error)
        }
    }
}

private struct InodeKey: Hashable {
    let device: UInt64
    let inode: UInt64
}

private struct TreeScanner {
    var entries: [TreeManifest.Entry] = []
    /// Index in `entries` of every non-directory with st_nlink > 1, by inode.
    var linked: [InodeKey: [Int]] = [:]
    /// Content hashes of files with st_nlink > 1, by inode.
    var hashes: [InodeKey: String] = [:]

    mutating func walk(directory: [UInt8], relative: [UInt8]) throws {
        for name in try Self.names(in: directory) {
            let full = directory + [UInt8(ascii: "/")] + name
            let rel = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
            let isDirectory = try scan(full: full, relative: rel)
            if isDirectory { try walk(directory: full, relative: rel) }
        }
    }

    /// Directory entry names (without `.` and `..`), as raw bytes.
    static func names(in directory: [UInt8]) throws -> [[UInt8]] {
        let path = String(decoding: directory, as: UTF8.self)
        let fd = try TreeManifest.call("open", path) {
            withCString(directory) { swdock_open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0) }
        }
        guard let stream = fdopendir(fd) else {
            let code = swdock_errno()
            _ = Glibc.close(fd)
            throw TreeManifestError(what: "scan \(path)", message: "fdopendir failed",
                                    cause: OSError(call: "fdopendir", object: "\"\(path)\"", errno: code))
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            swdock_set_errno(0)
            guard let entry = readdir(stream) else {
                let code = swdock_errno()
                if code != 0 {
                    throw TreeManifestError(what: "scan \(path)", message: "readdir failed",
                                            cause: OSError(call: "readdir", object: "\"\(path)\"", errno: code))
                }
                break
            }
            let name: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names
    }

    /// Records one path; returns whether it is a directory to descend into.
    mutating func scan(full: [UInt8], relative: [UInt8]) throws -> Bool {
        let fullPath = String(decoding: full, as: UTF8.self)
        var st = stat()
        try TreeManifest.call("lstat", fullPath) { withCString(full) { lstat($0, &st) } }
        let format = st.st_mode & S_IFMT
        let kind: TreeManifest.Entry.Kind
        switch format {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .dir
        case S_IFLNK: kind = .symlink
        case S_IFIFO: kind = .fifo
        case S_IFCHR: kind = .char
        case S_IFBLK: kind = .block
        case S_IFSOCK: kind = .socket
        default:
            throw TreeManifestError(what: "scan \(fullPath)", message: "unknown file type \(format)")
        }
        var entry = TreeManifest.Entry(path: String(decoding: relative, as: UTF8.self), type: kind,
                                       mode: octalMode(UInt32(st.st_mode)), uid: st.st_uid, gid: st.st_gid)
        switch kind {
        case .file:
            entry.size = UInt64(st.st_size)
            // Hard links share content: hash each inode once (busybox has ~270 links to one file).
            let key = InodeKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if st.st_nlink > 1, let known = hashes[key] {
                entry.sha256 = known
            } else {
                let sum = try Self.sha256(of: full)
                if st.st_nlink > 1 { hashes[key] = sum }
                entry.sha256 = sum
            }
        case .symlink:
            entry.target = try Self.readLink(full)
        case .char, .block:
            let device = UInt64(st.st_rdev)
            entry.devmajor = UInt32(truncatingIfNeeded: ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff)))
            entry.devminor = UInt32(truncatingIfNeeded: (device & 0xff) | ((device >> 12) & ~UInt64(0xff)))
        default:
            break
        }
        let xattrs = try Self.xattrs(of: full)
        if !xattrs.isEmpty { entry.xattrs = xattrs }
        if kind != .dir {
            entry.mtime = Int64(st.st_mtim.tv_sec)
            if st.st_nlink > 1 {
                linked[InodeKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), default: []].append(entries.count)
            }
        }
        entries.append(entry)
        return kind == .dir
    }

    mutating func finish() -> TreeManifest {
        var manifest = TreeManifest(entries: [])
        // Number the groups in the order of their first path, as the fixture builder does.
        var groupOf: [String: Int] = [:]
        var members: [[String]] = []
        for indices in linked.values where indices.count > 1 {
            members.append(indices.map { entries[$0].path }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
        members.sort { $0[0].utf8.lexicographicallyPrecedes($1[0].utf8) }
        for (number, paths) in members.enumerated() {
            for path in paths { groupOf[path] = number + 1 }
        }
        for index in entries.indices {
            entries[index].hardlinkGroup = groupOf[entries[index].path]
        }
        manifest.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return manifest
    }

    static func sha256(of path: [UInt8]) throws -> String {
        let display = String(decoding: path, as: UTF8.self)
        let fd = try TreeManifest.call("open", display) {
            withCString(path) { swdock_open($0, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0) }
        }
        defer { _ = Glibc.close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try TreeManifest.call("read", display) {
                buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        return hasher.finalize().map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined()
    }

    static func readLink(_ path: [UInt8]) throws -> String {
        let display = String(decoding: path, as: UTF8.self)
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let count = try TreeManifest.call("readlink", display) {
                withCString(path) { name in
                    buffer.withUnsafeMutableBytes { readlink(name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), capacity) }
                }
            }
            if count < capacity { return String(decoding: buffer[..<count], as: UTF8.self) }
            capacity *= 4
        }
    }

    /// Every extended attribute of `path` (not following a symlink), values in base64.
    static func xattrs(of path: [UInt8]) throws -> [String: String] {
        let display = String(decoding: path, as: UTF8.self)
        var names: [UInt8] = []
        while true {
            let size: Int
            do {
                size = try sys("llistxattr", "\"\(display)\"") { withCString(path) { llistxattr($0, nil, 0) } }
            } catch where error.errno == EOPNOTSUPP {
                return [:]
            } catch {
                throw TreeManifestError(what: "scan \(display)", message: "llistxattr failed", cause: error)
            }
            if size == 0 { return [:] }
            var buffer = [UInt8](repeating: 0, count: size)
            do {
                let got = try sys("llistxattr", "\"\(display)\"") {
                    withCString(path) { name in
                        buffer.withUnsafeMutableBytes { llistxattr(name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), size) }
                    }
                }
                names = Array(buffer[..<got])
                break
            } catch where error.errno == ERANGE {
                continue  // the list grew between the two calls
            } catch {
                throw TreeManifestError(what: "scan \(display)", message: "llistxattr failed", cause: error)
            }
        }
        var result: [String: String] = [:]
        for nameBytes in names.split(separator: 0, omittingEmptySubsequences: true) {
            let name = String(decoding: nameBytes, as: UTF8.self)
            let cName = Array(nameBytes) + [0]
            while true {
                let size: Int
                do {
                    size = try sys("lgetxattr", "\"\(display)\" \(name)") {
                        withCString(path) { p in cName.withUnsafeBufferPointer { lgetxattr(p, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), nil, 0) } }
                    }
                } catch where error.errno == ENODATA {
                    break  // removed between list and get
                } catch {
                    throw TreeManifestError(what: "scan \(display)", message: "lgetxattr \(name) failed", cause: error)
                }
                var value = [UInt8](repeating: 0, count: max(size, 1))
                do {
                    let got = try sys("lgetxattr", "\"\(display)\" \(name)") {
                        withCString(path) { p in
                            cName.withUnsafeBufferPointer { n in
                                value.withUnsafeMutableBytes {
                                    lgetxattr(p, UnsafeRawPointer(n.baseAddress!).assumingMemoryBound(to: CChar.self), $0.baseAddress, size)
                                }
                            }
                        }
                    }
                    result[name] = Data(value[..<got]).base64EncodedString()
                    break
                } catch where error.errno == ERANGE {
                    continue
                } catch {
                    throw TreeManifestError(what: "scan \(display)", message: "lgetxattr \(name) failed", cause: error)
                }
            }
        }
        return result
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string.
private func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    (bytes + [0]).withUnsafeBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count, body)
    }
}

/// The 07777 bits of `mode` as four octal digits.
public func octalMode(_ mode: UInt32) -> String {
    let text = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
}

// MARK: - comparing

extension TreeManifest {
    /// What `differences` leaves out of the comparison.
    public enum Ignore: Sendable, Hashable {
        /// Every mtime.
        case mtime
        /// Hard-link groups.
        case hardlinks
        /// Every xattr.
        case xattrs
        /// Xattrs whose name starts with the prefix (e.g. `"security.selinux"`, `"trusted.overlay."`).
        case xattrPrefix(String)
        /// uid and gid.
        case ownership
        /// The permission bits.
        case mode
        /// This path and everything below it.
        case path(String)
    }

    /// Human-readable lines, one per difference (`bin/sh: type symlink, want file`), empty
    /// when `actual` matches `expected`.
    ///
    /// Fields absent from an expected entry (such as `mtime` on whiteouts) are not compared.
    /// Hard links compare as a partition: the paths that share an inode must be the same sets.
    public static func differences(expected: TreeManifest, actual: TreeManifest,
                                   ignoring: [Ignore] = []) -> [String] {
        let ignoredPaths = ignoring.compactMap { rule -> String? in
            if case .path(let path) = rule { return path } else { return nil }
        }
        let ignoredXattrPrefixes = ignoring.compactMap { rule -> String? in
            if case .xattrPrefix(let prefix) = rule { return prefix } else { return nil }
        }
        func isIgnored(_ path: String) -> Bool {
            ignoredPaths.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }
        func keptXattrs(_ entry: Entry) -> [String: String] {
            if ignoring.contains(.xattrs) { return [:] }
            return (entry.xattrs ?? [:]).filter { name, _ in !ignoredXattrPrefixes.contains { name.hasPrefix($0) } }
        }

        let want = Dictionary(expected.entries.filter { !isIgnored($0.path) }.map { ($0.path, $0) },
                              uniquingKeysWith: { first, _ in first })
        let have = Dictionary(actual.entries.filter { !isIgnored($0.path) }.map { ($0.path, $0) },
                              uniquingKeysWith: { first, _ in first })
        let allPaths = Set(want.keys).union(have.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        var lines: [String] = []
        for path in allPaths {
            switch (want[path], have[path]) {
            case (let w?, nil):
                lines.append("\(path): missing, want \(w.type.rawValue)")
            case (nil, let h?):
                lines.append("\(path): unexpected \(h.type.rawValue)")
            case (let w?, let h?):
                lines += compare(w, h, xattrsWanted: keptXattrs(w), xattrsHad: keptXattrs(h), ignoring: ignoring)
            case (nil, nil):
                break
            }
        }
        if !ignoring.contains(.hardlinks) {
            lines += compareHardlinks(want: want, have: have)
        }
        return lines
    }

    private static func compare(_ w: Entry, _ h: Entry, xattrsWanted: [String: String], xattrsHad: [String: String],
                                ignoring: [Ignore]) -> [String] {
        let path = w.path
        guard w.type == h.type else {
            return ["\(path): type \(h.type.rawValue), want \(w.type.rawValue)"]
        }
        var lines: [String] = []
        if !ignoring.contains(.mode) && w.mode != h.mode {
            lines.append("\(path): mode \(h.mode), want \(w.mode)")
        }
        if !ignoring.contains(.ownership) && (w.uid != h.uid || w.gid != h.gid) {
            lines.append("\(path): owner \(h.uid):\(h.gid), want \(w.uid):\(w.gid)")
        }
        if let size = w.size, size != h.size {
            lines.append("\(path): size \(h.size.map(String.init) ?? "none"), want \(size)")
        }
        if let sum = w.sha256, sum != h.sha256 {
            lines.append("\(path): content sha256 \(h.sha256 ?? "none"), want \(sum)")
        }
        if w.type == .symlink && w.target != h.target {
            lines.append("\(path): target \"\(h.target ?? "")\", want \"\(w.target ?? "")\"")
        }
        if (w.type == .char || w.type == .block) && (w.devmajor != h.devmajor || w.devminor != h.devminor) {
            lines.append("\(path): device \(h.devmajor ?? 0):\(h.devminor ?? 0), want \(w.devmajor ?? 0):\(w.devminor ?? 0)")
        }
        for name in Set(xattrsWanted.keys).union(xattrsHad.keys).sorted() {
            switch (xattrsWanted[name], xattrsHad[name]) {
            case (let value?, nil):
                lines.append("\(path): xattr \(name) missing, want \(value) (base64)")
            case (nil, let value?):
                lines.append("\(path): unexpected xattr \(name) = \(value) (base64)")
            case (let wanted?, let had?) where wanted != had:
                lines.append("\(path): xattr \(name) = \(had), want \(wanted) (base64)")
            default:
                break
            }
        }
        if !ignoring.contains(.mtime), let mtime = w.mtime, w.type != .dir, mtime != h.mtime {
            lines.append("\(path): mtime \(h.mtime.map(String.init) ?? "none"), want \(mtime)")
        }
        return lines
    }

    /// Compares which paths share an inode, independent of the group numbers chosen.
    private static func compareHardlinks(want: [String: Entry], have: [String: Entry]) -> [String] {
        func partition(_ entries: [String: Entry]) -> [String: [String]] {
            var groups: [Int: [String]] = [:]
            for (path, entry) in entries { if let group = entry.hardlinkGroup { groups[group, default: []].append(path) } }
            var result: [String: [String]] = [:]
            for paths in groups.values {
                let sorted = paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                for path in sorted { result[path] = sorted }
            }
            return result
        }
        let wanted = partition(want), had = partition(have)
        var lines: [String] = []
        var reported = Set<[String]>()
        for path in Set(wanted.keys).union(had.keys).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard want[path] != nil, have[path] != nil else { continue }  // reported as missing/unexpected
            // Paths missing on one side are reported above; compare only the paths both sides have.
            let w = (wanted[path] ?? [path]).filter { have[$0] != nil }
            let h = (had[path] ?? [path]).filter { want[$0] != nil }
            guard w != h, !reported.contains(w + ["|"] + h) else { continue }
            reported.insert(w + ["|"] + h)
            let describe = { (paths: [String]) in paths.count <= 1 ? "none" : paths.joined(separator: ", ") }
            lines.append("\(path): hard links \(describe(h)), want \(describe(w))")
        }
        return lines
    }
}
