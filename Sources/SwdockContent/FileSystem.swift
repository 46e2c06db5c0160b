#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The few file-system calls the store needs, each through `sys` (EINTR retry, errno → OSError).
enum FileSystem {
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(OSError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if Glibc.mkdir(current, mode) == 0 { continue }
            let code = errno
            if code == EEXIST, isDirectory(current) { continue }
            throw OSError(call: "mkdir", object: "\"\(current)\"", errno: code)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `stat` of a path; nil when it does not exist.
    static func status(_ path: String) throws(OSError) -> stat? {
        var st = stat()
        if stat(path, &st) == 0 { return st }
        let code = errno
        if code == ENOENT { return nil }
        throw OSError(call: "stat", object: "\"\(path)\"", errno: code)
    }

    static func status(_ fd: FileDescriptor) throws(OSError) -> stat {
        var st = stat()
        try sys("fstat", "fd \(fd.rawValue)") { fstat(fd.rawValue, &st) }
        return st
    }

    static func directoryEntries(_ path: String) throws(OSError) -> [String] {
        guard let dir = opendir(path) else {
            throw OSError(call: "opendir", object: "\"\(path)\"", errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func unlink(_ path: String) throws(OSError) {
        if Glibc.unlink(path) == 0 || errno == ENOENT { return }
        throw OSError(call: "unlink", object: "\"\(path)\"", errno: errno)
    }

    /// Removes a directory tree of plain files (ingest directories hold no subdirectories).
    static func removeTree(_ path: String) throws(OSError) {
        guard isDirectory(path) else { return try unlink(path) }
        for name in try directoryEntries(path) { try removeTree(path + "/" + name) }
        if Glibc.rmdir(path) == 0 || errno == ENOENT { return }
        throw OSError(call: "rmdir", object: "\"\(path)\"", errno: errno)
    }

    static func rename(_ from: String, _ to: String) throws(OSError) {
        try sys("rename", "\"\(from)\" to \"\(to)\"") { Glibc.rename(from, to) }
    }

    /// fsync of a directory, so a rename in it survives a crash.
    static func syncDirectory(_ path: String) throws(OSError) {
        let fd = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        try fd.sync()
    }

    static func writeFile(_ path: String, _ text: String) throws(OSError) {
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        defer { fd.close() }
        try fd.writeAll(text)
    }

    static func readFile(_ path: String) throws(OSError) -> [UInt8] {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        return try fd.readAll()
    }
}

/// Writes all of `buffer` to `fd`, looping over short writes (no copy, unlike `writeAll`).
func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, what: @autoclosure () -> String) throws(OSError) {
    var done = 0
    while done < buffer.count {
        let n = try sys("write", what()) { Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done) }
        done += n
    }
}


/// flock(2); the name alone would resolve to Glibc's `struct flock`.
func lockFile(_ fd: Int32, _ operation: Int32) -> Int32 {
    flock(fd, operation)
}
