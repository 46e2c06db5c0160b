#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// Directory times to set once extraction is over (creating a child changes a directory's
/// mtime, so they can only be set at the end).
///
/// Records go to an unlinked temporary file (`SWDOCK_O_TMPFILE`) in the layer root through a small
/// buffer, so memory stays flat however many directories a layer has; the disk bounds it.
final class DirectoryTimes {
    private let tree: RootedTree
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private static let flushSize = 256 << 10
    private(set) var count = 0

    init(tree: RootedTree) {
        self.tree = tree
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Remembers that directory `path` gets `atime`/`mtime` at the end.
    func record(_ path: EntryPath, atime: timespec, mtime: timespec) throws(OSError) {
        for value in [Int64(atime.tv_sec), Int64(atime.tv_nsec), Int64(mtime.tv_sec), Int64(mtime.tv_nsec)] {
            withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
        }
        withUnsafeBytes(of: UInt32(path.bytes.count).littleEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: path.bytes)
        count += 1
        if buffer.count >= Self.flushSize { try flush() }
    }

    private func flush() throws(OSError) {
        if buffer.isEmpty { return }
        if fd < 0 {
            fd = try sys("open(SWDOCK_O_TMPFILE)", "in layer root \"\(tree.rootPath)\"") {
                swdock_openat(tree.rootFD, ".", SWDOCK_O_TMPFILE | O_RDWR | O_CLOEXEC, 0o600)
            }
        }
        var offset = 0
        while offset < buffer.count {
            let n = try sys("write", "directory-times spill file") {
                buffer.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Sets every recorded time. A directory that a later entry removed or replaced is skipped;
    /// each one is reopened inside the root without following a final symlink.
    func apply() throws(OSError) {
        if fd >= 0 {
            try flush()
            try sys("lseek", "directory-times spill file") { lseek(fd, 0, SEEK_SET) }
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: Self.flushSize)
            while true {
                let n = try sys("read", "directory-times spill file") {
                    chunk.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress!, raw.count) }
                }
                if n == 0 { break }
                pending.append(contentsOf: chunk[0..<n])
                let used = try applyRecords(pending)
                pending.removeSubrange(0..<used)
            }
        } else {
            _ = try applyRecords(buffer)
        }
        buffer.removeAll()
    }

    /// Applies the complete records at the start of `bytes`; returns how many bytes they used.
    private func applyRecords(_ bytes: [UInt8]) throws(OSError) -> Int {
        var offset = 0
        func int64(_ at: Int) -> Int64 {
            bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
        }
        while bytes.count - offset >= 36 {
            let length = bytes.withUnsafeBytes {
                Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset + 32, as: UInt32.self)))
            }
            guard bytes.count - offset >= 36 + length else { break }
            var times = [timespec(tv_sec: Int(int64(offset)), tv_nsec: Int(int64(offset + 8))),
                         timespec(tv_sec: Int(int64(offset + 16)), tv_nsec: Int(int64(offset + 24)))]
            let path = bytes[(offset + 36)..<(offset + 36 + length)]
            offset += 36 + length
            let dirFD: Int32
            do {
                dirFD = try tree.openDirectory(path, flags: O_RDONLY | O_NOFOLLOW)
            } catch let error where [ENOENT, ENOTDIR, ELOOP].contains(error.errno) {
                continue
            }
            defer { Glibc.close(dirFD) }
            try sys("futimens", "directory \"\(String(decoding: path, as: UTF8.self))\"") { futimens(dirFD, &times) }
        }
        return offset
    }
}
