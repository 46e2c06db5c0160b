/// `GET /containers/{id}/stats` as dockerd 20.10 writes it (types.StatsJSON), keys in its order.
public struct ContainerStatsResponse: Codable, Sendable, Equatable {
    public struct CPUUsage: Codable, Sendable, Equatable {
        public var total_usage: UInt64 = 0
        /// Absent on cgroup v2 (no per-CPU counters).
        public var percpu_usage: [UInt64]?
        public var usage_in_kernelmode: UInt64 = 0
        public var usage_in_usermode: UInt64 = 0
        public init() {}
    }
    public struct Throttling: Codable, Sendable, Equatable {
        public var periods: UInt64 = 0
        public var throttled_periods: UInt64 = 0
        public var throttled_time: UInt64 = 0
        public init() {}
    }
    public struct CPUStats: Codable, Sendable, Equatable {
        public var cpu_usage = CPUUsage()
        public var system_cpu_usage: UInt64?
        public var online_cpus: UInt32?
        public var throttling_data = Throttling()
        public init() {}
    }
    public struct MemoryStats: Codable, Sendable, Equatable {
        public var usage: UInt64?
        public var max_usage: UInt64?
        public var stats: [String: UInt64]?
        public var failcnt: UInt64?
        public var limit: UInt64?
        public init() {}
    }
    public struct PidsStats: Codable, Sendable, Equatable {
        public var current: UInt64?
        public var limit: UInt64?
        public init() {}
    }
    public struct BlkioEntry: Codable, Sendable, Equatable {
        public var major: UInt64
        public var minor: UInt64
        public var op: String
        public var value: UInt64
        public init(major: UInt64, minor: UInt64, op: String, value: UInt64) {
            self.major = major; self.minor = minor; self.op = op; self.value = value
        }
    }
    /// Every list is null when the cgroup has no entries, as dockerd encodes nil slices.
    public struct BlkioStats: Codable, Sendable, Equatable {
        public var io_service_bytes_recursive: [BlkioEntry]?
        public var io_serviced_recursive: [BlkioEntry]?
        public var io_queue_recursive: [BlkioEntry]?
        public var io_service_time_recursive: [BlkioEntry]?
        public var io_wait_time_recursive: [BlkioEntry]?
        public var io_merged_recursive: [BlkioEntry]?
        public var io_time_recursive: [BlkioEntry]?
        public var sectors_recursive: [BlkioEntry]?
        public init() {}

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(io_service_bytes_recursive, forKey: .io_service_bytes_recursive)
            try c.encode(io_serviced_recursive, forKey: .io_serviced_recursive)
            try c.encode(io_queue_recursive, forKey: .io_queue_recursive)
            try c.encode(io_service_time_recursive, forKey: .io_service_time_recursive)
            try c.encode(io_wait_time_recursive, forKey: .io_wait_time_recursive)
            try c.encode(io_merged_recursive, forKey: .io_merged_recursive)
            try c.encode(io_time_recursive, forKey: .io_time_recursive)
            try c.encode(sectors_recursive, forKey: .sectors_recursive)
        }
    }
    public struct StorageStats: Codable, Sendable, Equatable { public init() {} }

    public var read = "0001-01-01T00:00:00Z"
    public var preread = "0001-01-01T00:00:00Z"
    public var pids_stats = PidsStats()
    public var blkio_stats = BlkioStats()
    public var num_procs: UInt32 = 0
    public var storage_stats = StorageStats()
    public var cpu_stats = CPUStats()
    public var precpu_stats = CPUStats()
    public var memory_stats = MemoryStats()
    public var name = ""
    public var id = ""
    public init() {}
}
