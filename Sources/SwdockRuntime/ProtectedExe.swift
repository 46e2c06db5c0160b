#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// The CVE-2019-5736 defence. The container init is a clone of the runtime, so until its
/// execve its /proc/self/exe is the runtime binary; a container process that reaches it
/// (`#!/proc/self/exe`, or /proc/PID/exe of an `exec`) could open it for writing and
/// replace the host's runtime. So `create`, `run` and `exec` first re-exec themselves from a
/// copy of the binary that sits on a read-only bind mount: a write through /proc/PID/exe
/// then fails with EROFS, and only the host's mount namespace could make it writable again.
///
/// The copy is made once per binary version (keyed by device, inode, size and mtime) under
/// `cacheRoot`, so each run pays one execve, not a copy of the binary into a memfd as runc
/// 1.1 did. A binary that already runs from a read-only mount is used as it is.
public enum ProtectedExe {
    public static let cacheRoot = "/var/lib/swdock-runtime/exe"
    static let mountFlagsReadOnly: UInt = MountFlag.bind | MountFlag.remount | MountFlag.rdonly | MountFlag.nosuid | MountFlag.nodev

    /// Returns when running from a read-only mount; otherwise execs the protected copy (and
    /// does not return) or throws.
    public static func reexecIfNeeded() throws(RuntimeError) {
        if isOnReadOnlyMount("/proc/self/exe") { return }
        let exe: String
        do { exe = try HostFiles.realPath("/proc/self/exe") } catch { throw RuntimeError.system("resolve /proc/self/exe", error) }
        var st = stat()
        guard stat(exe, &st) == 0 else {
            throw RuntimeError.system("stat the runtime binary", OSError(call: "stat", object: exe, errno: errno))
        }
        let key = "\(st.st_dev)-\(st.st_ino)-\(st.st_size)-\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        let dir = cacheRoot + "/" + key
        let target = dir + "/swdock-runtime"
        if !(HostFiles.exists(target) && isOnReadOnlyMount(dir)) {
            try prepare(exe: exe, dir: dir, target: target)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv[0] = strdup(target)
        argv.append(nil)
        execve(target, argv, environ)
        throw RuntimeError.system("re-exec the protected runtime copy", OSError(call: "execve", object: target, errno: errno))
    }

    static func isOnReadOnlyMount(_ path: String) -> Bool {
        var vfs = statvfs()
        return statvfs(path, &vfs) == 0 && (vfs.f_flag & UInt(ST_RDONLY)) != 0
    }

    static func prepare(exe: String, dir: String, target: String) throws(RuntimeError) {
        do {
            try HostFiles.mkdirAll(cacheRoot, mode: 0o711)
            do { try HostFiles.mkdir(dir, mode: 0o711) } catch let e where e.errno == EEXIST {}
            if !HostFiles.exists(target) {
                let temporary = dir + "/.copy-\(getpid())"
                try HostFiles.write(temporary, try HostFiles.read(exe), mode: 0o555)
                try sys("rename", "\"\(target)\"") { rename(temporary, target) }
            }
            try sys("mount", "bind \"\(dir)\"") { mount(dir, dir, nil, MountFlag.bind, nil) }
            try sys("mount", "remount \"\(dir)\" read-only") { mount(nil, dir, nil, mountFlagsReadOnly, nil) }
        } catch { throw RuntimeError.system("make the read-only runtime copy in \(dir)", error) }
    }
}
