/// What the cgroup files say about a container's use of CPU, memory, pids, block I/O and huge
/// pages. Units are normalised across v1 and v2: nanoseconds for CPU time, bytes for memory
/// and I/O. Docker's stats API maps these fields.
public struct CgroupStats: Sendable, Equatable {
    public var cpu = CPU()
    public var memory = Memory()
    public var pids = Pids()
    public var blockIO = BlockIO()
    /// Page size (`2MB`, `1GB`) → usage.
    public var hugetlb: [String: Hugetlb] = [:]

    public init() {}

    public struct CPU: Sendable, Equatable {
        /// Total CPU time consumed, in nanoseconds.
        public var totalUsage: UInt64 = 0
        /// Per-CPU time in nanoseconds (v1 cpuacct.usage_percpu; empty on v2, which lacks it).
        public var perCPUUsage: [UInt64] = []
        /// Time in user mode, in nanoseconds.
        public var userUsage: UInt64 = 0
        /// Time in kernel mode, in nanoseconds.
        public var systemUsage: UInt64 = 0
        /// CFS enforcement periods that elapsed, were throttled, and the time throttled (ns).
        public var periods: UInt64 = 0
        public var throttledPeriods: UInt64 = 0
        public var throttledTime: UInt64 = 0
        public init() {}
    }

    /// One memory counter set: v1's usage/max_usage/failcnt/limit files of a kind.
    public struct MemoryData: Sendable, Equatable {
        public var usage: UInt64 = 0
        /// Peak usage (v1 max_usage_in_bytes, v2 memory.peak where the kernel has it).
        public var maxUsage: UInt64 = 0
        public var failcnt: UInt64 = 0
        /// The limit; `nil` when unlimited.
        public var limit: UInt64?
        public init() {}
    }

    public struct Memory: Sendable, Equatable {
        public var usage = MemoryData()
        /// v1: memory+swap (memsw); v2: swap alone (memory.swap.*). `nil` without swap accounting.
        public var swap: MemoryData?
        /// v1 kernel memory (kmem) and kernel TCP memory, where the kernel has them.
        public var kernel: MemoryData?
        public var kernelTCP: MemoryData?
        /// Page cache (v1 `cache`, v2 `file`).
        public var cache: UInt64 = 0
        /// Anonymous memory (v1 `rss`, v2 `anon`).
        public var rss: UInt64 = 0
        /// memory.stat as read.
        public var stat: [String: UInt64] = [:]
        /// Times the limit was hit (v1 failcnt, v2 memory.events `max`).
        public var limitHits: UInt64 = 0
        /// OOM situations (v2 memory.events `oom`; v1 counts `under_oom` as 0/1).
        public var oomEvents: UInt64 = 0
        /// Processes killed by the OOM killer (v1 oom_control `oom_kill`, v2 memory.events `oom_kill`).
        public var oomKills: UInt64 = 0
        public init() {}
    }

    public struct Pids: Sendable, Equatable {
        public var current: UInt64 = 0
        /// `nil` when unlimited.
        public var limit: UInt64?
        public init() {}
    }

    /// One line of blkio/io accounting: device, operation (`Read`, `Write`, `Sync`, `Async`,
    /// `Discard`, `Total`), value.
    public struct BlockIOEntry: Sendable, Equatable {
        public var major: UInt64
        public var minor: UInt64
        public var op: String
        public var value: UInt64
        public init(major: UInt64, minor: UInt64, op: String, value: UInt64) {
            self.major = major
            self.minor = minor
            self.op = op
            self.value = value
        }
    }

    public struct BlockIO: Sendable, Equatable {
        /// Bytes transferred.
        public var serviceBytes: [BlockIOEntry] = []
        /// I/O operations.
        public var serviced: [BlockIOEntry] = []
        public init() {}
    }

    public struct Hugetlb: Sendable, Equatable {
        public var usage: UInt64 = 0
        public var maxUsage: UInt64 = 0
        public var failcnt: UInt64 = 0
        public init() {}
    }
}
