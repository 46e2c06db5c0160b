#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CSwdockSys
import Crypto
import SwdockOCI
import SwdockOS

/// What `LayerWriter` produced.
public struct LayerWriteResult: Sendable, Equatable {
    /// sha256 of the tar stream (the layer's diffID; also its digest, as it is uncompressed).
    public var diffID: SwdockOCI.Digest
    /// Bytes of the tar stream.
    public var size: Int64
    /// Tar entries written (whiteouts included).
    public var entryCount: Int
}

/// Writes a container's writable layer as an image layer: an uncompressed tar stream (PAX
/// where needed: long names, xattrs, big sizes) with Docker's whiteouts, the inverse of
/// `LayerApplier`. Entries come in depth-first order with sorted names, parents first.
///
/// - `overlayUpper`: every entry of an overlayfs upper directory; a 0:0 character device
///   becomes an empty `.wh.NAME` (mode 0600, the device's owner and times), and a directory
///   with `trusted.overlay.opaque=y` is followed by `.wh..wh..opq` — moby's overlay
///   whiteout converter.
/// - `changes`: the entries a change list (`LayerChanges.trees`) names in a full tree; a
///   deletion becomes `.wh.NAME` in its parent — moby's `ExportChanges`.
///
/// xattrs go into the headers except overlayfs' own `trusted.overlay.*`. Files linked more
/// than once inside the layer become hard-link entries to their first path. Nothing is
/// followed: symlinks are stored as links, paths are walked through directory fds.
public enum LayerWriter {
    /// Writes the layer of the overlay upper directory `upper` to `output`, leaving out the
    /// paths in `excluding` (absolute, `/etc/hosts`) and what is below them.
    public static func overlayUpper(_ upper: String, excluding: Set<String> = [],
                                    to output: FileDescriptor) throws(ArchiveError) -> LayerWriteResult {
        try overlayUpper(upper, excluding: excluding, to: [output])
    }

    /// `overlayUpper` writing every byte to each of `outputs` in turn (a file and a pipe to an applier).
    public static func overlayUpper(_ upper: String, excluding: Set<String> = [],
                                    to outputs: [FileDescriptor]) throws(ArchiveError) -> LayerWriteResult {
        let writer = try TarStreamWriter(outputs: outputs)
        do {
            let walker = try TreeWalk(root: upper)
            defer { walker.close() }
            var links = HardLinks()
            // Directories above excluded mount points (`etc` for `/etc/hosts`) are in the upper
            // only because the engine made those mount points: written only when an entry below
            // them is (as Docker keeps them in its init layer, a container that changed nothing
            // commits an empty layer).
            let holders = Set(excluding.flatMap { LayerChanges.ancestors(of: $0) })
            var pending: [PendingDirectory] = []
            func flush(before path: String) throws(OSError) {
                while let first = pending.first, path.hasPrefix(first.path + "/") {
                    try writer.directory(first)
                    pending.removeFirst()
                }
            }
            var unsupported: String?
            try walker.walk { entry throws(OSError) -> Bool in
                // Sockets cannot be archived (Docker skips them too).
                if excluding.contains("/" + entry.path) || entry.info.st_mode & S_IFMT == S_IFSOCK || unsupported != nil { return false }
                if try TreeWalk.needsMergedView(entry) {
                    unsupported = entry.path
                    return false
                }
                pending.removeAll { !entry.path.hasPrefix($0.path + "/") }
                if TreeWalk.isWhiteout(entry.info) {
                    try flush(before: entry.path)
                    try writer.whiteout(LayerWriter.whiteoutPath(entry.path), like: entry.info)
                    return false
                }
                if entry.info.st_mode & S_IFMT == S_IFDIR, holders.contains("/" + entry.path),
                   !(try TreeWalk.isOpaque(entry.directory, entry.name)) {
                    pending.append(PendingDirectory(path: entry.path, info: entry.info,
                                                    xattrs: try TreeWalk.xattrs(entry.directory, entry.name)))
                    return true
                }
                try flush(before: entry.path)
                try writer.add(entry.directory, entry.name, path: entry.path, info: entry.info, links: &links)
                if entry.info.st_mode & S_IFMT == S_IFDIR, try TreeWalk.isOpaque(entry.directory, entry.name) {
                    var marker = entry.info
                    marker.st_mode = S_IFREG | (entry.info.st_mode & 0o777)
                    try writer.whiteout(entry.path + "/.wh..wh..opq", like: marker, mode: entry.info.st_mode & 0o777)
                }
                return true
            }
            if let unsupported { throw TreeWalk.unsupported(unsupported) }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.io, "write the layer of \"\(upper)\"", cause: error as? OSError)
        }
        return try writer.finish()
    }

    /// Writes the entries `changes` names in the full tree `tree` to `output` (added and
    /// modified entries from the tree, directories without their content; deletions as whiteouts).
    public static func changes(_ changes: [LayerChange], in tree: String,
                               to output: FileDescriptor) throws(ArchiveError) -> LayerWriteResult {
        try self.changes(changes, in: tree, to: [output])
    }

    /// `changes` writing every byte to each of `outputs` in turn.
    public static func changes(_ changes: [LayerChange], in tree: String,
                               to outputs: [FileDescriptor]) throws(ArchiveError) -> LayerWriteResult {
        let writer = try TarStreamWriter(outputs: outputs)
        do {
            let rootFD = try sys("open", "\"\(tree)\"") { swdock_openat(AT_FDCWD, tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            defer { Glibc.close(rootFD) }
            var links = HardLinks()
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            for change in changes {
                let path = String(change.path.drop { $0 == "/" })
                guard !path.isEmpty else { continue }
                if change.kind == .deleted {
                    var info = stat()
                    info.st_mode = S_IFREG | 0o600
                    info.st_mtim = now
                    info.st_atim = now
                    try writer.whiteout(whiteoutPath(path), like: info)
                    continue
                }
                let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
                let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
                let directory = parent.isEmpty ? rootFD : try sys("openat2", "\"\(parent)\" in \"\(tree)\"") {
                    swdock_openat2(rootFD, parent, UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0,
                                   SWDOCK_RESOLVE_IN_ROOT | SWDOCK_RESOLVE_NO_SYMLINKS)
                }
                defer { if directory != rootFD { Glibc.close(directory) } }
                var info = stat()
                try sys("fstatat", "\"\(path)\" in \"\(tree)\"") { fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) }
                if info.st_mode & S_IFMT == S_IFSOCK { continue }
                try writer.add(directory, name, path: path, info: info, links: &links)
            }
        } catch {
            throw ArchiveError(.io, "write the changes of \"\(tree)\"", cause: error)
        }
        return try writer.finish()
    }

    /// `dir/.wh.name` for `dir/name`.
    static func whiteoutPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return ".wh." + path }
        return String(path[...slash]) + ".wh." + String(path[path.index(after: slash)...])
    }
}

/// A directory whose header is written only if an entry below it is.
struct PendingDirectory {
    var path: String
    var info: stat
    var xattrs: [(String, [UInt8])]
}

/// The first path of each inode linked more than once, to write later links as hard links.
struct HardLinks {
    private var first: [UInt64: String] = [:]

    /// The earlier path of this inode, or nil (and it is remembered) when this is the first.
    mutating func earlierPath(_ info: stat, _ path: String) -> String? {
        guard info.st_nlink > 1, info.st_mode & S_IFMT != S_IFDIR else { return nil }
        let key = UInt64(info.st_ino)
        if let earlier = first[key] { return earlier }
        first[key] = path
        return nil
    }
}

/// libarchive's tar writer (PAX restricted: ustar unless an entry needs PAX records) feeding
/// a file descriptor, hashing every byte it writes.
final class TarStreamWriter {
    private let archive: OpaquePointer
    private let sink: Sink
    private var entries = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)

    final class Sink {
        let outputs: [FileDescriptor]
        var hasher = SHA256()
        var bytes: Int64 = 0
        var error: OSError?
        init(outputs: [FileDescriptor]) { self.outputs = outputs }
    }

    init(outputs: [FileDescriptor]) throws(ArchiveError) {
        guard let archive = archive_write_new() else { throw ArchiveError(.io, "create a tar writer: out of memory") }
        self.archive = archive
        sink = Sink(outputs: outputs)
        archive_write_set_format_pax_restricted(archive)
        // No padding of the last block to 10 KiB: the stream ends after its two zero blocks, as Go's tar writer.
        archive_write_set_bytes_in_last_block(archive, 1)
        archive_write_set_bytes_per_block(archive, 1 << 20)
        let status = archive_write_open(archive, Unmanaged.passUnretained(sink).toOpaque(), nil, { _, context, bytes, count in
            let sink = Unmanaged<TarStreamWriter.Sink>.fromOpaque(context!).takeUnretainedValue()
            let block = UnsafeRawBufferPointer(start: bytes, count: count)
            sink.hasher.update(bufferPointer: block)
            do throws(OSError) { for output in sink.outputs { try writeFully(output, block) } } catch {
                sink.error = error
                return -1
            }
            sink.bytes += Int64(count)
            return count
        }, nil)
        if status != ARCHIVE_OK {
            let message = String(cString: archive_error_string(archive))
            archive_write_free(archive)
            throw ArchiveError(.io, "open the tar writer: \(message)")
        }
    }

    deinit {
        archive_write_free(archive)
        buffer.deallocate()
    }

    private func failure(_ step: String) -> ArchiveError {
        if let error = sink.error { return ArchiveError(.io, step, cause: error) }
        let text = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(.io, "\(step): \(text)")
    }

    /// The entry `name` of `directory` (at `path` in the layer) with its data, link target and xattrs.
    func add(_ directory: Int32, _ name: String, path: String, info: stat, links: inout HardLinks) throws(OSError) {
        guard let entry = archive_entry_new() else { throw OSError(call: "archive_entry_new", object: path, errno: ENOMEM) }
        defer { archive_entry_free(entry) }
        var info = info
        let type = info.st_mode & S_IFMT
        archive_entry_copy_stat(entry, &info)
        archive_entry_set_pathname_utf8(entry, type == S_IFDIR ? path + "/" : path)
        if let earlier = links.earlierPath(info, path) {
            archive_entry_set_hardlink_utf8(entry, earlier)
            archive_entry_set_size(entry, 0)
            try writeHeader(entry, path)
            return
        }
        if type == S_IFLNK {
            let target = try TreeWalk.linkTarget(directory, name)
            archive_entry_set_symlink_utf8(entry, String(decoding: target, as: UTF8.self))
            archive_entry_set_size(entry, 0)
        } else if type != S_IFREG {
            archive_entry_set_size(entry, 0)
        }
        for (attribute, value) in try TreeWalk.xattrs(directory, name) where !attribute.hasPrefix("trusted.overlay.") {
            value.withUnsafeBytes { archive_entry_xattr_add_entry(entry, attribute, $0.baseAddress, value.count) }
        }
        try writeHeader(entry, path)
        guard type == S_IFREG, info.st_size > 0 else { return }
        let fd = try sys("openat", "\"\(path)\"") { swdock_openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0) }
        defer { Glibc.close(fd) }
        var remaining = Int64(info.st_size)
        while remaining > 0 {
            let count = try sys("read", "\"\(path)\"") { read(fd, buffer.baseAddress!, min(buffer.count, Int(remaining))) }
            // A file that shrank while it was read: the header promised its size, libarchive pads with zeros.
            if count == 0 { break }
            let written = archive_write_data(archive, buffer.baseAddress, count)
            if written < 0 { throw OSError(call: "archive_write_data", object: "\"\(path)\": \(failure("write").description)", errno: EIO) }
            remaining -= Int64(count)
        }
    }

    /// A directory header captured earlier.
    func directory(_ pending: PendingDirectory) throws(OSError) {
        guard let entry = archive_entry_new() else { throw OSError(call: "archive_entry_new", object: pending.path, errno: ENOMEM) }
        defer { archive_entry_free(entry) }
        var info = pending.info
        archive_entry_copy_stat(entry, &info)
        archive_entry_set_pathname_utf8(entry, pending.path + "/")
        archive_entry_set_size(entry, 0)
        for (attribute, value) in pending.xattrs where !attribute.hasPrefix("trusted.overlay.") {
            value.withUnsafeBytes { archive_entry_xattr_add_entry(entry, attribute, $0.baseAddress, value.count) }
        }
        try writeHeader(entry, pending.path)
    }

    /// An empty regular file `path` with the owner and times of `info` (mode 0600 unless given).
    func whiteout(_ path: String, like info: stat, mode: mode_t = 0o600) throws(OSError) {
        guard let entry = archive_entry_new() else { throw OSError(call: "archive_entry_new", object: path, errno: ENOMEM) }
        defer { archive_entry_free(entry) }
        var info = info
        info.st_mode = S_IFREG | mode
        info.st_size = 0
        info.st_rdev = 0
        info.st_nlink = 1
        archive_entry_copy_stat(entry, &info)
        archive_entry_set_pathname_utf8(entry, path)
        try writeHeader(entry, path)
    }

    private func writeHeader(_ entry: OpaquePointer, _ path: String) throws(OSError) {
        let status = archive_write_header(archive, entry)
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            throw OSError(call: "archive_write_header", object: "\"\(path)\": \(failure("write header").description)", errno: EIO)
        }
        entries += 1
    }

    /// Ends the archive (two zero blocks) and returns the stream's digest and size.
    func finish() throws(ArchiveError) -> LayerWriteResult {
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure("end the tar stream") }
        return LayerWriteResult(diffID: SwdockOCI.Digest(sha256Hex: sink.hasher.finalize().hexString), size: sink.bytes,
                                entryCount: entries)
    }
}

/// Writes all of `bytes` to `output`, looping over short writes, without copying them.
func writeFully(_ output: FileDescriptor, _ bytes: UnsafeRawBufferPointer) throws(OSError) {
    var offset = 0
    while offset < bytes.count {
        offset += try sys("write", "fd \(output.rawValue)") { Glibc.write(output.rawValue, bytes.baseAddress! + offset, bytes.count - offset) }
    }
}
