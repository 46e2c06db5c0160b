import SwdockOCI

/// Writing `linux.resources` into the v2 interface files with runc's conversions (cpu shares →
/// weight, blkio weight → io.weight, memory+swap → swap alone).
extension CgroupV2Manager {
    /// runc's cpu.shares (2…262144) → cpu.weight (1…10000).
    public static func cpuWeight(shares: UInt64) -> UInt64 {
        shares == 0 ? 0 : 1 + ((shares - 2) * 9999) / 262142
    }

    /// runc's blkio weight (10…1000) → io.weight (1…10000).
    public static func ioWeight(blkioWeight: UInt16) -> UInt64 {
        blkioWeight == 0 ? 0 : 1 + (UInt64(blkioWeight) - 10) * 9999 / 990
    }

    /// OCI `swap` is memory+swap; v2 limits swap alone. -1 stays "max", 0 stays "unset".
    static func swapMax(swap: Int64, limit: Int64) throws(CgroupError) -> Int64 {
        if limit == -1 && swap == 0 { return -1 }
        if swap == -1 || swap == 0 { return swap }
        if limit == 0 || limit == -1 { throw CgroupError(.invalidArgument, "unable to set swap limit without memory limit") }
        if limit < 0 { throw CgroupError(.invalidArgument, "invalid memory value: \(limit)") }
        if swap < limit { throw CgroupError(.invalidArgument, "memory+swap limit (\(swap)) should be >= memory limit (\(limit))") }
        return swap - limit
    }

    func apply(_ r: RuntimeSpec.Resources) throws(CgroupError) {
        if let devices = r.devices { try checkDevices(devices) }
        if let memory = r.memory { try applyMemory(memory) }
        if let cpu = r.cpu { try applyCPU(cpu) }
        if let pids = r.pids { try write("pids.max", pids.limit > 0 ? String(pids.limit) : "max", what: "pids limit") }
        if let blockIO = r.blockIO { try applyIO(blockIO) }
        for limit in r.hugepageLimits ?? [] {
            try write("hugetlb.\(limit.pageSize).max", String(limit.limit), what: "hugepage limit \(limit.pageSize)")
        }
        if let rdma = r.rdma, !rdma.isEmpty {
            for (device, limit) in rdma.sorted(by: { $0.key < $1.key }) {
                var line = device
                if let handles = limit.hcaHandles { line += " hca_handle=\(handles)" }
                if let objects = limit.hcaObjects { line += " hca_object=\(objects)" }
                try write("rdma.max", line, what: "rdma limit")
            }
        }
        if let network = r.network, network.classID != nil || network.priorities?.isEmpty == false {
            throw CgroupError(.notSupported, "network classID/priorities on cgroup v2 (net_cls and net_prio are v1 controllers)")
        }
        // Written as-is, after the typed fields so an explicit unified value wins.
        for (key, value) in (r.unified ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !key.contains("/"), !key.hasPrefix(".") else {
                throw CgroupError(.invalidArgument, "unified key \"\(key)\" is not a cgroup file name")
            }
            try write(key, value, what: "unified \(key)")
        }
    }

    /// Device rules on v2 need an eBPF program attached to the cgroup. Allow-all (no rules, or
    /// rules that end allowing everything) needs none.
    func checkDevices(_ rules: [RuntimeSpec.DeviceCgroup]) throws(CgroupError) {
        let state = try DeviceCgroupState.from(rules)
        if state == .allowAll { return }
        throw CgroupError(.notSupported, "device cgroup rules on cgroup v2 (needs eBPF)")
    }

    func applyMemory(_ m: RuntimeSpec.Memory) throws(CgroupError) {
        if let kernel = m.kernel, kernel != 0 {
            throw CgroupError(.notSupported, "kernel memory limit on cgroup v2")
        }
        if let tcp = m.kernelTCP, tcp != 0 {
            throw CgroupError(.notSupported, "kernel TCP memory limit on cgroup v2")
        }
        if let swappiness = m.swappiness, swappiness != UInt64.max {
            throw CgroupError(.notSupported, "memory swappiness on cgroup v2")
        }
        if m.disableOOMKiller == true {
            throw CgroupError(.notSupported, "disabling the OOM killer on cgroup v2")
        }
        let limit = m.limit ?? 0
        let swap = try Self.swapMax(swap: m.swap ?? 0, limit: limit)
        if m.checkBeforeUpdate == true, limit > 0,
           let current = try CgroupFile.readOptionalNumber(directory + "/memory.current"), current > UInt64(limit) {
            throw CgroupError(.invalidArgument, "rejecting memory limit \(limit): usage \(current) is higher")
        }
        var swapText: String? = swap == -1 ? "max" : swap > 0 ? String(swap) : nil
        // memory and memory+swap equal: no swap at all.
        if swap == 0 && (m.swap ?? 0) > 0 { swapText = "0" }
        if let swapText {
            let file = directory + "/memory.swap.max"
            if CgroupFile.exists(file) {
                try CgroupFile.write(file, swapText)
            } else if swapText != "max" && swapText != "0" {
                // Without swap accounting, "unlimited" and "none" need no write; a real limit does.
                throw CgroupError(.notSupported, "swap limit: \(file) does not exist (swap accounting is off)")
            }
        }
        if limit != 0 { try write("memory.max", limit == -1 ? "max" : String(limit), what: "memory limit") }
        if let reservation = m.reservation, reservation != 0 {
            try write("memory.low", reservation == -1 ? "max" : String(reservation), what: "memory reservation")
        }
    }

    func applyCPU(_ cpu: RuntimeSpec.CPU) throws(CgroupError) {
        if (cpu.realtimeRuntime ?? 0) != 0 || (cpu.realtimePeriod ?? 0) != 0 {
            throw CgroupError(.notSupported, "cpu realtime runtime/period on cgroup v2")
        }
        if let shares = cpu.shares, shares != 0 {
            try write("cpu.weight", String(Self.cpuWeight(shares: shares)), what: "cpu shares")
        }
        let quota = cpu.quota ?? 0, period = cpu.period ?? 0
        if quota != 0 || period != 0 {
            var text = quota > 0 ? String(quota) : "max"
            if period != 0 { text += " \(period)" }
            try write("cpu.max", text, what: "cpu quota/period")
        }
        if let burst = cpu.burst { try write("cpu.max.burst", String(burst), what: "cpu burst") }
        if let idle = cpu.idle { try write("cpu.idle", String(idle), what: "cpu idle") }
        if let cpus = cpu.cpus, !cpus.isEmpty { try write("cpuset.cpus", cpus, what: "cpuset cpus") }
        if let mems = cpu.mems, !mems.isEmpty { try write("cpuset.mems", mems, what: "cpuset mems") }
    }

    func applyIO(_ b: RuntimeSpec.BlockIO) throws(CgroupError) {
        if let leaf = b.leafWeight, leaf != 0 {
            throw CgroupError(.notSupported, "blkio leaf weight on cgroup v2")
        }
        let bfq = CgroupFile.exists(directory + "/io.bfq.weight")
        if let weight = b.weight, weight != 0 {
            if bfq {
                try write("io.bfq.weight", String(weight), what: "io weight")
            } else {
                try write("io.weight", String(Self.ioWeight(blkioWeight: weight)), what: "io weight")
            }
        }
        for device in b.weightDevice ?? [] {
            if let weight = device.weight, weight != 0 {
                if bfq {
                    try write("io.bfq.weight", "\(device.major):\(device.minor) \(weight)", what: "io weight_device")
                } else {
                    try write("io.weight", "\(device.major):\(device.minor) \(Self.ioWeight(blkioWeight: weight))", what: "io weight_device")
                }
            }
        }
        let throttles: [(String, [RuntimeSpec.ThrottleDevice]?)] = [
            ("rbps", b.throttleReadBpsDevice), ("wbps", b.throttleWriteBpsDevice),
            ("riops", b.throttleReadIOPSDevice), ("wiops", b.throttleWriteIOPSDevice),
        ]
        for (key, devices) in throttles {
            for device in devices ?? [] {
                try write("io.max", "\(device.major):\(device.minor) \(key)=\(device.rate)", what: "io throttling")
            }
        }
    }

    /// Writes an interface file; a missing one means its controller is not enabled here.
    func write(_ name: String, _ value: String, what: String) throws(CgroupError) {
        let file = directory + "/" + name
        guard CgroupFile.exists(file) else {
            throw CgroupError(.notSupported, "\(what): \(file) does not exist (controller not enabled in the parent's cgroup.subtree_control?)")
        }
        try CgroupFile.write(file, value)
    }
}
