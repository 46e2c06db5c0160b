#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// Sockets passed by systemd socket activation, read as `sd_listen_fds(3)` and
/// `sd_listen_fds_with_names(3)` do: fds 3…3+LISTEN_FDS-1, meant for this process only when
/// LISTEN_PID is its pid, named by the colon-separated LISTEN_FDNAMES.
public enum SystemdActivation {
    /// `SD_LISTEN_FDS_START`: the first passed fd.
    public static let firstFileDescriptor: Int32 = 3

    /// One passed socket and the name systemd gave it (`FileDescriptorName=`, else "unknown").
    public struct Socket: Sendable, Equatable {
        public let fileDescriptor: FileDescriptor
        public let name: String

        /// A passed socket `fileDescriptor` with its LISTEN_FDNAMES `name`.
        public init(fileDescriptor: FileDescriptor, name: String) {
            self.fileDescriptor = fileDescriptor
            self.name = name
        }
    }

    /// The sockets systemd passed to this process, close-on-exec set on each so children do not
    /// inherit them. Empty when LISTEN_PID/LISTEN_FDS are unset or name another process.
    /// With `unsetEnvironment` the three variables are removed (whatever their values) so that
    /// processes this one starts cannot mistake the sockets for theirs.
    public static func listenFDs(unsetEnvironment: Bool) throws(OSError) -> [Socket] {
        defer {
            if unsetEnvironment {
                unsetenv("LISTEN_PID")
                unsetenv("LISTEN_FDS")
                unsetenv("LISTEN_FDNAMES")
            }
        }
        guard let pidText = environment("LISTEN_PID"), let countText = environment("LISTEN_FDS") else { return [] }
        guard let pid = pid_t(pidText), pid > 0 else { throw OSError(call: "sd_listen_fds", object: "LISTEN_PID=\(pidText)", errno: EINVAL) }
        guard pid == getpid() else { return [] }
        guard let count = Int32(countText), count >= 0, count <= Int32.max - firstFileDescriptor else {
            throw OSError(call: "sd_listen_fds", object: "LISTEN_FDS=\(countText)", errno: EINVAL)
        }
        // sd_listen_fds_with_names: the names must match the count, else all are "unknown".
        var names = environment("LISTEN_FDNAMES").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        if names.count != Int(count) { names = Array(repeating: "unknown", count: Int(count)) }
        var sockets: [Socket] = []
        for index in 0..<count {
            let descriptor = FileDescriptor(rawValue: firstFileDescriptor + index)
            try descriptor.setCloseOnExec(true)
            sockets.append(Socket(fileDescriptor: descriptor, name: names[Int(index)]))
        }
        return sockets
    }

    /// The sockets `fd://` host selectors ask for: `""` (from `fd://`) selects every passed socket,
    /// a name selects those with that LISTEN_FDNAMES name (and fd numbers select that fd, as
    /// dockerd accepts `fd://3`). Each socket is returned once, in the order systemd passed them.
    /// Throws when a selector matches nothing, naming what was passed.
    public static func select(_ selectors: [String], from sockets: [Socket]) throws(OSError) -> [Socket] {
        var chosen: [Socket] = []
        for selector in selectors {
            let matches = sockets.filter { socket in
                selector.isEmpty || socket.name == selector || Int32(selector) == socket.fileDescriptor.rawValue
            }
            guard !matches.isEmpty else {
                let passed = sockets.map { "\($0.name)(fd \($0.fileDescriptor.rawValue))" }.joined(separator: ", ")
                throw OSError(call: "sd_listen_fds", object: "fd://\(selector): no such socket passed by systemd"
                              + " (passed: \(passed.isEmpty ? "none" : passed))", errno: ENOENT)
            }
            for socket in matches where !chosen.contains(socket) { chosen.append(socket) }
        }
        return chosen.sorted { $0.fileDescriptor.rawValue < $1.fileDescriptor.rawValue }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
