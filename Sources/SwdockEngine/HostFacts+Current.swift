#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS
import SwdockSeccomp
import SwdockCgroups
import CSwdockSys

extension HostFacts {
    /// The facts of this host: hostname, resolv.conf (systemd-resolved's upstream file when
    /// /etc/resolv.conf only points at its 127.0.0.53 stub, as Docker chooses), /etc/hosts,
    /// cap_last_cap, CPUs, swap accounting, architecture and kernel; bind sources and /dev
    /// are looked at when a container needs them.
    public static func current() throws(EngineError) -> HostFacts {
        var name = [CChar](repeating: 0, count: 256)
        do {
            try sys("gethostname") { gethostname(&name, name.count - 1) }
        } catch {
            throw EngineError(.system, "read the host name", cause: error)
        }
        let hostname = String(cString: name)
        var resolv = readText("/etc/resolv.conf") ?? ""
        if ResolvConf.nameservers(resolv) == ["127.0.0.53"], let upstream = readText("/run/systemd/resolve/resolv.conf") {
            resolv = upstream
        }
        let lastCap = Int((readText("/proc/sys/kernel/cap_last_cap") ?? "").trimmingSpaces) ?? 40
        let version = CgroupVersion.detect(mountinfo: readText("/proc/self/mountinfo") ?? "")
        let swap = version == .v1
            ? fileExists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
            : fileExists("/sys/fs/cgroup/init.scope/memory.swap.max") || fileExists("/sys/fs/cgroup/system.slice/memory.swap.max")
        let cpus = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return HostFacts(hostname: hostname, resolvConf: resolv, hosts: readText("/etc/hosts") ?? "",
                         lastCapability: lastCap, cpuCount: cpus, swapLimitSupported: swap,
                         architecture: DockerSeccompProfile.hostArchitecture, kernel: runningKernel(),
                         pathExists: { fileExists($0) }, devices: { () throws(EngineError) in try HostDevices.scan("/dev") })
    }

    /// A file's text, nil when it cannot be read.
    static func readText(_ path: String) -> String? {
        guard let fd = try? FileDescriptor.open(path, O_RDONLY) else { return nil }
        defer { fd.close() }
        guard let bytes = try? fd.readAll() else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return (try? sys("stat", path) { stat(path, &info) }) != nil
    }

    static func runningKernel() -> (Int, Int) {
        var name = utsname()
        guard (try? sys("uname") { uname(&name) }) != nil else { return (0, 0) }
        let release = withUnsafePointer(to: name.release) {
            $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
        }
        let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
    }
}

/// The device nodes of the host, as runc's `devices.HostDevices` lists them for `--privileged`.
public enum HostDevices {
    /// Directories runc skips under /dev (their nodes belong to the container's own mounts).
    static let skippedDirectories: Set<String> = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"]

    /// Every character and block device below `root`, sorted by path (a directory walk in
    /// lexical order, as Go's filepath.Walk); /dev/console is left out as runc does.
    public static func scan(_ root: String) throws(EngineError) -> [RuntimeSpec.Device] {
        var result: [RuntimeSpec.Device] = []
        try walk(root, into: &result, top: true)
        return result.sorted { $0.path < $1.path }
    }

    static func walk(_ directory: String, into result: inout [RuntimeSpec.Device], top: Bool) throws(EngineError) {
        guard let dir = opendir(directory) else {
            if top { throw EngineError(.system, "list host devices: opendir \(directory): \(Errno.message(swdock_errno()))") }
            return
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names.sorted() {
            let path = directory + "/" + name
            var info = stat()
            guard (try? sys("lstat", path) { lstat(path, &info) }) != nil else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if !skippedDirectories.contains(name) { try walk(path, into: &result, top: false) }
            case S_IFCHR, S_IFBLK:
                if path == "/dev/console" { continue }
                let type = info.st_mode & S_IFMT == S_IFCHR ? "c" : "b"
                result.append(RuntimeSpec.Device(type: type, path: path, major: Int64(deviceMajor(UInt64(info.st_rdev))),
                                                 minor: Int64(deviceMinor(UInt64(info.st_rdev))), fileMode: UInt32(info.st_mode & 0o7777),
                                                 uid: info.st_uid, gid: info.st_gid))
            default:
                continue
            }
        }
    }
}

/// glibc's major()/minor() macros, which Swift does not import.
func deviceMajor(_ dev: UInt64) -> UInt64 { ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff)) }
func deviceMinor(_ dev: UInt64) -> UInt64 { (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff)) }
