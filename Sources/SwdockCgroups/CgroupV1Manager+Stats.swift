#if canImport(Glibc)
import Glibc
#endif

/// Stats from the v1 files: cpuacct, cpu.stat, memory.*, pids, blkio, hugetlb.
extension CgroupV1Manager {
    public func stats() throws(CgroupError) -> CgroupStats {
        var stats = CgroupStats()
        if let dir = directories["cpuacct"] { try readCPUAccounting(dir, into: &stats.cpu) }
        if let dir = directories["cpu"], CgroupFile.exists(dir + "/cpu.stat") {
            let throttling = try CgroupFile.readKeyValues(dir + "/cpu.stat")
            stats.cpu.periods = throttling["nr_periods"] ?? 0
            stats.cpu.throttledPeriods = throttling["nr_throttled"] ?? 0
            stats.cpu.throttledTime = throttling["throttled_time"] ?? 0
        }
        if let dir = directories["memory"] { try readMemory(dir, into: &stats.memory) }
        if let dir = directories["pids"] {
            stats.pids.current = try CgroupFile.readNumber(dir + "/pids.current") ?? 0
            stats.pids.limit = try CgroupFile.readNumber(dir + "/pids.max")
        }
        if let dir = directories["blkio"] { stats.blockIO = try readBlockIO(dir) }
        if let dir = directories["hugetlb"] {
            for name in hugePageSizes(dir) {
                var usage = CgroupStats.Hugetlb()
                let prefix = dir + "/hugetlb.\(name)."
                usage.usage = try CgroupFile.readNumber(prefix + "usage_in_bytes") ?? 0
                usage.maxUsage = try CgroupFile.readNumber(prefix + "max_usage_in_bytes") ?? 0
                usage.failcnt = try CgroupFile.readNumber(prefix + "failcnt") ?? 0
                stats.hugetlb[name] = usage
            }
        }
        return stats
    }

    func readCPUAccounting(_ dir: String, into cpu: inout CgroupStats.CPU) throws(CgroupError) {
        cpu.totalUsage = try CgroupFile.readNumber(dir + "/cpuacct.usage") ?? 0
        cpu.perCPUUsage = try CgroupFile.readValue(dir + "/cpuacct.usage_percpu")
            .split(separator: " ").compactMap { UInt64($0) }
        // cpuacct.stat counts USER_HZ ticks; report nanoseconds as runc does.
        let ticks = try CgroupFile.readKeyValues(dir + "/cpuacct.stat")
        let hz = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        cpu.userUsage = (ticks["user"] ?? 0) * (1_000_000_000 / hz)
        cpu.systemUsage = (ticks["system"] ?? 0) * (1_000_000_000 / hz)
    }

    func readMemory(_ dir: String, into memory: inout CgroupStats.Memory) throws(CgroupError) {
        func data(_ prefix: String) throws(CgroupError) -> CgroupStats.MemoryData? {
            guard CgroupFile.exists(dir + "/\(prefix).usage_in_bytes") else { return nil }
            var d = CgroupStats.MemoryData()
            d.usage = try CgroupFile.readNumber(dir + "/\(prefix).usage_in_bytes") ?? 0
            d.maxUsage = try CgroupFile.readOptionalNumber(dir + "/\(prefix).max_usage_in_bytes") ?? 0
            d.failcnt = try CgroupFile.readOptionalNumber(dir + "/\(prefix).failcnt") ?? 0
            let limit = try CgroupFile.readOptionalNumber(dir + "/\(prefix).limit_in_bytes")
            // v1 shows "unlimited" as the largest page-aligned 63-bit value.
            d.limit = limit.flatMap { $0 >= 0x7FFF_FFFF_FFFF_F000 ? nil : $0 }
            return d
        }
        memory.usage = try data("memory") ?? CgroupStats.MemoryData()
        memory.swap = try data("memory.memsw")
        memory.kernel = try data("memory.kmem")
        memory.kernelTCP = try data("memory.kmem.tcp")
        memory.stat = try CgroupFile.readKeyValues(dir + "/memory.stat")
        memory.cache = memory.stat["cache"] ?? 0
        memory.rss = memory.stat["rss"] ?? 0
        memory.limitHits = memory.usage.failcnt
        let oom = try CgroupFile.readKeyValues(dir + "/memory.oom_control")
        memory.oomEvents = oom["under_oom"] ?? 0
        memory.oomKills = oom["oom_kill"] ?? 0
    }

    /// blkio accounting: the CFQ files when they have data, else BFQ's, else the throttling
    /// layer's (which counts every device), as runc picks them.
    func readBlockIO(_ dir: String) throws(CgroupError) -> CgroupStats.BlockIO {
        for prefix in ["blkio.", "blkio.bfq.", "blkio.throttle."] {
            let bytesFile = dir + "/\(prefix)io_service_bytes_recursive"
            let opsFile = dir + "/\(prefix)io_serviced_recursive"
            guard CgroupFile.exists(bytesFile), CgroupFile.exists(opsFile) else { continue }
            var io = CgroupStats.BlockIO()
            io.serviceBytes = parseBlkioEntries(try CgroupFile.read(bytesFile))
            io.serviced = parseBlkioEntries(try CgroupFile.read(opsFile))
            if !io.serviceBytes.isEmpty || prefix == "blkio.throttle." { return io }
        }
        return CgroupStats.BlockIO()
    }

    /// `8:0 Read 4096` lines; the trailing `Total N` line has no device and is dropped.
    func parseBlkioEntries(_ text: String) -> [CgroupStats.BlockIOEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3 else { return nil }
            let device = fields[0].split(separator: ":")
            guard device.count == 2, let major = UInt64(device[0]), let minor = UInt64(device[1]),
                  let value = UInt64(fields[2]) else { return nil }
            return CgroupStats.BlockIOEntry(major: major, minor: minor, op: String(fields[1]), value: value)
        }
    }

    func hugePageSizes(_ dir: String) -> [String] {
        // hugetlb.2MB.limit_in_bytes → 2MB
        CgroupFile.files(dir).compactMap { name in
            guard name.hasPrefix("hugetlb."), name.hasSuffix(".limit_in_bytes"), !name.contains(".rsvd.") else { return nil }
            return String(name.dropFirst("hugetlb.".count).dropLast(".limit_in_bytes".count))
        }.sorted()
    }
}
