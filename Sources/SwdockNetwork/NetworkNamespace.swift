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
