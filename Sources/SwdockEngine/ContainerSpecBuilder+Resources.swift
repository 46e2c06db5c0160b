import SwdockOCI

extension ContainerSpecBuilder {
    /// Docker's device cgroup rules (oci/defaults.go + daemon/oci_linux.go of 20.10): deny
    /// everything, allow the default nodes, keep /dev/fuse denied. The runtime adds the rules of
    /// the nodes it creates itself (/dev/pts/*, /dev/ptmx, …) as runc does.
    public static let defaultDeviceRules: [RuntimeSpec.DeviceCgroup] = [
        .init(allow: false, access: "rwm"),
        .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),   // /dev/zero
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),   // /dev/null
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),   // /dev/urandom
        .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),   // /dev/random
        .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),   // /dev/tty
        .init(allow: true, type: "c", major: 5, minor: 1, access: "rwm"),   // /dev/console
        .init(allow: false, type: "c", major: 10, minor: 229, access: "rwm"), // /dev/fuse
    ]

    /// `linux.resources` with the fields Docker always writes (cpu.shares, blockIO.weight and
    /// memory.disableOOMKiller even when zero/false) and the limits that were asked for.
    func resources(_ hc: HostConfiguration, warnings: inout [String]) throws(EngineError) -> RuntimeSpec.Resources {
        var resources = RuntimeSpec.Resources()
        var rules = hc.privileged ? [RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")] : Self.defaultDeviceRules
        for rule in hc.deviceCgroupRules { rules.append(try Self.deviceRule(rule)) }
        resources.devices = rules

        var memory = RuntimeSpec.Memory()
        memory.disableOOMKiller = hc.oomKillDisable ?? false
        if hc.memory > 0 { memory.limit = hc.memory }
        if hc.memoryReservation > 0 { memory.reservation = hc.memoryReservation }
        if hc.memorySwap > 0 { memory.swap = hc.memorySwap }
        if let swappiness = hc.memorySwappiness, swappiness >= 0 { memory.swappiness = UInt64(swappiness) }
        resources.memory = memory

        var cpu = RuntimeSpec.CPU()
        cpu.shares = UInt64(hc.cpuShares)
        if hc.nanoCpus > 0 {
            // Docker: a 100 ms CFS period and the quota of that many CPUs in it.
            cpu.period = 100_000
            cpu.quota = hc.nanoCpus * 100_000 / 1_000_000_000
        } else {
            if hc.cpuPeriod > 0 { cpu.period = UInt64(hc.cpuPeriod) }
            if hc.cpuQuota != 0 { cpu.quota = hc.cpuQuota }
        }
        if hc.cpuRealtimePeriod > 0 { cpu.realtimePeriod = UInt64(hc.cpuRealtimePeriod) }
        if hc.cpuRealtimeRuntime != 0 { cpu.realtimeRuntime = hc.cpuRealtimeRuntime }
        if !hc.cpusetCpus.isEmpty { cpu.cpus = hc.cpusetCpus }
        if !hc.cpusetMems.isEmpty { cpu.mems = hc.cpusetMems }
        resources.cpu = cpu

        if let limit = hc.pidsLimit, limit > 0 { resources.pids = RuntimeSpec.Pids(limit: limit) }
        var blockIO = RuntimeSpec.BlockIO()
        blockIO.weight = hc.blkioWeight
        resources.blockIO = blockIO
        return resources
    }

    /// `c 1:3 rwm`, `b 8:* r`, `a *:* rwm` (Docker's `--device-cgroup-rule`).
    static func deviceRule(_ text: String) throws(EngineError) -> RuntimeSpec.DeviceCgroup {
        let invalid = EngineError(.invalidArgument, "invalid device cgroup format '\(text)'")
        let fields = text.split(separator: " ")
        guard fields.count == 3, ["a", "b", "c"].contains(fields[0]) else { throw invalid }
        let numbers = fields[1].split(separator: ":", omittingEmptySubsequences: false)
        guard numbers.count == 2 else { throw invalid }
        func number(_ part: Substring) throws(EngineError) -> Int64? {
            if part == "*" { return nil }
            guard let value = Int64(part), value >= 0 else { throw invalid }
            return value
        }
        let access = fields[2]
        guard (1...3).contains(access.count), access.allSatisfy({ "rwm".contains($0) }),
              Set(access).count == access.count else { throw invalid }
        return RuntimeSpec.DeviceCgroup(allow: true, type: String(fields[0]), major: try number(numbers[0]),
                                        minor: try number(numbers[1]), access: String(access))
    }

    /// Docker's ulimit names (go-units) → `RLIMIT_*`.
    static let ulimitNames: Set<String> = [
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
        "rtprio", "rttime", "sigpending", "stack",
    ]

    /// `process.rlimits` from Ulimits (nil when none; Docker sets no default rlimits).
    static func rlimits(_ ulimits: [HostConfiguration.Ulimit]) throws(EngineError) -> [RuntimeSpec.Rlimit]? {
        guard !ulimits.isEmpty else { return nil }
        var result: [RuntimeSpec.Rlimit] = []
        for limit in ulimits {
            guard ulimitNames.contains(limit.name) else {
                throw EngineError(.invalidArgument, "invalid ulimit type: \(limit.name)")
            }
            if limit.soft > limit.hard && limit.hard != -1 {
                throw EngineError(.invalidArgument, "ulimit soft limit must be less than or equal to hard limit: \(limit.soft) > \(limit.hard)")
            }
            // -1 is "unlimited": Go's uint64(-1) is RLIM_INFINITY.
            result.append(RuntimeSpec.Rlimit(type: "RLIMIT_" + limit.name.uppercased(),
                                             hard: UInt64(bitPattern: limit.hard), soft: UInt64(bitPattern: limit.soft)))
        }
        return result
    }
}
