#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// Reads and writes of cgroup interface files and directories, each through `sys` so a failure
/// names the call and the path.
enum CgroupFile {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func read(_ path: String) throws(CgroupError) -> String {
        do {
            let fd = try FileDescriptor.open(path, O_RDONLY)
            defer { fd.close() }
            return String(decoding: try fd.readAll(), as: UTF8.self)
        } catch {
            throw CgroupError(.system, "read \(path)", cause: error)
        }
    }

    /// One write(2) of `value`: the kernel parses each write of a cgroup file as one value.
    static func write(_ path: String, _ value: String) throws(CgroupError) {
        do {
            let fd = try FileDescriptor.open(path, O_WRONLY | O_TRUNC)
            defer { fd.close() }
            try fd.writeAll(value)
        } catch {
            throw CgroupError(.system, "write \"\(value)\" to \(path)", cause: error)
        }
    }

    /// The trimmed content of a file holding one value.
    static func readValue(_ path: String) throws(CgroupError) -> String {
        trim(try read(path))
    }

    /// A file holding one unsigned number; `max` reads as `nil`.
    static func readNumber(_ path: String) throws(CgroupError) -> UInt64? {
        let text = try readValue(path)
        if text == "max" { return nil }
        guard let value = UInt64(text) else {
            throw CgroupError(.system, "parse \(path): \"\(text)\" is not a number")
        }
        return value
    }

    /// `readNumber` for files that may be missing on this kernel (0 when absent, unlimited or empty).
    static func readOptionalNumber(_ path: String) throws(CgroupError) -> UInt64? {
        guard exists(path) else { return nil }
        let text = try readValue(path)
        if text.isEmpty || text == "max" { return nil }
        return UInt64(text)
    }

    /// `key value` lines (memory.stat, cpu.stat, cpuacct.stat, memory.events) as a map.
    static func readKeyValues(_ path: String) throws(CgroupError) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in try read(path).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) { result[String(fields[0])] = value }
        }
        return result
    }

    /// Creates a directory; an existing one is fine. Returns whether it was created.
    @discardableResult
    static func makeDirectory(_ path: String) throws(CgroupError) -> Bool {
        do {
            try sys("mkdir", path) { mkdir(path, 0o755) }
            return true
        } catch where error.errno == EEXIST {
            return false
        } catch {
            throw CgroupError(.system, "create cgroup", cause: error)
        }
    }

    /// Creates `path` and every missing parent below `root`, calling `created` for each new one.
    static func makeDirectories(_ path: String, below root: String,
                                created: (String) throws(CgroupError) -> Void = { _ in }) throws(CgroupError) {
        var current = root
        for component in path.dropFirst(root.count).split(separator: "/") {
            current += "/" + component
            if try makeDirectory(current) { try created(current) }
        }
    }

    /// Names of the subdirectories of `path` (child cgroups).
    static func subdirectories(_ path: String) -> [String] { entries(path, directories: true) }

    /// Names of the regular files in `path`.
    static func files(_ path: String) -> [String] { entries(path, directories: false) }

    static func entries(_ path: String, directories: Bool) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if isDirectory == directories && name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a cgroup and its child cgroups, retrying while the kernel reports EBUSY (the
    /// last tasks may still be exiting), as runc does. A cgroup already gone is fine.
    static func removeTree(_ path: String) throws(CgroupError) {
        for child in subdirectories(path) { try removeTree(path + "/" + child) }
        var delay: UInt32 = 10_000
        for attempt in 0..<6 {
            do {
                try sys("rmdir", path) { rmdir(path) }
                return
            } catch where error.errno == ENOENT {
                return
            } catch where error.errno == EBUSY && attempt < 5 {
                // still busy: wait and retry
            } catch {
                throw CgroupError(.system, "remove cgroup", cause: error)
            }
            sleepMicroseconds(delay)
            delay *= 2
        }
    }

    static func trim(_ text: String) -> String {
        var s = Substring(text)
        while let last = s.last, last == "\n" || last == " " || last == "\t" { s = s.dropLast() }
        while let first = s.first, first == "\n" || first == " " || first == "\t" { s = s.dropFirst() }
        return String(s)
    }
}

/// Sleeps without Foundation (nanosleep, resumed after signals).
func sleepMicroseconds(_ microseconds: UInt32) {
    var request = timespec(tv_sec: Int(microseconds / 1_000_000), tv_nsec: Int(microseconds % 1_000_000) * 1000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && Glibc.errno == EINTR { request = remaining }
}
