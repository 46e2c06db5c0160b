#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// An OCI runtime the engine can run containers with: runc's command line at `path`, with
/// `arguments` placed before every command (daemon.json `runtimes.<name>.runtimeArgs`).
public struct RuntimeCommand: Sendable, Equatable {
    public var path: String
    public var arguments: [String]
    public init(path: String, arguments: [String] = []) {
        self.path = path
        self.arguments = arguments
    }
}

/// How the container side runs: where things live, which runtimes and shim, the log options.
public struct ContainerServiceOptions: Sendable {
    public var layout: EngineLayout
    /// Runtime name → runtime. See `ContainerServiceOptions.discoverRuntimes`.
    public var runtimes: [String: RuntimeCommand]
    /// The runtime a container gets when its request names none (daemon.json `default-runtime`).
    public var defaultRuntime: String
    /// The `swdock-shim` executable (absolute).
    public var shimExecutable: String
    /// Daemon-wide spec settings (cgroup parent, init, …); `runtime`/`runtimes` are set from
    /// the fields above.
    public var specDefaults: SpecDefaults
    /// daemon.json `log-driver` (`json-file` or `none`).
    public var logDriver: String
    /// daemon.json `log-opts` (`max-size`, `max-file`); a container's LogConfig.Config overrides.
    public var logOptions: [String: String]
    /// Seconds `stop` waits after the stop signal when neither the request nor the container says.
    public var defaultStopTimeout: Int
    /// Networking (bridge, user networks, ports); nil: only `none` (the default) and `host`.
    public var network: NetworkService?
    /// The detach sequence of TTY attach/exec sessions whose client names none (daemon.json
    /// `detach-keys`; empty: ctrl-p,ctrl-q).
    public var defaultDetachKeys = ""

    public init(layout: EngineLayout, runtimes: [String: RuntimeCommand], defaultRuntime: String = "swdock-runtime",
                shimExecutable: String, specDefaults: SpecDefaults = SpecDefaults(), logDriver: String = "json-file",
                logOptions: [String: String] = [:], defaultStopTimeout: Int = 10) {
        self.layout = layout
        self.runtimes = runtimes
        self.defaultRuntime = defaultRuntime
        self.shimExecutable = shimExecutable
        self.specDefaults = specDefaults
        self.logDriver = logDriver
        self.logOptions = logOptions
        self.defaultStopTimeout = defaultStopTimeout
        self.specDefaults.runtime = defaultRuntime
        self.specDefaults.runtimes = Set(runtimes.keys)
    }

    /// The directory of the running executable (`/proc/self/exe`), where swdockd expects
    /// `swdock-shim` and `swdock-runtime` to be installed beside it.
    public static func executableDirectory() -> String {
        let exe = (try? FileSystem.resolveSymlink("/proc/self/exe")) ?? ""
        return FileSystem.parent(of: exe)
    }

    /// The runtimes swdockd offers: `swdock-runtime` next to its own executable, `runc` and
    /// `crun` when they are on PATH, then `configured` (daemon.json `runtimes`), which wins.
    public static func discoverRuntimes(configured: [String: RuntimeCommand] = [:],
                                        executableDirectory: String = executableDirectory(),
                                        path: String? = nil) -> [String: RuntimeCommand] {
        var result: [String: RuntimeCommand] = [:]
        let own = executableDirectory + "/swdock-runtime"
        if access(own, X_OK) == 0 { result["swdock-runtime"] = RuntimeCommand(path: own) }
        let searchPath = path ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for name in ["runc", "crun"] {
            for directory in searchPath.split(separator: ":") where access("\(directory)/\(name)", X_OK) == 0 {
                result[name] = RuntimeCommand(path: "\(directory)/\(name)")
                break
            }
        }
        for (name, command) in configured { result[name] = command }
        return result
    }
}
