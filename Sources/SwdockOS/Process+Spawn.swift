#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// Starting and reaping child processes without fork in Swift: `posix_spawn` (vfork + exec in
/// glibc) with the child's fd table given as a list.
public enum ChildProcess {
    /// Starts `path` with `arguments` (argv[0] included) and `environment` (`KEY=value`).
    ///
    /// `stdio[i]` becomes the child's fd `i` (nil: `/dev/null`); nothing else is inherited
    /// because every fd of ours is close-on-exec. The child starts with an empty signal mask
    /// and default dispositions, in a new session when `newSession` is set.
    public static func spawn(_ path: String, arguments: [String], environment: [String],
                             stdio: [FileDescriptor?], newSession: Bool = false) throws(OSError) -> pid_t {
        var fds = stdio.map { $0?.rawValue ?? -1 }
        var pid: pid_t = 0
        let rc = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                fds.withUnsafeMutableBufferPointer { fdp in
                    swdock_spawn(path, argv, envp, fdp.baseAddress, Int32(fdp.count), newSession ? 1 : 0, &pid)
                }
            }
        }
        if rc != 0 { throw OSError(call: "posix_spawn", object: "\"\(path)\"", errno: rc) }
        return pid
    }

    /// The environment of this process as `KEY=value` strings.
    public static func currentEnvironment() -> [String] {
        var result: [String] = []
        var entry = environ
        while let cString = entry.pointee {
            result.append(String(cString: cString))
            entry += 1
        }
        return result
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
