/// A compiled seccomp filter, ready for `seccomp(SECCOMP_SET_MODE_FILTER, filterFlags, &prog)`.
public struct SeccompProgram: Sendable, Equatable {
    /// The BPF program: an array of `struct sock_filter` (8 bytes each), raw bytes in host order.
    public var filter: [UInt8]
    /// `SECCOMP_FILTER_FLAG_*` bits from the spec's `flags`.
    public var filterFlags: UInt32
    /// Syscall names of the profile this libseccomp does not know; skipped as runc does.
    /// The caller logs them (runc logs them at debug level).
    public var skippedSyscalls: [String]

    public init(filter: [UInt8], filterFlags: UInt32, skippedSyscalls: [String] = []) {
        self.filter = filter
        self.filterFlags = filterFlags
        self.skippedSyscalls = skippedSyscalls
    }

    /// Number of BPF instructions (`struct sock_filter` is 8 bytes).
    public var instructionCount: Int { filter.count / 8 }
}

/// `SECCOMP_FILTER_FLAG_*` values of linux/seccomp.h.
public enum SeccompFilterFlag {
    public static let tsync: UInt32 = 1 << 0
    public static let log: UInt32 = 1 << 1
    public static let specAllow: UInt32 = 1 << 2
    public static let newListener: UInt32 = 1 << 3
    public static let tsyncESRCH: UInt32 = 1 << 4
    public static let waitKillableRecv: UInt32 = 1 << 5
}
