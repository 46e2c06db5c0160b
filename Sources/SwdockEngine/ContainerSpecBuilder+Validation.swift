extension ContainerSpecBuilder {
    /// Docker's create-time checks and adaptations of HostConfig (moby's
    /// verifyPlatformContainerResources, adaptContainerSettings, verifyContainerSettings).
    func adaptedHostConfig(_ request: HostConfiguration, warnings: inout [String]) throws(EngineError) -> HostConfiguration {
        var hc = request
        let minimumMemory: Int64 = 6 << 20
        if hc.memory < 0 { throw EngineError(.invalidArgument, "invalid memory limit: \(hc.memory)") }
        if hc.memory > 0 && hc.memory < minimumMemory {
            throw EngineError(.invalidArgument, "Minimum memory limit allowed is 6MB")
        }
        if hc.memorySwap > 0 && hc.memory == 0 {
            throw EngineError(.invalidArgument, "You should always set the Memory limit when using Memoryswap limit, see usage")
        }
        if hc.memory > 0 && hc.memorySwap > 0 && hc.memorySwap < hc.memory {
            throw EngineError(.invalidArgument, "Minimum memoryswap limit should be larger than memory limit, see usage")
        }
        if hc.memory > 0 && hc.memorySwap == 0 {
            // Docker's default: as much swap as memory (memory+swap = 2 × memory).
            hc.memorySwap = host.swapLimitSupported ? hc.memory * 2 : -1
        }
        if hc.memorySwap > 0 && !host.swapLimitSupported {
            warnings.append("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.")
            hc.memorySwap = -1
        }
        if let swappiness = hc.memorySwappiness, swappiness != -1, !(0...100).contains(swappiness) {
            throw EngineError(.invalidArgument, "Invalid value: \(swappiness), valid memory swappiness range is 0-100")
        }
        if hc.memoryReservation < 0 || (hc.memoryReservation > 0 && hc.memoryReservation < minimumMemory) {
            throw EngineError(.invalidArgument, "Minimum memory reservation allowed is 6MB")
        }
        if hc.memory > 0 && hc.memoryReservation > 0 && hc.memory < hc.memoryReservation {
            throw EngineError(.invalidArgument, "Minimum memory limit can not be less than memory reservation limit, see usage")
        }
        if hc.nanoCpus > 0 && hc.cpuPeriod > 0 {
            throw EngineError(.invalidArgument, "Conflicting options: Nano CPUs and CPU Period cannot both be set")
        }
        if hc.nanoCpus > 0 && hc.cpuQuota > 0 {
            throw EngineError(.invalidArgument, "Conflicting options: Nano CPUs and CPU Quota cannot both be set")
        }
        if hc.nanoCpus < 0 || hc.nanoCpus > Int64(host.cpuCount) * 1_000_000_000 {
            throw EngineError(.invalidArgument, "Range of CPUs is from 0.01 to \(host.cpuCount).00, as there are only \(host.cpuCount) CPUs available")
        }
        if hc.cpuPeriod != 0 && (hc.cpuPeriod < 1000 || hc.cpuPeriod > 1_000_000) {
            throw EngineError(.invalidArgument, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
        }
        if hc.cpuQuota > 0 && hc.cpuQuota < 1000 {
            throw EngineError(.invalidArgument, "CPU cfs quota can not be less than 1ms (i.e. 1000)")
        }
        if hc.cpuShares < 0 { throw EngineError(.invalidArgument, "invalid CPU shares: \(hc.cpuShares)") }
        try Self.checkCpuset(hc.cpusetCpus, available: host.cpuCount)
        if !hc.cpusetMems.isEmpty && CpuList.parse(hc.cpusetMems) == nil {
            throw EngineError(.invalidArgument, "Invalid value \(hc.cpusetMems) for cpuset mems")
        }
        if !(-1000...1000).contains(hc.oomScoreAdj) {
            throw EngineError(.invalidArgument, "Invalid value \(hc.oomScoreAdj), range for oom score adj is [-1000, 1000]")
        }
        if hc.shmSize < 0 { throw EngineError(.invalidArgument, "SHM size can not be less than 0") }
        if hc.shmSize == 0 { hc.shmSize = defaults.shmSize }
        if let limit = hc.pidsLimit, limit <= 0 { hc.pidsLimit = nil }

        try Self.checkRestartPolicy(hc)
        if hc.runtime.isEmpty { hc.runtime = defaults.runtime }
        guard defaults.runtimes.contains(hc.runtime) else {
            throw EngineError(.invalidArgument, "Unknown runtime specified \(hc.runtime)")
        }
        if hc.logConfig.type.isEmpty { hc.logConfig.type = defaults.logDriver }
        try Self.checkLogConfig(hc.logConfig)
        return hc
    }

    /// `--restart` as Docker validates it.
    static func checkRestartPolicy(_ hc: HostConfiguration) throws(EngineError) {
        let policy = hc.restartPolicy
        switch policy.name {
        case "", "no", "always", "unless-stopped":
            if policy.maximumRetryCount != 0 {
                throw EngineError(.invalidArgument, "maximum retry count cannot be used with restart policy '\(policy.name)'")
            }
        case "on-failure":
            if policy.maximumRetryCount < 0 {
                throw EngineError(.invalidArgument, "maximum retry count cannot be negative")
            }
        default:
            throw EngineError(.invalidArgument, "invalid restart policy '\(policy.name)'")
        }
        if hc.autoRemove && !(policy.name.isEmpty || policy.name == "no") {
            throw EngineError(.invalidArgument, "can't create 'AutoRemove' container with restart policy")
        }
    }

    /// The log drivers swdock has and the options of json-file (Docker's names).
    static func checkLogConfig(_ log: HostConfiguration.LogConfig) throws(EngineError) {
        switch log.type {
        case "json-file":
            let known: Set<String> = ["max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"]
            for key in log.config.keys.sorted() where !known.contains(key) {
                throw EngineError(.invalidArgument, "unknown log opt '\(key)' for json-file log driver")
            }
        case "none":
            if let key = log.config.keys.sorted().first {
                throw EngineError(.invalidArgument, "unknown log opt '\(key)' for none log driver")
            }
        default:
            throw EngineError(.notSupported, "log driver \"\(log.type)\" (swdock has json-file and none)")
        }
    }

    /// `--cpuset-cpus` must parse and name only CPUs this host has.
    static func checkCpuset(_ text: String, available: Int) throws(EngineError) {
        guard !text.isEmpty else { return }
        guard let cpus = CpuList.parse(text) else {
            throw EngineError(.invalidArgument, "Invalid value \(text) for cpuset cpus")
        }
        if let missing = cpus.first(where: { $0 >= available }) {
            _ = missing
            throw EngineError(.invalidArgument, "Requested CPUs are not available - requested \(text), available: \(available == 1 ? "0" : "0-\(available - 1)")")
        }
    }
}

/// The kernel's list format `0-3,7`.
enum CpuList {
    static func parse(_ text: String) -> [Int]? {
        var result: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), low >= 0 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low else { return nil }
            result.append(contentsOf: low...high)
        }
        return result
    }
}

/// Signal names as Docker's `signal.ParseSignal` accepts them (`SIGTERM`, `TERM`, `15`, `RTMIN+3`).
enum SignalName {
    static let names: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
        "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
        "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31, "RTMIN": 34, "RTMAX": 64,
    ]

    /// The signal number, or Docker's error.
    static func parse(_ text: String) throws(EngineError) -> Int32 {
        let invalid = EngineError(.invalidArgument, "Invalid signal: \(text)")
        if let number = Int32(text) {
            guard (1...64).contains(number) else { throw invalid }
            return number
        }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let value = names[name] { return value }
        for (base, sign) in [("RTMIN+", Int32(1)), ("RTMAX-", Int32(-1))] where name.hasPrefix(base) {
            guard let offset = Int32(name.dropFirst(base.count)), (1...30).contains(offset) else { throw invalid }
            return names[String(base.dropLast())]! + sign * offset
        }
        throw invalid
    }
}
