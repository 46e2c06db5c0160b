#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockCgroups
import SwdockOS

/// What `/info` and `/version` report about the host, read from the kernel each time.
struct HostFacts: Sendable {
    var kernelVersion = ""
    var architecture = ""
    var hostname = ""
    var operatingSystem = "Linux"
    var osVersion = ""
    var cpus = 1
    var memoryBytes: Int64 = 0
    var cgroupVersion: CgroupVersion = .v1
    var memoryLimit = false
    var swapLimit = false
    var kernelMemory = false
    var kernelMemoryTCP = false
    var cpuCfsPeriod = false
    var cpuCfsQuota = false
    var cpuShares = false
    var cpuSet = false
    var pidsLimit = false
    var oomKillDisable = false
    var ipv4Forwarding = false
    var bridgeNfIptables = false
    var bridgeNfIp6tables = false
    var seccomp = false
    var openFiles = 0
    var threads = 0

    /// Only uname(2): what `/version` needs, without reading /proc.
    static func readKernel() -> HostFacts {
        var facts = HostFacts()
        var names = utsname()
        if (try? sys("uname") { uname(&names) }) != nil {
            facts.kernelVersion = field(&names.release)
            facts.architecture = field(&names.machine)
            facts.hostname = field(&names.nodename)
        }
        return facts
    }

    static func read() -> HostFacts {
        var facts = HostFacts()
        var names = utsname()
        if (try? sys("uname") { uname(&names) }) != nil {
            facts.kernelVersion = field(&names.release)
            facts.architecture = field(&names.machine)
            facts.hostname = field(&names.nodename)
        }
        if let release = readText("/etc/os-release") {
            let values = osRelease(release)
            facts.operatingSystem = values["PRETTY_NAME"] ?? values["NAME"] ?? "Linux"
            facts.osVersion = values["VERSION_ID"] ?? ""
        }
        facts.cpus = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        if let meminfo = readText("/proc/meminfo"),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) }) {
            facts.memoryBytes = kib * 1024
        }
        let mountinfo = readText("/proc/self/mountinfo") ?? ""
        facts.cgroupVersion = CgroupVersion.detect(mountinfo: mountinfo)
        facts.readCgroupFeatures(mountinfo: mountinfo)
        facts.ipv4Forwarding = readText("/proc/sys/net/ipv4/ip_forward")?.hasPrefix("1") ?? false
        facts.bridgeNfIptables = readText("/proc/sys/net/bridge/bridge-nf-call-iptables")?.hasPrefix("1") ?? false
        facts.bridgeNfIp6tables = readText("/proc/sys/net/bridge/bridge-nf-call-ip6tables")?.hasPrefix("1") ?? false
        let status = readText("/proc/self/status") ?? ""
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Seccomp:") { facts.seccomp = true }
            if line.hasPrefix("Threads:") { facts.threads = Int(line.dropFirst(8).trimmingSpaces()) ?? 0 }
        }
        facts.openFiles = countEntries("/proc/self/fd")
        return facts
    }

    /// Which resource controls the kernel offers, as dockerd's sysinfo probes them.
    private mutating func readCgroupFeatures(mountinfo: String) {
        switch cgroupVersion {
        case .v2:
            let controllers = Set((HostFacts.readText("/sys/fs/cgroup/cgroup.controllers") ?? "").split(separator: " ").map {
                String($0).trimmingSpaces()
            })
            memoryLimit = controllers.contains("memory")
            swapLimit = memoryLimit && HostFacts.exists("/sys/fs/cgroup/memory.swap.max")
                || memoryLimit && HostFacts.anyChild("/sys/fs/cgroup", containing: "memory.swap.max")
            cpuCfsPeriod = controllers.contains("cpu")
            cpuCfsQuota = cpuCfsPeriod
            cpuShares = cpuCfsPeriod
            cpuSet = controllers.contains("cpuset")
            pidsLimit = controllers.contains("pids")
        case .v1:
            let mounts = HostFacts.cgroupV1Mounts(mountinfo)
            if let memory = mounts["memory"] {
                memoryLimit = HostFacts.exists(memory + "/memory.limit_in_bytes")
                swapLimit = HostFacts.exists(memory + "/memory.memsw.limit_in_bytes")
                kernelMemory = HostFacts.exists(memory + "/memory.kmem.limit_in_bytes")
                kernelMemoryTCP = HostFacts.exists(memory + "/memory.kmem.tcp.limit_in_bytes")
                oomKillDisable = HostFacts.exists(memory + "/memory.oom_control")
            }
            if let cpu = mounts["cpu"] {
                cpuCfsPeriod = HostFacts.exists(cpu + "/cpu.cfs_period_us")
                cpuCfsQuota = HostFacts.exists(cpu + "/cpu.cfs_quota_us")
                cpuShares = HostFacts.exists(cpu + "/cpu.shares")
            }
            if let cpuset = mounts["cpuset"] { cpuSet = HostFacts.exists(cpuset + "/cpuset.cpus") }
            // dockerd only checks that the controller is mounted (the root has no pids.max).
            pidsLimit = mounts["pids"] != nil
        }
    }

    /// cgroup v1 controller → mount point, from the `cgroup` lines of mountinfo.
    static func cgroupV1Mounts(_ mountinfo: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count, fields[dash + 1] == "cgroup" else { continue }
            let mountPoint = String(fields[4])
            for option in fields[dash + 3].split(separator: ",") where result[String(option)] == nil {
                result[String(option)] = mountPoint
            }
        }
        return result
    }

    static func osRelease(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            var value = kv[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            values[String(kv[0])] = String(value)
        }
        return values
    }

    /// The file's text, or nil when it cannot be read.
    static func readText(_ path: String) -> String? {
        guard let fd = try? FileDescriptor.open(path, O_RDONLY) else { return nil }
        defer { fd.close() }
        guard let bytes = try? fd.readAll() else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return (try? sys("stat", path) { stat(path, &info) }) != nil
    }

    private static func anyChild(_ directory: String, containing name: String) -> Bool {
        guard let dir = opendir(directory) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            var entryName = entry.pointee.d_name
            let child = field(&entryName)
            if child != ".", child != "..", exists("\(directory)/\(child)/\(name)") { return true }
        }
        return false
    }

    private static func countEntries(_ directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while readdir(dir) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory's own fd
    }

    /// The filesystem type of `path` in dockerd's words (`extfs`, `xfs`, …).
    static func backingFilesystem(_ path: String) -> String {
        var type: Int64 = 0
        guard (try? sys("statfs", path) { swdock_statfs_type(path, &type) }) != nil else { return "unknown" }
        switch UInt64(bitPattern: type) & 0xffff_ffff {
        case 0xEF53: return "extfs"
        case 0x5846_5342: return "xfs"
        case 0x9123_683E: return "btrfs"
        case 0x0102_1994: return "tmpfs"
        case 0x794C_7630: return "overlayfs"
        case 0x2FC1_2FC1: return "zfs"
        case 0x6573_5546: return "fuse"
        default: return String(UInt32(truncatingIfNeeded: type), radix: 16)
        }
    }
}

/// A fixed-size C char array (utsname fields, d_name) as a String.
private func field<T>(_ value: inout T) -> String {
    withUnsafeBytes(of: &value) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" }).reversed())
    }
}
