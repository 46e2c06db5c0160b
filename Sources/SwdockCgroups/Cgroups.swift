#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// Entry point: picks the cgroup version of the host and resolves a container's cgroup path.
public enum Cgroups {
    /// Picks v1 or v2 from /proc/self/mountinfo (hybrid host = v1) and resolves `cgroupsPath`
    /// as runc's cgroupfs driver does: absolute → under the hierarchy root; relative → under
    /// the caller's own cgroup (v1: per controller from /proc/self/cgroup; v2: the parent of
    /// the caller's cgroup, since that one usually holds processes and cannot enable
    /// controllers); nil → the container ID as a relative path.
    ///
    /// `mountRoot` other than /sys/fs/cgroup with `version: .v2` points the manager at a
    /// directory laid out as cgroup2 (tests use a fixture that way).
    public static func manager(cgroupsPath: String?, containerID: String,
                               mountRoot: String = "/sys/fs/cgroup",
                               version: CgroupVersion? = nil) throws(CgroupError) -> any CgroupManager {
        let inner = try innerPath(cgroupsPath: cgroupsPath, containerID: containerID)
        let chosen: CgroupVersion
        if let version {
            chosen = version
        } else {
            chosen = CgroupVersion.detect(mountinfo: try CgroupFile.read("/proc/self/mountinfo"), mountPoint: mountRoot)
        }
        switch chosen {
        case .v2:
            var path = inner
            if !inner.hasPrefix("/") {
                let own = ownCgroupV2(procSelfCgroup: try CgroupFile.read("/proc/self/cgroup"))
                path = joinPath(parentDirectory(own), inner)
            }
            return CgroupV2Manager(mountRoot: mountRoot, path: path)
        case .v1:
            let mounts = CgroupV1Mounts.parse(mountinfo: try CgroupFile.read("/proc/self/mountinfo"), under: mountRoot)
            guard !mounts.isEmpty else {
                throw CgroupError(.notSupported, "cgroup v1: no cgroup controllers mounted under \(mountRoot)")
            }
            let own = inner.hasPrefix("/") ? [:] : ownCgroupsV1(procSelfCgroup: try CgroupFile.read("/proc/self/cgroup"))
            return CgroupV1Manager(mounts: mounts, innerPath: inner, ownCgroups: own)
        }
    }

    /// The cleaned cgroup path: `cgroupsPath` when given, else the container ID (relative).
    static func innerPath(cgroupsPath: String?, containerID: String) throws(CgroupError) -> String {
        let raw = (cgroupsPath?.isEmpty == false ? cgroupsPath : nil) ?? containerID
        if raw.contains(":") && !raw.hasPrefix("/") {
            throw CgroupError(.notSupported, "cgroupsPath \"\(raw)\" is in the systemd slice:prefix:name form (the systemd cgroup driver)")
        }
        let cleaned = cleanPath(raw)
        guard !cleaned.isEmpty, cleaned != "/", cleaned != "." else {
            throw CgroupError(.invalidArgument, "cgroupsPath \"\(raw)\" names no cgroup below the hierarchy root")
        }
        return cleaned
    }

    /// Lexical clean as Go's filepath.Clean plus runc's CleanPath: `..` never climbs above the root.
    static func cleanPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { continue }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : joined
    }

    /// The `0::PATH` line of /proc/self/cgroup.
    static func ownCgroupV2(procSelfCgroup: String) -> String {
        for line in procSelfCgroup.split(separator: "\n") where line.hasPrefix("0::") {
            return String(line.dropFirst(3))
        }
        return "/"
    }

    /// Controller → own cgroup path from the v1 lines of /proc/self/cgroup (`4:memory:/x`,
    /// `3:cpu,cpuacct:/y`, `1:name=systemd:/z`).
    static func ownCgroupsV1(procSelfCgroup: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[1].isEmpty else { continue }
            for controller in fields[1].split(separator: ",") { result[String(controller)] = String(fields[2]) }
        }
        return result
    }

    static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func joinPath(_ base: String, _ rest: String) -> String {
        cleanPath(base + "/" + rest)
    }
}

/// Where each cgroup v1 controller is mounted.
struct CgroupV1Mounts {
    struct Mount: Equatable {
        var mountPoint: String
        /// The root of the mount inside its hierarchy (field 4 of mountinfo), `/` on a host.
        var root: String
    }

    /// Controllers swdock places a container in, in runc's order of applying limits.
    static let controllers = ["cpuset", "devices", "memory", "cpu", "cpuacct", "pids", "blkio", "hugetlb",
                              "net_cls", "net_prio", "perf_event", "freezer", "rdma", "misc", "name=systemd"]

    /// Controller → mount, from /proc/self/mountinfo, for `cgroup` mounts below `mountRoot`.
    static func parse(mountinfo: String, under mountRoot: String) -> [String: Mount] {
        var result: [String: Mount] = [:]
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count, dash > 4,
                  fields[dash + 1] == "cgroup" else { continue }
            let mountPoint = unescape(fields[4])
            guard mountPoint.hasPrefix(mountRoot + "/") else { continue }
            let root = unescape(fields[3])
            for option in fields[dash + 3].split(separator: ",") {
                let name = String(option)
                guard controllers.contains(name), result[name] == nil else { continue }
                result[name] = Mount(mountPoint: mountPoint, root: root)
            }
        }
        return result
    }

    /// mountinfo escapes space, tab, newline and backslash as `\ooo`.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
