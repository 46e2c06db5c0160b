/// Docker's capability rules (moby's oci/caps): the default set, the list of all capabilities,
/// and how CapAdd/CapDrop/Privileged change the set.
public enum DefaultCapabilities {
    /// Docker's 14 default capabilities, in Docker's order (the order config.json lists them).
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    /// Every capability by number (linux/capability.h), CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40.
    public static let known: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// All capabilities this kernel has (`cap_last_cap`), in number order: what `--privileged`
    /// and `--cap-add ALL` grant.
    public static func all(lastCapability: Int) -> [String] {
        Array(known.prefix(max(0, min(lastCapability, known.count - 1)) + 1))
    }

    /// The bounding set after CapAdd/CapDrop, as moby's TweakCapabilities: names are matched
    /// case-insensitively with or without `CAP_`; `ALL` in CapAdd starts from every capability
    /// (minus CapDrop), `ALL` in CapDrop starts from nothing (plus CapAdd); otherwise the
    /// defaults minus CapDrop, then CapAdd in its order.
    public static func tweak(_ basics: [String] = names, add: [String], drop: [String], privileged: Bool,
                             lastCapability: Int) throws(EngineError) -> [String] {
        let everything = all(lastCapability: lastCapability)
        if privileged { return everything }
        if add.isEmpty && drop.isEmpty { return basics }
        let adds = try normalize(add, valid: everything)
        let drops = try normalize(drop, valid: everything)
        var result: [String]
        if adds.contains("ALL") {
            result = everything.filter { !drops.contains($0) }
        } else if drops.contains("ALL") {
            result = adds
        } else {
            result = basics.filter { !drops.contains($0) } + adds
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// `net_admin` → `CAP_NET_ADMIN`; `ALL` stays `ALL`; unknown names are Docker's error.
    static func normalize(_ list: [String], valid: [String]) throws(EngineError) -> [String] {
        var result: [String] = []
        for raw in list {
            var name = raw.uppercased()
            if name == "ALL" { result.append(name); continue }
            if !name.hasPrefix("CAP_") { name = "CAP_" + name }
            guard valid.contains(name) else {
                throw EngineError(.invalidArgument, "unknown capability: \"\(name)\"")
            }
            result.append(name)
        }
        return result
    }
}
