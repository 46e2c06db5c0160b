#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockOCI
import SwdockOS

/// The config.json `spec` writes: the same container as `runc spec` (sh on a terminal,
/// the default mounts, masked and read-only paths, three capabilities).
public enum DefaultSpec {
    public static func make(rootless: Bool) -> RuntimeSpec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var process = RuntimeSpec.Process(terminal: true, user: .init(uid: 0, gid: 0), args: ["sh"],
                                          env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                                          cwd: "/",
                                          capabilities: .init(bounding: caps, effective: caps, permitted: caps, ambient: caps),
                                          rlimits: [.init(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)], noNewPrivileges: true)
        process.user = .init(uid: 0, gid: 0)
        var linux = RuntimeSpec.Linux()
        linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        var mounts: [RuntimeSpec.Mount] = [
            .init(destination: "/proc", type: "proc", source: "proc"),
            .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            .init(destination: "/dev/pts", type: "devpts", source: "devpts",
                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] + (rootless ? [] : ["gid=5"])),
            .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        ]
        if rootless {
            mounts.append(.init(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]))
            linux.namespaces = ["pid", "ipc", "uts", "mount", "user"].map { RuntimeSpec.Namespace(type: $0) }
            linux.uidMappings = [.init(containerID: 0, hostID: getuid(), size: 1)]
            linux.gidMappings = [.init(containerID: 0, hostID: getgid(), size: 1)]
        } else {
            mounts.append(.init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]))
            mounts.append(.init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                                options: ["nosuid", "noexec", "nodev", "relatime", "ro"]))
            linux.namespaces = ["pid", "network", "ipc", "uts", "mount"].map { RuntimeSpec.Namespace(type: $0) }
            var resources = RuntimeSpec.Resources()
            resources.devices = [.init(allow: false, access: "rwm")]
            linux.resources = resources
        }
        return RuntimeSpec(ociVersion: SwdockVersion.ociRuntimeSpec, process: process,
                           root: .init(path: "rootfs", readonly: true), hostname: "runc",
                           mounts: mounts, linux: linux)
    }

    /// Writes config.json into `bundle`, refusing to overwrite one (as runc does).
    public static func write(bundle: String, rootless: Bool) throws(RuntimeError) {
        let path = absolutePath("config.json", relativeTo: bundle)
        if HostFiles.exists(path) { throw RuntimeError(.exists, "File \(path) exists. Remove it first") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(make(rootless: rootless)) } catch { throw RuntimeError(.system, "encode the spec: \(error)") }
        do { try HostFiles.write(path, Array(data) + [0x0a], mode: 0o666) } catch { throw RuntimeError.system("write \(path)", error) }
    }
}

/// The OCI runtime features document (`features`).
public enum RuntimeFeatures {
    public static func json() -> String {
        let namespaces = NamespaceKind.allCases.filter { $0 != .time || HostFiles.exists("/proc/self/ns/time") }.map { $0.rawValue }
        let caps = (0...CapabilitySets.lastCapability).compactMap { n -> String? in
            guard let name = cap_to_name_string(n) else { return nil }
            return name
        }
        let mountOptions = (Array(MountFlag.table.keys) + Array(MountFlag.propagationTable.keys)).sorted()
        func list(_ items: [String]) -> String { "[" + items.map { JSONText.quote($0) }.joined(separator: ",") + "]" }
        return """
        {
          "ociVersionMin": "1.0.0",
          "ociVersionMax": \(JSONText.quote(SwdockVersion.ociRuntimeSpec)),
          "hooks": ["prestart","createRuntime","createContainer","poststart","poststop"],
          "mountOptions": \(list(mountOptions)),
          "linux": {
            "namespaces": \(list(namespaces)),
            "capabilities": \(list(caps)),
            "cgroup": {"v1": true, "v2": true, "systemd": false, "systemdUser": false},
            "seccomp": {"enabled": true, "actions": ["SCMP_ACT_ALLOW","SCMP_ACT_ERRNO","SCMP_ACT_KILL","SCMP_ACT_KILL_PROCESS","SCMP_ACT_KILL_THREAD","SCMP_ACT_LOG","SCMP_ACT_TRACE","SCMP_ACT_TRAP"], "operators": ["SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_LE","SCMP_CMP_LT","SCMP_CMP_MASKED_EQ","SCMP_CMP_NE"]},
            "apparmor": {"enabled": false},
            "selinux": {"enabled": false}
          },
          "annotations": {"org.opencontainers.runc.version": "swdock-runtime \(SwdockVersion.version)"}
        }
        """
    }
}

import CCap

func cap_to_name_string(_ n: Int32) -> String? {
    guard let raw = cap_to_name(cap_value_t(n)) else { return nil }
    defer { cap_free(raw) }
    let name = String(cString: raw)
    // libcap names unknown numbers by number; the spec wants CAP_ names.
    return name.first?.isNumber == true ? nil : name.uppercased()
}
