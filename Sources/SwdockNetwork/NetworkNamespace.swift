#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// A named network namespace kept alive by a bind mount of its nsfs inode on a file, as
/// `ip netns add` does under /run/netns — here under a directory of the caller's choosing
/// (the engine's exec-root), so the runtime joins it by path (`linux.namespaces[].path`).
public struct NetworkNamespace: Hashable, Sendable {
    /// The bind-mounted file; `nsenter --net=PATH` and OCI `path` take it as is.
    public let path: String

    public init(path: String) { self.path = path }

    /// Creates a new, empty network namespace (only `lo`, down) bind-mounted at `directory/name`.
    public static func create(named name: String, in directory: String) throws(NetworkError) -> NetworkNamespace {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw NetworkError(.invalidArgument, "create network namespace \"\(name)\": not a plain file name")
        }
        try os("create netns directory \"\(directory)\"") { () throws(OSError) in try FileSystem.makeDirectories(directory) }
        try makeShared(directory)
        let path = directory + "/" + name
        let fd = try os("create netns file \"\(path)\"") { () throws(OSError) in
            try FileDescriptor.open(path, O_RDONLY | O_CREAT | O_EXCL, mode: 0o444)
        }
        fd.close()
        do throws(NetworkError) {
            try onDedicatedThread { () throws(NetworkError) in
                try os("unshare network namespace for \"\(path)\"") { () throws(OSError) in
                    try sys("unshare", "CLONE_NEWNET") { swdock_unshare(SWDOCK_CLONE_NEWNET) }
                }
                try os("bind-mount network namespace on \"\(path)\"") { () throws(OSError) in
                    try sys("mount", "\"\(path)\"") { mount("/proc/thread-self/ns/net", path, "none", UInt(MS_BIND), nil) }
                }
            }
        } catch {
            unlink(path)
            throw error
        }
        return NetworkNamespace(path: path)
    }

    /// Makes `directory` a shared mount point (bind-mounting it on itself first if it is none),
    /// as `ip netns` does for /run/netns: a namespace's bind mount is then propagated to, and
    /// its unmount from, mount namespaces copied from ours after it was made (a service with
    /// PrivateTmp, a container), so a copy cannot keep a deleted namespace alive.
    static func makeShared(_ directory: String) throws(NetworkError) {
        let shared = UInt(MS_SHARED) | UInt(MS_REC)
        if mount("none", directory, nil, shared, nil) == 0 { return }
        guard swdock_errno() == EINVAL else {
            throw NetworkError.system("make \"\(directory)\" a shared mount", OSError(call: "mount", object: directory, errno: swdock_errno()))
        }
        try os("make \"\(directory)\" a shared mount") { () throws(OSError) in
            try sys("mount", "bind \"\(directory)\"") { mount(directory, directory, "none", UInt(MS_BIND) | UInt(MS_REC), nil) }
            try sys("mount", "make-shared \"\(directory)\"") { mount("none", directory, nil, shared, nil) }
        }
    }

    /// Undoes what `create` did to `directory` once no namespace is left in it: unmounts its
    /// self bind mount and removes it if empty (for tests and uninstall; a daemon restart keeps
    /// it). Only for a directory `create` prepared: whatever is mounted there is unmounted.
    public static func releaseDirectory(_ directory: String) throws(NetworkError) {
        let left = try list(in: directory)
        guard left.isEmpty else {
            throw NetworkError(.conflict, "release netns directory \"\(directory)\": \(left.count) namespaces are still in it")
        }
        // The self bind mount `create` made (EINVAL: there is none, nothing to undo).
        if umount2(directory, Int32(MNT_DETACH)) != 0, swdock_errno() != EINVAL, swdock_errno() != ENOENT {
            throw NetworkError.system("unmount netns directory \"\(directory)\"", OSError(call: "umount2", object: directory, errno: swdock_errno()))
        }
        if rmdir(directory) != 0, swdock_errno() != ENOENT, swdock_errno() != ENOTEMPTY {
            throw NetworkError.system("remove netns directory \"\(directory)\"", OSError(call: "rmdir", object: directory, errno: swdock_errno()))
        }
    }

    /// Opens the namespace (read-only, close-on-exec) for `setns` or `IFLA_NET_NS_FD`.
    public func open() throws(NetworkError) -> FileDescriptor {
        try os("open network namespace \"\(path)\"") { () throws(OSError) in try FileDescriptor.open(path, O_RDONLY) }
    }

    /// Unmounts and removes the file; the namespace itself ends when nothing else holds it.
    /// A namespace that is already gone is not an error.
    public func delete() throws(NetworkError) {
        if umount2(path, Int32(MNT_DETACH)) != 0 {
            let code = swdock_errno()
            // EINVAL: not a mount point (a half-created namespace); ENOENT: already removed.
            if code != EINVAL && code != ENOENT {
                throw NetworkError.system("delete network namespace \"\(path)\"", OSError(call: "umount2", object: path, errno: code))
            }
        }
        if unlink(path) != 0, swdock_errno() != ENOENT {
            throw NetworkError.system("delete network namespace \"\(path)\"", OSError(call: "unlink", object: path, errno: swdock_errno()))
        }
    }

    /// The namespaces bind-mounted in `directory` (every file there; none when it is missing).
    public static func list(in directory: String) throws(NetworkError) -> [NetworkNamespace] {
        guard let dir = opendir(directory) else {
            if swdock_errno() == ENOENT { return [] }
            throw NetworkError.system("list network namespaces in \"\(directory)\"", OSError(call: "opendir", object: directory, errno: swdock_errno()))
        }
        defer { closedir(dir) }
        var found: [NetworkNamespace] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { found.append(NetworkNamespace(path: directory + "/" + name)) }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// Deletes every namespace in `directory` whose name is not in `live` (reconcile at daemon
    /// start and after a crash); returns the paths it removed.
    @discardableResult
    public static func removeStale(in directory: String, keeping live: Set<String>) throws(NetworkError) -> [String] {
        var removed: [String] = []
        for ns in try list(in: directory) where !live.contains(String(ns.path.dropFirst(directory.count + 1))) {
            try ns.delete()
            removed.append(ns.path)
        }
        return removed
    }

    /// Runs `body` on a thread that has joined this namespace (for work that is not netlink,
    /// such as writing its `/proc/sys/net` settings or opening a socket in it).
    public func run<T>(_ body: @escaping () throws(NetworkError) -> T) throws(NetworkError) -> T {
        let fd = try open()
        defer { fd.close() }
        let path = self.path
        return try onDedicatedThread { () throws(NetworkError) in
            try os("enter network namespace \"\(path)\"") { () throws(OSError) in
                try sys("setns", "\"\(path)\"") { swdock_setns(fd.rawValue, SWDOCK_CLONE_NEWNET) }
            }
            return try body()
        }
    }
}
