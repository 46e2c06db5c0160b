/// Stats from the v2 files: cpu.stat, memory.*, pids.*, io.stat, hugetlb.*.
extension CgroupV2Manager {
    public func stats() throws(CgroupError) -> CgroupStats {
        var stats = CgroupStats()
        let dir = directory
        if CgroupFile.exists(dir + "/cpu.stat") {
            // cpu.stat is in microseconds; CgroupStats is in nanoseconds.
            let cpu = try CgroupFile.readKeyValues(dir + "/cpu.stat")
            stats.cpu.totalUsage = (cpu["usage_usec"] ?? 0) * 1000
            stats.cpu.userUsage = (cpu["user_usec"] ?? 0) * 1000
            stats.cpu.systemUsage = (cpu["system_usec"] ?? 0) * 1000
            stats.cpu.periods = cpu["nr_periods"] ?? 0
            stats.cpu.throttledPeriods = cpu["nr_throttled"] ?? 0
            stats.cpu.throttledTime = (cpu["throttled_usec"] ?? 0) * 1000
        }
        if CgroupFile.exists(dir + "/memory.current") {
            var memory = CgroupStats.Memory()
            memory.usage.usage = try CgroupFile.readNumber(dir + "/memory.current") ?? 0
            memory.usage.maxUsage = try CgroupFile.readOptionalNumber(dir + "/memory.peak") ?? 0
            memory.usage.limit = try CgroupFile.readOptionalNumber(dir + "/memory.max")
            if CgroupFile.exists(dir + "/memory.swap.current") {
                var swap = CgroupStats.MemoryData()
                swap.usage = try CgroupFile.readNumber(dir + "/memory.swap.current") ?? 0
                swap.maxUsage = try CgroupFile.readOptionalNumber(dir + "/memory.swap.peak") ?? 0
                swap.limit = try CgroupFile.readOptionalNumber(dir + "/memory.swap.max")
                memory.swap = swap
            }
            memory.stat = try CgroupFile.readKeyValues(dir + "/memory.stat")
            memory.cache = memory.stat["file"] ?? 0
            memory.rss = memory.stat["anon"] ?? 0
            if CgroupFile.exists(dir + "/memory.events") {
                let events = try CgroupFile.readKeyValues(dir + "/memory.events")
                memory.limitHits = events["max"] ?? 0
                memory.usage.failcnt = memory.limitHits
                memory.oomEvents = events["oom"] ?? 0
                memory.oomKills = events["oom_kill"] ?? 0
            }
            stats.memory = memory
        }
        if CgroupFile.exists(dir + "/pids.current") {
            stats.pids.current = try CgroupFile.readNumber(dir + "/pids.current") ?? 0
            stats.pids.limit = try CgroupFile.readOptionalNumber(dir + "/pids.max")
        }
        if CgroupFile.exists(dir + "/io.stat") {
            stats.blockIO = parseIOStat(try CgroupFile.read(dir + "/io.stat"))
        }
        for size in hugePageSizes() {
            var usage = CgroupStats.Hugetlb()
            usage.usage = try CgroupFile.readOptionalNumber(dir + "/hugetlb.\(size).current") ?? 0
            if CgroupFile.exists(dir + "/hugetlb.\(size).events") {
                usage.failcnt = try CgroupFile.readKeyValues(dir + "/hugetlb.\(size).events")["max"] ?? 0
            }
            stats.hugetlb[size] = usage
        }
        return stats
    }

    /// `8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0` → Read/Write/Discard entries, the
    /// op names v1 uses so one mapping serves both versions.
    func parseIOStat(_ text: String) -> CgroupStats.BlockIO {
        var io = CgroupStats.BlockIO()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let first = fields.first else { continue }
            let device = first.split(separator: ":")
            guard device.count == 2, let major = UInt64(device[0]), let minor = UInt64(device[1]) else { continue }
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=")
                guard pair.count == 2, let value = UInt64(pair[1]) else { continue }
                let entry = { (op: String) in CgroupStats.BlockIOEntry(major: major, minor: minor, op: op, value: value) }
                switch pair[0] {
                case "rbytes": io.serviceBytes.append(entry("Read"))
                case "wbytes": io.serviceBytes.append(entry("Write"))
                case "dbytes": io.serviceBytes.append(entry("Discard"))
                case "rios": io.serviced.append(entry("Read"))
                case "wios": io.serviced.append(entry("Write"))
                case "dios": io.serviced.append(entry("Discard"))
                default: break
                }
            }
        }
        return io
    }

    func hugePageSizes() -> [String] {
        guard CgroupFile.exists(mountRoot + "/cgroup.controllers"),
              let controllers = try? CgroupFile.readValue(directory + "/cgroup.controllers"),
              controllers.split(separator: " ").contains("hugetlb") else { return [] }
        return CgroupFile.files(directory).compactMap { name in
            guard name.hasPrefix("hugetlb."), name.hasSuffix(".current"), !name.contains(".rsvd.") else { return nil }
            return String(name.dropFirst("hugetlb.".count).dropLast(".current".count))
        }.sorted()
    }
}
