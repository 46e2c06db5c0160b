#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// Small file helpers over `sys(...)` for the runtime's own state files and /proc.
enum HostFiles {
    static func read(_ path: String) throws(OSError) -> [UInt8] {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        return try fd.readAll()
    }

    static func readString(_ path: String) throws(OSError) -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// Writes `bytes` to `path`, creating or truncating it.
    static func write(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o644) throws(OSError) {
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        defer { fd.close() }
        try fd.writeAll(bytes)
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws(OSError) {
        try write(path, Array(text.utf8), mode: mode)
    }

    /// Writes through a temporary file and rename, so readers never see half a file.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(OSError) {
        let temporary = path + ".tmp"
        try write(temporary, bytes, mode: mode)
        try sys("rename", "\"\(temporary)\"") { Glibc.rename(temporary, path) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func mkdir(_ path: String, mode: mode_t = 0o700) throws(OSError) {
        try sys("mkdir", "\"\(path)\"") { Glibc.mkdir(path, mode) }
    }

    /// mkdir -p.
    static func mkdirAll(_ path: String, mode: mode_t = 0o711) throws(OSError) {
        if isDirectory(path) { return }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if isDirectory(prefix) { continue }
            do { try mkdir(prefix, mode: mode) } catch let e where e.errno == EEXIST { continue }
        }
    }

    static func unlink(_ path: String) throws(OSError) {
        try sys("unlink", "\"\(path)\"") { Glibc.unlink(path) }
    }

    /// rm -r of a directory of plain files (the runtime's state directory).
    static func removeTree(_ path: String) throws(OSError) {
        guard let dir = opendir(path) else {
            let code = swdock_errno()
            if code == ENOENT { return }
            throw OSError(call: "opendir", object: "\"\(path)\"", errno: code)
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names {
            let child = path + "/" + name
            if isDirectory(child) { try removeTree(child) } else {
                do { try unlink(child) } catch let e where e.errno == ENOENT {}
            }
        }
        do { try sys("rmdir", "\"\(path)\"") { Glibc.rmdir(path) } } catch let e where e.errno == ENOENT {}
    }

    /// Names in a directory (empty when it does not exist).
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The absolute, symlink-free form of `path` (host side).
    static func realPath(_ path: String) throws(OSError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw OSError(call: "realpath", object: "\"\(path)\"", errno: swdock_errno())
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Joins a path to a base the way filepath.Join does for absolute-or-relative inputs.
func absolutePath(_ path: String, relativeTo base: String) -> String {
    if path.hasPrefix("/") { return path }
    return base.hasSuffix("/") ? base + path : base + "/" + path
}
