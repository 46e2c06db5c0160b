#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CSwdockSys
import SwdockOS

/// The owner every extracted entry gets instead of its own (see `LayerApplyOptions.owner`).
public struct ArchiveOwner: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public init(uid: UInt32, gid: UInt32) { self.uid = uid; self.gid = gid }
}

/// A renaming of archive entries (see `LayerApplyOptions.rebase`).
public struct ArchiveRebase: Sendable, Equatable {
    public var from: String
    public var to: String
    public init(from: String, to: String) { self.from = from; self.to = to }

    /// `name` with the first occurrence of `from` replaced (Go's `strings.Replace(name, from, to, 1)`).
    func apply(_ name: UnsafePointer<CChar>) -> [CChar] {
        let bytes = Array(UnsafeBufferPointer(start: name, count: strlen(name))).map { UInt8(bitPattern: $0) }
        // The root's archive is named `/…`: it goes below the new name (Docker's rebase of "/").
        let old = Array(from.utf8), new = Array((from == "/" && !to.hasSuffix("/") ? to + "/" : to).utf8)
        var result = bytes
        if old.isEmpty {
            result = new + bytes
        } else if bytes.count >= old.count {
            for start in 0...(bytes.count - old.count) where bytes[start..<(start + old.count)].elementsEqual(old) {
                result = Array(bytes[..<start]) + new + Array(bytes[(start + old.count)...])
                break
            }
        }
        return result.map { CChar(bitPattern: $0) } + [0]
    }
}

/// Writes a tar stream (pax, as Docker's `pkg/archive`) of a file or directory tree reached
/// through a directory descriptor, for the archive API (`docker cp`) and `docker export`.
///
/// Nothing is followed: the walk opens each child with `O_NOFOLLOW` relative to its parent's
/// descriptor, so a symlink is archived as a symlink and never makes the walk leave the tree
/// it started in, wherever it points. As Docker: children in byte order of their names,
/// directories named with a trailing `/`, hard links (a second name of an inode already
/// archived) as link entries, mtimes in whole seconds, no atime/ctime, numeric owners only,
/// the `security.capability` xattr, sockets skipped.
///
/// The call blocks: run it on a thread of its own, writing into a pipe.
public final class TreeArchiver {
    private let writer: OpaquePointer
    private let output: FileDescriptor
    private var writeError: OSError?
    /// (device, inode) → the first name of a multiply-linked file.
    private var links: [UInt64: [UInt64: [UInt8]]] = [:]
    private var buffer: UnsafeMutableRawBufferPointer
    /// Entries written so far.
    public private(set) var entryCount = 0

    /// A writer of a tar stream to `output` (not closed).
    public init(output: FileDescriptor) throws(ArchiveError) {
        self.output = output
        guard let writer = archive_write_new() else { throw ArchiveError(.io, "archive_write_new: out of memory") }
        self.writer = writer
        buffer = .allocate(byteCount: 1 << 20, alignment: 64)
        archive_write_set_format_pax_restricted(writer)
        // One 10240-byte block would pad the end; Go's tar writer ends after two zero records.
        archive_write_set_bytes_per_block(writer, 0)
        let context = Unmanaged.passUnretained(self).toOpaque()
        let opened = archive_write_open(writer, context, nil, { _, context, bytes, count in
            let archiver = Unmanaged<TreeArchiver>.fromOpaque(context!).takeUnretainedValue()
            do throws(OSError) {
                var offset = 0
                while offset < count {
                    offset += try sys("write", "tar stream") { Glibc.write(archiver.output.rawValue, bytes! + offset, count - offset) }
                }
                return count
            } catch {
                archiver.writeError = error
                return -1
            }
        }, nil)
        guard opened == ARCHIVE_OK else {
            let text = UncompressedStream.errorText(writer)
            archive_write_free(writer)
            buffer.deallocate()
            throw ArchiveError(.io, "open tar writer: \(text)")
        }
    }

    deinit {
        archive_write_free(writer)
        buffer.deallocate()
    }

    /// Archives `leaf` of the directory `parent` (its contents too when it is a directory) as
    /// `name`, children as `name/child` (Docker's rebase: `.` gives `./`, `./child`; `/` gives
    /// `/`, `/child`).
    public func add(parent: Int32, leaf: String, as name: String) throws(ArchiveError) {
        let top = name == "/" ? "" : name
        try add(parent: parent, leaf: Array(leaf.utf8CString), name: Array(top.utf8), childPrefix: Array((top + "/").utf8))
    }

    /// Archives what is inside the directory `directory` (not the directory itself), children
    /// named relative to it: `docker export`.
    public func addContents(of directory: Int32) throws(ArchiveError) {
        try addChildren(of: directory, prefix: [], what: "/")
    }

    /// Writes the end of the archive.
    public func finish() throws(ArchiveError) {
        if archive_write_close(writer) != ARCHIVE_OK { throw failure("finish tar stream") }
    }

    private func failure(_ step: String) -> ArchiveError {
        if let writeError { return ArchiveError(.io, step, cause: writeError) }
        return ArchiveError(.io, "\(step): \(UncompressedStream.errorText(writer))")
    }

    private func add(parent: Int32, leaf: [CChar], name nameBytes: [UInt8], childPrefix: [UInt8]) throws(ArchiveError) {
        let name = String(decoding: nameBytes, as: UTF8.self)
        var info = stat()
        do {
            try sys("fstatat", "\"\(name)\"") { fstatat(parent, leaf, &info, AT_SYMLINK_NOFOLLOW) }
        } catch {
            throw ArchiveError(.io, "archive \"\(name)\"", cause: error)
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFSOCK { return }  // Go's tar cannot write sockets; Docker skips them
        let entryName = type == S_IFDIR && nameBytes.last != UInt8(ascii: "/") ? nameBytes + [UInt8(ascii: "/")] : nameBytes
        try writeEntry(parent: parent, leaf: leaf, name: entryName, info: info)
        if type == S_IFDIR {
            let fd: Int32
            do {
                fd = try sys("openat", "directory \"\(name)\"") {
                    swdock_openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
            } catch {
                throw ArchiveError(.io, "archive \"\(name)\"", cause: error)
            }
            defer { Glibc.close(fd) }
            try addChildren(of: fd, prefix: childPrefix, what: name)
        }
    }

    private func addChildren(of directory: Int32, prefix: [UInt8], what: String) throws(ArchiveError) {
        let names: [[CChar]]
        do { names = try RootedTree.childNames(directory) } catch {
            throw ArchiveError(.io, "list directory \"\(what)\"", cause: error)
        }
        let sorted = names.sorted { $0.map { UInt8(bitPattern: $0) }.lexicographicallyPrecedes($1.map { UInt8(bitPattern: $0) }) }
        for child in sorted {
            let bytes = prefix + child.dropLast().map { UInt8(bitPattern: $0) }
            try add(parent: directory, leaf: child, name: bytes, childPrefix: bytes + [UInt8(ascii: "/")])
        }
    }

    private func writeEntry(parent: Int32, leaf: [CChar], name nameBytes: [UInt8], info: stat) throws(ArchiveError) {
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard let entry = archive_entry_new() else { throw ArchiveError(.io, "archive_entry_new: out of memory") }
        defer { archive_entry_free(entry) }
        var info = info
        archive_entry_copy_stat(entry, &info)
        (nameBytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { archive_entry_copy_pathname(entry, $0.baseAddress!) }
        archive_entry_set_mtime(entry, info.st_mtim.tv_sec, 0)
        archive_entry_unset_atime(entry)
        archive_entry_unset_ctime(entry)
        archive_entry_unset_birthtime(entry)
        // Docker writes no device numbers of the file's own file system, only of devices.
        archive_entry_set_dev(entry, 0)
        archive_entry_set_ino64(entry, 0)
        archive_entry_set_nlink(entry, 0)
        let type = info.st_mode & S_IFMT
        var fileFD: Int32 = -1
        defer { if fileFD >= 0 { Glibc.close(fileFD) } }
        if type == S_IFLNK {
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length: Int
            do {
                length = try sys("readlinkat", "\"\(name)\"") { readlinkat(parent, leaf, &target, target.count - 1) }
            } catch {
                throw ArchiveError(.io, "archive \"\(name)\"", cause: error)
            }
            target[length] = 0
            archive_entry_copy_symlink(entry, target)
            archive_entry_set_size(entry, 0)
        } else if type == S_IFREG && info.st_nlink > 1,
                  let first = links[UInt64(info.st_dev)]?[UInt64(info.st_ino)] {
            archive_entry_set_filetype(entry, UInt32(Glibc.S_IFREG))
            (first.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { archive_entry_copy_hardlink(entry, $0.baseAddress!) }
            archive_entry_set_size(entry, 0)
        } else if type == S_IFREG {
            if info.st_nlink > 1 { links[UInt64(info.st_dev), default: [:]][UInt64(info.st_ino)] = nameBytes }
            do {
                fileFD = try sys("openat", "\"\(name)\"") {
                    swdock_openat(parent, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
            } catch {
                throw ArchiveError(.io, "archive \"\(name)\"", cause: error)
            }
            copyCapability(fd: fileFD, into: entry)
        } else {
            if type != S_IFCHR && type != S_IFBLK { archive_entry_set_rdev(entry, 0) }
            archive_entry_set_size(entry, 0)
        }
        if type == S_IFDIR { archive_entry_set_size(entry, 0) }
        if archive_write_header(writer, entry) != ARCHIVE_OK { throw failure("write tar header of \"\(name)\"") }
        entryCount += 1
        guard fileFD >= 0 else { return }
        var remaining = Int64(info.st_size)
        while remaining > 0 {
            let n: Int
            do {
                n = try sys("read", "\"\(name)\"") { read(fileFD, buffer.baseAddress!, min(buffer.count, Int(remaining))) }
            } catch {
                throw ArchiveError(.io, "archive \"\(name)\"", cause: error)
            }
            if n == 0 { break }
            if archive_write_data(writer, buffer.baseAddress!, n) < 0 { throw failure("write data of \"\(name)\"") }
            remaining -= Int64(n)
        }
        // A file that shrank while it was read: pad to the size in its header, as Go's tar
        // writer would fail; a short entry would corrupt the rest of the stream.
        if remaining > 0 {
            memset(buffer.baseAddress!, 0, buffer.count)
            while remaining > 0 {
                let n = min(buffer.count, Int(remaining))
                if archive_write_data(writer, buffer.baseAddress!, n) < 0 { throw failure("write data of \"\(name)\"") }
                remaining -= Int64(n)
            }
        }
    }

    /// `security.capability`, the one xattr Docker's archiver carries.
    private func copyCapability(fd: Int32, into entry: OpaquePointer) {
        var value = [UInt8](repeating: 0, count: 256)
        let n = value.withUnsafeMutableBytes { fgetxattr(fd, "security.capability", $0.baseAddress, $0.count) }
        guard n > 0 else { return }
        value.withUnsafeBytes { archive_entry_xattr_add_entry(entry, "security.capability", $0.baseAddress, n) }
    }
}
