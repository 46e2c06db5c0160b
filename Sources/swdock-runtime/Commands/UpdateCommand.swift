import ArgumentParser
import SwdockOCI
import SwdockRuntime

struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change the cgroup limits of a container.")
    @Option(name: [.short, .long], help: "JSON resources file (\"-\" = stdin).") var resources: String?
    @Option(name: .long, help: "Memory limit (bytes, or with k/m/g).") var memory: String?
    @Option(name: .long, help: "Memory soft limit.") var memoryReservation: String?
    @Option(name: .long, help: "Memory plus swap limit (-1 = unlimited).") var memorySwap: String?
    @Option(name: .long, help: "Kernel memory limit.") var kernelMemory: String?
    @Option(name: .long, help: "CPU shares.") var cpuShares: UInt64?
    @Option(name: .long, help: "CPU CFS quota (µs).") var cpuQuota: Int64?
    @Option(name: .long, help: "CPU CFS period (µs).") var cpuPeriod: UInt64?
    @Option(name: .long, help: "CPU realtime period (µs).") var cpuRtPeriod: UInt64?
    @Option(name: .long, help: "CPU realtime runtime (µs).") var cpuRtRuntime: Int64?
    @Option(name: .long, help: "CPUs allowed (0-3, 0,1).") var cpusetCpus: String?
    @Option(name: .long, help: "Memory nodes allowed.") var cpusetMems: String?
    @Option(name: .long, help: "Maximum number of pids (-1 = unlimited).") var pidsLimit: Int64?
    @Option(name: .long, help: "Block IO weight (10-1000).") var blkioWeight: UInt16?
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        try perform { () throws(RuntimeError) in
            var r = RuntimeSpec.Resources()
            if let resources {
                r = try Runtime.decodeResources(try ProcessFile.read(resources))
            }
            func bytes(_ text: String?) throws(RuntimeError) -> Int64? {
                guard let text else { return nil }
                return try ByteSize.parse(text)
            }
            if memory != nil || memoryReservation != nil || memorySwap != nil || kernelMemory != nil {
                var m = r.memory ?? RuntimeSpec.Memory()
                if let v = try bytes(memory) { m.limit = v }
                if let v = try bytes(memoryReservation) { m.reservation = v }
                if let v = try bytes(memorySwap) { m.swap = v }
                if let v = try bytes(kernelMemory) { m.kernel = v }
                r.memory = m
            }
            if cpuShares != nil || cpuQuota != nil || cpuPeriod != nil || cpusetCpus != nil || cpusetMems != nil || cpuRtPeriod != nil || cpuRtRuntime != nil {
                var c = r.cpu ?? RuntimeSpec.CPU()
                if let cpuShares { c.shares = cpuShares }
                if let cpuQuota { c.quota = cpuQuota }
                if let cpuPeriod { c.period = cpuPeriod }
                if let cpuRtPeriod { c.realtimePeriod = cpuRtPeriod }
                if let cpuRtRuntime { c.realtimeRuntime = cpuRtRuntime }
                if let cpusetCpus { c.cpus = cpusetCpus }
                if let cpusetMems { c.mems = cpusetMems }
                r.cpu = c
            }
            if let pidsLimit { r.pids = .init(limit: pidsLimit) }
            if let blkioWeight {
                var b = r.blockIO ?? RuntimeSpec.BlockIO()
                b.weight = blkioWeight
                r.blockIO = b
            }
            try GlobalOptions.current.runtime.update(id, resources: r)
        }
    }
}

/// `512m`, `1g`, `1024` → bytes (as runc's units.RAMInBytes); `-1` stays -1.
enum ByteSize {
    static func parse(_ text: String) throws(RuntimeError) -> Int64 {
        if text == "-1" { return -1 }
        let lower = text.lowercased()
        let units: [(String, Int64)] = [("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("tb", 1 << 40),
                                        ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("b", 1)]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            guard let value = Int64(lower.dropLast(suffix.count)) else { break }
            return value * factor
        }
        guard let value = Int64(lower) else { throw RuntimeError(.invalidArgument, "invalid size: \(text)") }
        return value
    }
}
