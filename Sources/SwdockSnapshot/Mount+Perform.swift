#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

extension Mount {
    /// The most bytes of options `mount(2)` carries: the kernel copies one page of data.
    public static let legacyOptionLimit = 4095

    private static let flagOptions: [String: (set: UInt, clear: UInt)] = [
        "ro": (UInt(MS_RDONLY), 0), "rw": (0, UInt(MS_RDONLY)),
        "nosuid": (UInt(MS_NOSUID), 0), "suid": (0, UInt(MS_NOSUID)),
        "nodev": (UInt(MS_NODEV), 0), "dev": (0, UInt(MS_NODEV)),
        "noexec": (UInt(MS_NOEXEC), 0), "exec": (0, UInt(MS_NOEXEC)),
        "noatime": (UInt(MS_NOATIME), 0), "relatime": (UInt(MS_RELATIME), 0),
        "bind": (UInt(MS_BIND), 0), "rbind": (UInt(MS_BIND | MS_REC), 0),
    ]

    /// Mounts this value on `target` (an existing directory).
    ///
    /// Bind mounts go through `mount(2)` (then a read-only remount for `ro`). Other types use
    /// `mount(2)` with the options joined, unless an option is a `lowerdir+=`/`datadir+=`
    /// append or the joined options exceed one page: then the new mount API carries them one
    /// `fsconfig` call each (`fsopen` → `fsconfig` → `fsmount` → `move_mount`), which is how
    /// overlay stacks deeper than a page of `lowerdir=` work (kernel 6.8+ for `lowerdir+`).
    ///
    /// This is the one place swdock performs a snapshot's mount; the shim or runtime calls it.
    public func perform(at target: String) throws(OSError) {
        var flags: UInt = 0
        var data: [String] = []
        for option in options {
            if let flag = Self.flagOptions[option] {
                flags = (flags | flag.set) & ~flag.clear
            } else {
                data.append(option)
            }
        }
        if type == "bind" || flags & UInt(MS_BIND) != 0 {
            try sys("mount", "bind \"\(source)\" on \"\(target)\"") {
                mount(source, target, nil, UInt(MS_BIND) | (flags & UInt(MS_REC)), nil)
            }
            if flags & ~UInt(MS_BIND | MS_REC) != 0 {
                try sys("mount", "remount bind \"\(target)\"") {
                    mount(nil, target, nil, UInt(MS_BIND | MS_REMOUNT) | (flags & ~UInt(MS_BIND | MS_REC)), nil)
                }
            }
            return
        }
        let joined = data.joined(separator: ",")
        if joined.utf8.count <= Self.legacyOptionLimit && !data.contains(where: { $0.hasPrefix("lowerdir+=") || $0.hasPrefix("datadir+=") }) {
            try sys("mount", "\(type) on \"\(target)\"") { mount(source, target, type, flags, joined.isEmpty ? nil : joined) }
            return
        }
        try performWithMountAPI(at: target, flags: flags, data: data)
    }

    private func performWithMountAPI(at target: String, flags: UInt, data: [String]) throws(OSError) {
        let context = try sys("fsopen", "\(type)") { swdock_fsopen(type) }
        defer { close(context) }
        func configure(_ call: String, _ body: () -> Int32) throws(OSError) {
            if body() == -1 {
                let code = swdock_errno()
                throw OSError(call: "fsconfig", object: "\(call) for \(type) on \"\(target)\"\(Self.kernelMessage(context))", errno: code)
            }
        }
        try configure("source=\(source)") { swdock_fsconfig_string(context, "source", source) }
        for option in data {
            if let equals = option.firstIndex(of: "=") {
                let key = String(option[..<equals]), value = String(option[option.index(after: equals)...])
                try configure(option) { swdock_fsconfig_string(context, key, value) }
            } else {
                try configure(option) { swdock_fsconfig_flag(context, option) }
            }
        }
        try configure("create") { swdock_fsconfig_create(context) }
        var attributes: UInt32 = 0
        if flags & UInt(MS_RDONLY) != 0 { attributes |= SWDOCK_MOUNT_ATTR_RDONLY }
        if flags & UInt(MS_NOSUID) != 0 { attributes |= SWDOCK_MOUNT_ATTR_NOSUID }
        if flags & UInt(MS_NODEV) != 0 { attributes |= SWDOCK_MOUNT_ATTR_NODEV }
        if flags & UInt(MS_NOEXEC) != 0 { attributes |= SWDOCK_MOUNT_ATTR_NOEXEC }
        if flags & UInt(MS_NOATIME) != 0 { attributes |= SWDOCK_MOUNT_ATTR_NOATIME }
        let mounted = try sys("fsmount", "\(type) for \"\(target)\"") { swdock_fsmount(context, attributes) }
        defer { close(mounted) }
        try sys("move_mount", "\(type) on \"\(target)\"") { swdock_move_mount_to(mounted, target) }
    }

    /// The first message the file system left in the fs context (": …"), or nothing.
    private static func kernelMessage(_ context: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(context, $0.baseAddress!, $0.count) }
        guard n > 0 else { return "" }
        return ": kernel says \"\(String(decoding: buffer[0..<n], as: UTF8.self))\""
    }

    /// Unmounts `target`; with `detach`, lazily (`MNT_DETACH`) when it is busy.
    public static func unmount(_ target: String, detach: Bool = false) throws(OSError) {
        try sys("umount2", "\"\(target)\"") { umount2(target, detach ? Int32(MNT_DETACH) : 0) }
    }
}
