/// The command line of `swdock-shim` (parsed by hand: no ArgumentParser, no Foundation).
public struct ShimOptions: Sendable, Equatable {
    /// The container ID given to the runtime.
    public var id = ""
    /// The OCI bundle (config.json + rootfs), absolute.
    public var bundle = ""
    /// The OCI runtime executable (runc's CLI), absolute.
    public var runtime = ""
    /// The runtime's state root (`--root`); the runtime's default when nil.
    public var runtimeRoot: String?
    /// Extra global runtime arguments placed before the command (`--systemd-cgroup`, …).
    public var runtimeArguments: [String] = []
    /// Where the shim keeps its socket, pid, exit record and logs; absolute.
    public var stateDirectory = ""
    /// The json-file log; no log is written when nil (Docker's `none` driver).
    public var logPath: String?
    public var logMaxSize: Int64?
    public var logMaxFiles = 1
    /// Give the container a stdin pipe (otherwise its stdin is /dev/null).
    public var stdin = false
    /// Give the container a terminal (the runtime's console socket).
    public var tty = false
    /// Initial terminal size (rows, columns) when `tty` is set.
    public var consoleSize: (rows: UInt16, columns: UInt16)?
    /// fd to write the ready line to (stdout when nil).
    public var readyFD: Int32?
    /// Stay in the foreground (no detaching re-spawn); for debugging.
    public var foreground = false
    /// Drop the mappings of code pages after a second without events (see
    /// `ChildProcess.releaseCodeMappings`); `--keep-code-mapped` turns it off.
    public var releaseCodeWhenIdle = true
    /// Internal: this is the detached copy.
    public var detached = false

    public init() {}

    public static func == (a: ShimOptions, b: ShimOptions) -> Bool {
        a.id == b.id && a.bundle == b.bundle && a.runtime == b.runtime && a.runtimeRoot == b.runtimeRoot
            && a.runtimeArguments == b.runtimeArguments && a.stateDirectory == b.stateDirectory
            && a.logPath == b.logPath && a.logMaxSize == b.logMaxSize && a.logMaxFiles == b.logMaxFiles
            && a.stdin == b.stdin && a.tty == b.tty && a.consoleSize?.rows == b.consoleSize?.rows
            && a.consoleSize?.columns == b.consoleSize?.columns && a.readyFD == b.readyFD
            && a.foreground == b.foreground && a.detached == b.detached
            && a.releaseCodeWhenIdle == b.releaseCodeWhenIdle
    }

    public static let usage = """
        Usage: swdock-shim --id ID --bundle DIR --runtime PATH --state-dir DIR [options]

        The per-container shim of swdock: started by swdockd, it detaches, runs the OCI
        runtime's create, holds the container's stdio, writes its json-file log, reaps it,
        records its exit status and serves the daemon on DIR/shim.sock.

        Options:
          --id ID                  container ID passed to the runtime
          --bundle DIR             OCI bundle directory (absolute)
          --runtime PATH           OCI runtime with runc's command line (absolute)
          --runtime-root DIR       runtime state root (runtime --root)
          --runtime-arg ARG        extra global runtime argument (repeatable)
          --state-dir DIR          shim state directory (absolute; socket, exit record, logs)
          --log-path FILE          json-file log (absolute); none when omitted
          --log-max-size BYTES     rotate the log when it reaches BYTES (k/m/g suffixes)
          --log-max-file N         log files kept, including the current one (default 1)
          --stdin                  give the container a stdin pipe
          --tty                    give the container a terminal (console socket)
          --console-size ROWSxCOLS initial terminal size with --tty
          --ready-fd N             write the ready line to fd N (default: stdout)
          --foreground             do not detach (debugging)
          --keep-code-mapped       do not release code page mappings when idle
          --version, --help

        """

    /// Parses the arguments after argv[0].
    public static func parse(_ arguments: [String]) throws(ShimError) -> ShimOptions {
        var o = ShimOptions()
        var i = 0
        func value(_ flag: String) throws(ShimError) -> String {
            i += 1
            guard i < arguments.count else { throw ShimError(.invalid, "flag \(flag) needs a value") }
            return arguments[i]
        }
        func absolute(_ flag: String) throws(ShimError) -> String {
            let v = try value(flag)
            guard v.hasPrefix("/") else { throw ShimError(.invalid, "\(flag) must be an absolute path, got \"\(v)\"") }
            return v
        }
        while i < arguments.count {
            var flag = arguments[i]
            // --flag=value is accepted as well as --flag value.
            if let eq = flag.firstIndex(of: "="), flag.hasPrefix("--") {
                var rest = arguments
                rest[i] = String(flag[flag.index(after: eq)...])
                flag = String(flag[..<eq])
                return try parse(Array(arguments[..<i]) + [flag] + Array(rest[i...]))
            }
            switch flag {
            case "--id": o.id = try value(flag)
            case "--bundle": o.bundle = try absolute(flag)
            case "--runtime": o.runtime = try absolute(flag)
            case "--runtime-root": o.runtimeRoot = try absolute(flag)
            case "--runtime-arg": o.runtimeArguments.append(try value(flag))
            case "--state-dir": o.stateDirectory = try absolute(flag)
            case "--log-path": o.logPath = try absolute(flag)
            case "--log-max-size":
                let v = try value(flag)
                guard let size = parseSize(v), size > 0 else {
                    throw ShimError(.invalid, "--log-max-size: \"\(v)\" is not a positive size")
                }
                o.logMaxSize = size
            case "--log-max-file":
                let v = try value(flag)
                guard let n = Int(v), n >= 1 else { throw ShimError(.invalid, "--log-max-file: \"\(v)\" is not a number ≥ 1") }
                o.logMaxFiles = n
            case "--stdin": o.stdin = true
            case "--tty": o.tty = true
            case "--console-size":
                let v = try value(flag)
                let parts = v.split(separator: "x")
                guard parts.count == 2, let rows = UInt16(parts[0]), let cols = UInt16(parts[1]) else {
                    throw ShimError(.invalid, "--console-size: expected ROWSxCOLS, got \"\(v)\"")
                }
                o.consoleSize = (rows, cols)
            case "--ready-fd":
                let v = try value(flag)
                guard let fd = Int32(v), fd >= 0 else { throw ShimError(.invalid, "--ready-fd: \"\(v)\" is not an fd") }
                o.readyFD = fd
            case "--foreground": o.foreground = true
            case "--keep-code-mapped": o.releaseCodeWhenIdle = false
            case "--detached": o.detached = true
            default: throw ShimError(.invalid, "unknown flag \"\(flag)\"")
            }
            i += 1
        }
        if o.id.isEmpty { throw ShimError(.invalid, "--id is required") }
        if o.bundle.isEmpty { throw ShimError(.invalid, "--bundle is required") }
        if o.runtime.isEmpty { throw ShimError(.invalid, "--runtime is required") }
        if o.stateDirectory.isEmpty { throw ShimError(.invalid, "--state-dir is required") }
        if o.consoleSize != nil && !o.tty { throw ShimError(.invalid, "--console-size needs --tty") }
        return o
    }

    /// The arguments that reproduce these options (the detaching re-spawn uses it).
    public var arguments: [String] {
        var a = ["--id", id, "--bundle", bundle, "--runtime", runtime, "--state-dir", stateDirectory]
        if let runtimeRoot { a += ["--runtime-root", runtimeRoot] }
        for arg in runtimeArguments { a += ["--runtime-arg", arg] }
        if let logPath { a += ["--log-path", logPath] }
        if let logMaxSize { a += ["--log-max-size", String(logMaxSize)] }
        if logMaxFiles != 1 { a += ["--log-max-file", String(logMaxFiles)] }
        if stdin { a.append("--stdin") }
        if tty { a.append("--tty") }
        if let consoleSize { a += ["--console-size", "\(consoleSize.rows)x\(consoleSize.columns)"] }
        if let readyFD { a += ["--ready-fd", String(readyFD)] }
        if foreground { a.append("--foreground") }
        if !releaseCodeWhenIdle { a.append("--keep-code-mapped") }
        if detached { a.append("--detached") }
        return a
    }

    /// Whole-number sizes as Docker's `max-size` log-opt reads them (go-units `FromHumanSize`,
    /// decimal: `10k` = 10000, `10m`, `1g`, optional `b`); the daemon normally passes bytes.
    static func parseSize(_ text: String) -> Int64? {
        var digits = text.lowercased()
        var multiplier: Int64 = 1
        if digits.hasSuffix("b") { digits.removeLast() }
        switch digits.last {
        case "k": multiplier = 1000
        case "m": multiplier = 1000 * 1000
        case "g": multiplier = 1000 * 1000 * 1000
        default: break
        }
        if multiplier != 1 { digits.removeLast() }
        guard let n = Int64(digits), n >= 0 else { return nil }
        return n * multiplier
    }
}
