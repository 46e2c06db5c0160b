import CSwdockInit
import SwdockOCI

/// One setup step for the container init, as a Swift value (see `swdock_op` in CSwdockInit).
///
/// The whole plan is computed before the clone, so it can be unit-tested without root; the
/// init only performs it.
public struct InitOp: Equatable, Sendable {
    public enum Kind: UInt32, Sendable {
        case mount = 1, remount, mknod, symlink, mkdir, write, mask, pivot, sethostname, setdomainname, hooks
    }

    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let mkdir = Flags(rawValue: SWDOCK_OPF_MKDIR)
        public static let targetIsFile = Flags(rawValue: SWDOCK_OPF_TARGET_FILE)
        public static let ignoreMissing = Flags(rawValue: SWDOCK_OPF_IGNORE_ENOENT)
        public static let sourceInRoot = Flags(rawValue: SWDOCK_OPF_SOURCE_IN_ROOT)
        public static let bind = Flags(rawValue: SWDOCK_OPF_BIND)
        /// For `.pivot`: MS_MOVE + chroot instead of pivot_root.
        public static let noPivot = Flags(rawValue: 1)
    }

    public var kind: Kind
    public var flags: Flags = []
    public var mountFlags: UInt = 0
    public var remountFlags: UInt = 0
    public var propagation: UInt = 0
    public var source: String?
    public var target: String = ""
    public var fstype: String?
    public var data: String?
    public var mode: UInt32 = 0
    public var dev: UInt64 = 0
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    /// What an error names, e.g. `mount "proc" on "/proc"`.
    public var describe: String

    public init(kind: Kind, describe: String) {
        self.kind = kind
        self.describe = describe
    }
}

/// A namespace the container joins or creates.
public enum NamespaceKind: String, CaseIterable, Sendable {
    case user, pid, network, mount, ipc, uts, cgroup, time

    /// The CLONE_NEW* flag.
    public var cloneFlag: Int32 {
        switch self {
        case .user: return 0x1000_0000
        case .pid: return 0x2000_0000
        case .network: return 0x4000_0000
        case .mount: return 0x0002_0000
        case .ipc: return 0x0800_0000
        case .uts: return 0x0400_0000
        case .cgroup: return 0x0200_0000
        case .time: return 0x80
        }
    }

    /// The file name under /proc/PID/ns/.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }
}

/// Everything the container init does, computed from the spec before the clone.
public struct InitPlan: Sendable {
    public var joins: [(kind: NamespaceKind, path: String)] = []
    public var newNamespaces: [NamespaceKind] = []
    public var uidMappings: [(containerID: UInt32, hostID: UInt32, size: UInt32)] = []
    public var gidMappings: [(containerID: UInt32, hostID: UInt32, size: UInt32)] = []
    public var timensOffsets: String?
    public var rootfs: String = "/"
    public var rootPropagation: UInt = 0
    public var ops: [InitOp] = []
    public var argv: [String] = []
    public var env: [String] = []
    public var cwd: String = "/"
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var additionalGids: [UInt32] = []
    public var umask: Int32 = -1
    public var rlimits: [(resource: Int32, soft: UInt64, hard: UInt64)] = []
    public var capabilities: CapabilitySets?
    public var noNewPrivileges = false
    public var seccompFilter: [UInt8]?
    public var seccompFlags: UInt32 = 0
    public var terminal = false
    public var consoleSize: (rows: UInt16, cols: UInt16) = (0, 0)
    public var personality: Int32 = -1
    public var execMode = false
    public var oomScoreAdj: Int?
    /// Run by the init inside the container after `start`, before the execve.
    public var startContainerHooks: [RuntimeSpec.Hook] = []
    /// The state JSON those hooks read, split where the init writes its pid.
    public var hookState: (head: String, tail: String) = ("", "")

    public init() {}

    public var newUserNamespace: Bool { newNamespaces.contains(.user) }
    public var inUserNamespace: Bool { newUserNamespace || joins.contains { $0.kind == .user } }
    /// A new or joined pid or time namespace only applies to children: the init must fork.
    public var needsFork: Bool {
        newNamespaces.contains(.pid) || newNamespaces.contains(.time)
            || joins.contains { $0.kind == .pid || $0.kind == .time }
    }

    /// The CLONE_NEW* flags the init's clone can take itself, as crun does it, saving the
    /// unshare-then-fork a new pid ns needs otherwise: only when nothing has to happen before
    /// the namespaces exist (a join; the id maps of a user ns; the cgroup attach a new cgroup ns
    /// is rooted at; time offsets) and not for `exec`. 0 = the child unshares (and forks) itself.
    public var directCloneFlags: Int32 {
        guard !execMode, joins.isEmpty, !newNamespaces.contains(where: { [.user, .cgroup, .time].contains($0) }) else { return 0 }
        return newNamespaces.reduce(0) { $0 | $1.cloneFlag }
    }

    /// PATH from the process environment (for the lookup of argv[0] inside the container).
    public var pathEnv: String? {
        env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    }

    /// The host uid that container uid 0 maps to (the owner of what the runtime creates for it).
    public func hostID(ofContainerID id: UInt32, in mappings: [(containerID: UInt32, hostID: UInt32, size: UInt32)]) -> UInt32? {
        if mappings.isEmpty { return id }
        for m in mappings where id >= m.containerID && id - m.containerID < m.size {
            return m.hostID + (id - m.containerID)
        }
        return nil
    }
}

/// The five capability sets as bit masks (bit N = capability number N).
public struct CapabilitySets: Equatable, Sendable {
    public var bounding: UInt64 = 0
    public var effective: UInt64 = 0
    public var permitted: UInt64 = 0
    public var inheritable: UInt64 = 0
    public var ambient: UInt64 = 0
    public init() {}
}
