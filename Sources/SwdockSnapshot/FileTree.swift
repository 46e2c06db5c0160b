#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// Whole-tree operations on directories, all relative to directory fds and never following
/// a symlink: removal, a full-fidelity copy (the copying snapshotter) and disk usage.
enum FileTree {
    /// Removes `path` and everything below it; nothing there is fine.
    static func remove(_ path: String) throws(OSError) {
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        guard let parentFD = try unlessErrno([ENOENT], { () throws(OSError) in
            try sys("open", "\"\(parent)\"") { swdock_open(parent.isEmpty ? "/" : parent, SWDOCK_O_PATH | O_DIRECTORY | O_CLOEXEC, 0) }
        }) else { return }
        defer { close(parentFD) }
        try remove(parentFD, name)
    }

    static func remove(_ directory: Int32, _ name: String) throws(OSError) {
        var info = stat()
        let found = try unlessErrno([ENOENT], { () throws(OSError) in
            try sys("fstatat", "\"\(name)\"") { fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) }
        })
        if found == nil { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            try sys("unlinkat", "\"\(name)\"") { unlinkat(directory, name, 0) }
            return
        }
        let fd = try sys("openat", "directory \"\(name)\"") {
            swdock_openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        }
        do {
            for child in try childNames(fd) { try remove(fd, child) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try sys("unlinkat", "directory \"\(name)\"") { unlinkat(directory, name, AT_REMOVEDIR) }
    }

    /// The names in the directory `fd` (which stays open), without `.` and `..`.
    static func childNames(_ fd: Int32) throws(OSError) -> [String] {
        let dirFD = try sys("openat", "directory fd \(fd)") { swdock_openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        guard let dir = fdopendir(dirFD) else {
            let code = swdock_errno()
            close(dirFD)
            throw OSError(call: "fdopendir", object: "fd \(fd)", errno: code)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            swdock_set_errno(0)
            guard let entry = readdir(dir) else {
                let code = swdock_errno()
                if code != 0 { throw OSError(call: "readdir", object: "fd \(fd)", errno: code) }
                return names
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    // MARK: - copy

    /// Copies the tree `source` into the existing empty directory `destination`, keeping types,
    /// modes (setuid/setgid/sticky), owners, xattrs (overlayfs' trusted.* included), times,
    /// device numbers, symlink targets and hard-link identity inside the tree.
    static func copy(from source: String, to destination: String) throws(OSError) {
        let sourceFD = try sys("open", "\"\(source)\"") { swdock_open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        defer { close(sourceFD) }
        let destinationFD = try sys("open", "\"\(destination)\"") {
            swdock_open(destination, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        }
        defer { close(destinationFD) }
        var copier = TreeCopier(destinationRoot: destinationFD)
        try copier.copyChildren(from: sourceFD, to: destinationFD, path: "")
        var info = stat()
        try sys("fstat", "\"\(source)\"") { fstat(sourceFD, &info) }
        try copier.copyMetadata(info, from: sourceFD, to: destinationFD, what: destination)
    }

    // MARK: - usage

    /// Bytes allocated and inodes used below (and including) `path`; hard links count once.
    static func usage(_ path: String) throws(OSError) -> SnapshotUsage {
        let fd = try sys("open", "\"\(path)\"") { swdock_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        defer { close(fd) }
        var info = stat()
        try sys("fstat", "\"\(path)\"") { fstat(fd, &info) }
        var usage = SnapshotUsage(size: Int64(info.st_blocks) * 512, inodes: 1)
        var seen = Set<UInt64>()
        try addUsage(of: fd, into: &usage, seen: &seen)
        return usage
    }

    private static func addUsage(of fd: Int32, into usage: inout SnapshotUsage, seen: inout Set<UInt64>) throws(OSError) {
        for name in try childNames(fd) {
            var info = stat()
            try sys("fstatat", "\"\(name)\"") { fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) }
            if info.st_nlink > 1 && info.st_mode & S_IFMT != S_IFDIR {
                if !seen.insert(UInt64(info.st_ino)).inserted { continue }
            }
            usage.size += Int64(info.st_blocks) * 512
            usage.inodes += 1
            if info.st_mode & S_IFMT == S_IFDIR {
                let child = try sys("openat", "\"\(name)\"") {
                    swdock_openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
                defer { close(child) }
                try addUsage(of: child, into: &usage, seen: &seen)
            }
        }
    }
}

/// One tree copy: remembers where each multiply-linked inode was first copied, which is the
/// only per-file state a copy needs.
private struct TreeCopier {
    let destinationRoot: Int32
    var firstCopies: [UInt64: String] = [:]

    mutating func copyChildren(from source: Int32, to destination: Int32, path: String) throws(OSError) {
        for name in try FileTree.childNames(source) {
            let childPath = path.isEmpty ? name : path + "/" + name
            var info = stat()
            try sys("fstatat", "\"\(childPath)\"") { fstatat(source, name, &info, AT_SYMLINK_NOFOLLOW) }
            let type = info.st_mode & S_IFMT
            if type != S_IFDIR && info.st_nlink > 1 {
                if let first = firstCopies[UInt64(info.st_ino)] {
                    try sys("linkat", "\"\(childPath)\"") { linkat(destinationRoot, first, destination, name, 0) }
                    continue
                }
                firstCopies[UInt64(info.st_ino)] = childPath
            }
            switch type {
            case S_IFDIR:
                try sys("mkdirat", "\"\(childPath)\"") { mkdirat(destination, name, 0o700) }
                let from = try sys("openat", "\"\(childPath)\"") {
                    swdock_openat(source, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
                defer { close(from) }
                let to = try sys("openat", "\"\(childPath)\"") {
                    swdock_openat(destination, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
                defer { close(to) }
                try copyChildren(from: from, to: to, path: childPath)
                try copyMetadata(info, from: from, to: to, what: childPath)
            case S_IFREG:
                let from = try sys("openat", "\"\(childPath)\"") {
                    swdock_openat(source, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
                defer { close(from) }
                let to = try sys("openat", "\"\(childPath)\"") {
                    swdock_openat(destination, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                }
                defer { close(to) }
                try copyData(from: from, to: to, size: Int64(info.st_size), what: childPath)
                try copyMetadata(info, from: from, to: to, what: childPath)
            case S_IFLNK:
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = try sys("readlinkat", "\"\(childPath)\"") { readlinkat(source, name, &target, target.count - 1) }
                target[length] = 0
                try sys("symlinkat", "\"\(childPath)\"") { symlinkat(target, destination, name) }
                try copyMetadata(info, source: source, destination: destination, name: name, what: childPath)
            default:
                try sys("mknodat", "\"\(childPath)\"") { mknodat(destination, name, info.st_mode, info.st_rdev) }
                try copyMetadata(info, source: source, destination: destination, name: name, what: childPath)
            }
        }
    }

    private func copyData(from: Int32, to: Int32, size: Int64, what: String) throws(OSError) {
        var remaining = size
        var useCopyFileRange = true
        var buffer: [UInt8] = []
        while remaining > 0 {
            if useCopyFileRange {
                if let n = try unlessErrno([EXDEV, EINVAL, ENOSYS, EOPNOTSUPP], { () throws(OSError) in
                    try sys("copy_file_range", "\"\(what)\"") { swdock_copy_file_range(from, to, Int(remaining)) }
                }) {
                    if n == 0 { break }
                    remaining -= Int64(n)
                    continue
                }
                useCopyFileRange = false
                buffer = [UInt8](repeating: 0, count: 1 << 20)
            }
            let n = try sys("read", "\"\(what)\"") { buffer.withUnsafeMutableBytes { raw in read(from, raw.baseAddress!, raw.count) } }
            if n == 0 { break }
            var written = 0
            while written < n {
                written += try sys("write", "\"\(what)\"") { buffer.withUnsafeBytes { raw in write(to, raw.baseAddress! + written, n - written) } }
            }
            remaining -= Int64(n)
        }
    }

    /// Owner, mode, xattrs, times of an open file or directory.
    func copyMetadata(_ info: stat, from: Int32, to: Int32, what: String) throws(OSError) {
        try sys("fchown", "\"\(what)\"") { fchown(to, info.st_uid, info.st_gid) }
        try sys("fchmod", "\"\(what)\"") { fchmod(to, info.st_mode & 0o7777) }
        try copyXattrs(what: what, list: { buffer, size in flistxattr(from, buffer, size) },
                       get: { name, value, size in fgetxattr(from, name, value, size) },
                       set: { name, value, size in fsetxattr(to, name, value, size, 0) })
        var times = [info.st_atim, info.st_mtim]
        try sys("futimens", "\"\(what)\"") { futimens(to, &times) }
    }

    /// Owner, mode, xattrs, times of a symlink or device node (no fd: names in their directories).
    func copyMetadata(_ info: stat, source: Int32, destination: Int32, name: String, what: String) throws(OSError) {
        try sys("fchownat", "\"\(what)\"") { fchownat(destination, name, info.st_uid, info.st_gid, AT_SYMLINK_NOFOLLOW) }
        if info.st_mode & S_IFMT != S_IFLNK {
            try sys("fchmodat", "\"\(what)\"") { fchmodat(destination, name, info.st_mode & 0o7777, 0) }
        }
        let from = "/proc/self/fd/\(source)/\(name)"
        let to = "/proc/self/fd/\(destination)/\(name)"
        try copyXattrs(what: what, list: { buffer, size in llistxattr(from, buffer, size) },
                       get: { attribute, value, size in lgetxattr(from, attribute, value, size) },
                       set: { attribute, value, size in lsetxattr(to, attribute, value, size, 0) })
        var times = [info.st_atim, info.st_mtim]
        try sys("utimensat", "\"\(what)\"") { utimensat(destination, name, &times, AT_SYMLINK_NOFOLLOW) }
    }

    private func copyXattrs(what: String,
                            list: (UnsafeMutablePointer<CChar>?, Int) -> Int,
                            get: (UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int,
                            set: (UnsafePointer<CChar>, UnsafeRawPointer?, Int) -> Int32) throws(OSError) {
        let size = try sys("listxattr", "\"\(what)\"") { list(nil, 0) }
        if size == 0 { return }
        var names = [CChar](repeating: 0, count: size)
        let used = try sys("listxattr", "\"\(what)\"") { list(&names, size) }
        var start = 0
        while start < used {
            let end = names[start..<used].firstIndex(of: 0) ?? used
            let attribute = Array(names[start..<end]) + [0]
            start = end + 1
            try attribute.withUnsafeBufferPointer { (name) throws(OSError) in
                let label = String(cString: name.baseAddress!)
                let length = try sys("getxattr", "\(label) on \"\(what)\"") { get(name.baseAddress!, nil, 0) }
                var value = [UInt8](repeating: 0, count: max(length, 1))
                let got = try sys("getxattr", "\(label) on \"\(what)\"") { get(name.baseAddress!, &value, length) }
                try sys("setxattr", "\(label) on \"\(what)\"") { set(name.baseAddress!, value, got) }
            }
        }
    }
}

/// The result of `body`, or nil when it failed with one of `errnos`.
func unlessErrno<T>(_ errnos: [Int32], _ body: () throws(OSError) -> T) throws(OSError) -> T? {
    do { return try body() } catch {
        if errnos.contains(error.errno) { return nil }
        throw error
    }
}
