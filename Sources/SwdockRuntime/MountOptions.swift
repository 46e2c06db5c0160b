/// The options of one OCI mount split into what mount(2) takes: flags to set, flags to clear,
/// propagation, and the filesystem data string (every option the kernel flag table does not know).
public struct MountOptions: Equatable, Sendable {
    public var flags: UInt = 0
    public var propagation: UInt = 0
    public var data: [String] = []
    public var isBind: Bool { flags & MountFlag.bind != 0 }
    public var isRecursive: Bool { flags & MountFlag.rec != 0 }

    public init() {}

    /// Parses `options` as runc does; throws for options swdock cannot honour.
    public init(parsing options: [String]) throws(RuntimeError) {
        for option in options {
            if let (set, value) = MountFlag.table[option] {
                if set { flags |= value } else { flags &= ~value }
            } else if let value = MountFlag.propagationTable[option] {
                propagation = value
            } else if ["tmpcopyup", "idmap", "ridmap"].contains(option)
                        || (option.hasPrefix("r") && option.count > 2 && MountFlag.table[String(option.dropFirst())] != nil
                            && !["rbind", "relatime", "remount", "rw", "ro"].contains(option)) {
                throw RuntimeError.notSupported("mount option \"\(option)\"")
            } else {
                data.append(option)
            }
        }
    }
}

/// mount(2) flag values (Linux ABI).
public enum MountFlag {
    public static let rdonly: UInt = 1
    public static let nosuid: UInt = 2
    public static let nodev: UInt = 4
    public static let noexec: UInt = 8
    public static let synchronous: UInt = 16
    public static let remount: UInt = 32
    public static let mandlock: UInt = 64
    public static let dirsync: UInt = 128
    public static let nosymfollow: UInt = 256
    public static let noatime: UInt = 1024
    public static let nodiratime: UInt = 2048
    public static let bind: UInt = 4096
    public static let move: UInt = 8192
    public static let rec: UInt = 16384
    public static let silent: UInt = 32768
    public static let unbindable: UInt = 1 << 17
    public static let `private`: UInt = 1 << 18
    public static let slave: UInt = 1 << 19
    public static let shared: UInt = 1 << 20
    public static let relatime: UInt = 1 << 21
    public static let iversion: UInt = 1 << 23
    public static let strictatime: UInt = 1 << 24
    public static let lazytime: UInt = 1 << 25

    /// option → (set or clear, flag).
    static let table: [String: (Bool, UInt)] = [
        "async": (false, synchronous), "atime": (false, noatime), "bind": (true, bind),
        "defaults": (true, 0), "dev": (false, nodev), "diratime": (false, nodiratime),
        "dirsync": (true, dirsync), "exec": (false, noexec), "iversion": (true, iversion),
        "lazytime": (true, lazytime), "loud": (false, silent), "mand": (true, mandlock),
        "noatime": (true, noatime), "nodev": (true, nodev), "nodiratime": (true, nodiratime),
        "noexec": (true, noexec), "noiversion": (false, iversion), "nolazytime": (false, lazytime),
        "nomand": (false, mandlock), "norelatime": (false, relatime), "nostrictatime": (false, strictatime),
        "nosuid": (true, nosuid), "nosymfollow": (true, nosymfollow), "rbind": (true, bind | rec),
        "relatime": (true, relatime), "remount": (true, remount), "ro": (true, rdonly), "rw": (false, rdonly),
        "silent": (true, silent), "strictatime": (true, strictatime), "suid": (false, nosuid),
        "sync": (true, synchronous), "symfollow": (false, nosymfollow),
    ]

    static let propagationTable: [String: UInt] = [
        "private": `private`, "rprivate": `private` | rec, "shared": shared, "rshared": shared | rec,
        "slave": slave, "rslave": slave | rec, "unbindable": unbindable, "runbindable": unbindable | rec,
    ]
}
