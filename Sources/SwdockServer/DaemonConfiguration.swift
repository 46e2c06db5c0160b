import Foundation
import SwdockAPI
import SwdockOS

/// swdockd's settings: defaults, then `/etc/swdock/daemon.json` (Docker's keys where they
/// overlap), then flags. As in dockerd, a setting given both as a flag and in the file is an
/// error, and so is a key the file format does not know.
public struct DaemonConfiguration: Sendable, Equatable {
    /// A runtime entry of `runtimes` (Docker's `{"path": …, "runtimeArgs": […]}`).
    public struct Runtime: Codable, Sendable, Equatable {
        public var path: String
        public var runtimeArgs: [String]?
        public init(path: String, runtimeArgs: [String]? = nil) {
            self.path = path
            self.runtimeArgs = runtimeArgs
        }
    }

    /// One `default-address-pools` entry.
    public struct AddressPool: Codable, Sendable, Equatable {
        public var base: String
        public var size: Int
    }

    public static let defaultConfigFile = "/etc/swdock/daemon.json"
    public static let defaultSocket = "/run/swdock.sock"
    /// Runtimes every daemon knows by name, resolved through PATH when used.
    public static let builtinRuntimes: [String: Runtime] = [
        "swdock-runtime": Runtime(path: "swdock-runtime"), "runc": Runtime(path: "runc"), "crun": Runtime(path: "crun"),
    ]

    public var dataRoot = "/var/lib/swdock"
    public var execRoot = "/run/swdock"
    /// `unix://PATH` (or `fd://` for systemd socket activation).
    public var hosts = ["unix://" + DaemonConfiguration.defaultSocket]
    public var debug = false
    public var logLevel = "info"
    public var logDriver = "json-file"
    public var logOpts: [String: String] = [:]
    public var defaultRuntime = "swdock-runtime"
    public var runtimes = DaemonConfiguration.builtinRuntimes
    public var insecureRegistries: [String] = []
    public var registryMirrors: [String] = []
    public var maxConcurrentDownloads = 3
    public var storageDriver = "overlay2"
    public var bip: String?
    /// The default bridge device (dockerd's `bridge`/`-b`; `swdock0` here); `none` disables
    /// networking (containers get `none`, as with dockerd's `--bridge=none`).
    public var bridge = "swdock0"
    public var defaultAddressPools: [AddressPool] = []
    /// `live-restore`: containers keep running across a daemon stop (default on; off: a
    /// clean stop stops them, as dockerd).
    public var liveRestore = true
    /// `detach-keys`: the sequence that detaches an attach or exec with a TTY when the client
    /// sends no `detachKeys`. The docker CLI sends its own from its config.json when it has
    /// one, and swdock's CLI always sends its own.
    public var detachKeys = "ctrl-p,ctrl-q"
    /// Flag only (`--pidfile`).
    public var pidFile = "/run/swdockd.pid"

    public init() {}

    /// The daemon.json keys swdockd reads (a subset of dockerd's, with the same meaning).
    public static let fileKeys: Set<String> = [
        "data-root", "exec-root", "hosts", "debug", "log-level", "log-driver", "log-opts", "default-runtime", "runtimes",
        "insecure-registries", "registry-mirrors", "max-concurrent-downloads", "storage-driver", "bip",
        "default-address-pools", "live-restore", "bridge", "detach-keys",
    ]

    /// Settings given on the command line; nil means "not given".
    public struct Flags: Sendable, Equatable {
        public var hosts: [String] = []
        public var dataRoot: String?
        public var execRoot: String?
        public var configFile: String?
        public var pidFile: String?
        public var debug = false
        public init() {}
    }

    /// Builds the configuration from `flags` and the configuration file (the flag's, or the
    /// default one when it exists).
    public static func load(flags: Flags) throws -> DaemonConfiguration {
        let path = flags.configFile ?? defaultConfigFile
        var file: [String: JSONValue] = [:]
        if FileManager.default.fileExists(atPath: path) {
            file = try parseFile(path)
        } else if flags.configFile != nil {
            throw ServerError(.configuration, "unable to configure the swdock daemon with file \(path): open \(path): no such file or directory")
        }
        return try merge(flags: flags, file: file, path: path)
    }

    /// Parses daemon.json, refusing keys it does not know.
    static func parseFile(_ path: String) throws -> [String: JSONValue] {
        let data: Data
        do {
            let fd = try FileDescriptor.open(path, O_RDONLY)
            defer { fd.close() }
            data = Data(try fd.readAll())
        } catch {
            throw ServerError(.configuration, "unable to configure the swdock daemon with file \(path)", cause: error)
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }) { return [:] }
        let document: JSONValue
        do { document = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ServerError(.configuration, "unable to configure the swdock daemon with file \(path): invalid JSON", cause: error)
        }
        guard case .object(let map) = document else {
            throw ServerError(.configuration, "unable to configure the swdock daemon with file \(path): the top level must be a JSON object")
        }
        let unknown = map.keys.filter { !fileKeys.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw ServerError(.configuration, "unable to configure the swdock daemon with file \(path): the following directives don't match any configuration option: \(unknown.joined(separator: ", "))")
        }
        return map
    }

    static func merge(flags: Flags, file: [String: JSONValue], path: String) throws -> DaemonConfiguration {
        func fail(_ text: String) -> ServerError {
            ServerError(.configuration, "unable to configure the swdock daemon with file \(path): \(text)")
        }
        // Conflicts first, with dockerd's wording.
        var conflicts: [String] = []
        func conflict(_ key: String, _ flagValue: String?) {
            if let flagValue, let fileValue = file[key] { conflicts.append("\(key): (from flag: \(flagValue), from file: \(fileValue))") }
        }
        conflict("hosts", flags.hosts.isEmpty ? nil : "[\(flags.hosts.joined(separator: " "))]")
        conflict("data-root", flags.dataRoot)
        conflict("exec-root", flags.execRoot)
        conflict("debug", flags.debug ? "true" : nil)
        if !conflicts.isEmpty {
            throw fail("the following directives are specified both as a flag and in the configuration file: \(conflicts.joined(separator: ", "))")
        }

        func string(_ key: String) throws -> String? {
            guard let value = file[key] else { return nil }
            guard case .string(let text) = value else { throw fail("invalid type for \(key): expected a string, got \(value)") }
            return text
        }
        func bool(_ key: String) throws -> Bool? {
            guard let value = file[key] else { return nil }
            guard case .bool(let flag) = value else { throw fail("invalid type for \(key): expected true or false, got \(value)") }
            return flag
        }
        func strings(_ key: String) throws -> [String]? {
            try decode(key, as: [String].self)
        }
        func decode<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
            guard let value = file[key] else { return nil }
            do {
                return try JSONDecoder().decode(T.self, from: Data(value.description.utf8))
            } catch {
                throw fail("invalid value for \(key): \(value)")
            }
        }

        var config = DaemonConfiguration()
        if let v = try string("data-root") { config.dataRoot = v }
        if let v = try string("exec-root") { config.execRoot = v }
        if let v = try strings("hosts") { config.hosts = v }
        if let v = try bool("debug") { config.debug = v }
        if let v = try string("log-level") { config.logLevel = v }
        if let v = try string("log-driver") { config.logDriver = v }
        if let v = try decode("log-opts", as: [String: String].self) { config.logOpts = v }
        if let v = try decode("runtimes", as: [String: Runtime].self) { config.runtimes.merge(v) { _, new in new } }
        if let v = try string("default-runtime") { config.defaultRuntime = v }
        if let v = try strings("insecure-registries") { config.insecureRegistries = v }
        if let v = try strings("registry-mirrors") { config.registryMirrors = v }
        if let v = try decode("max-concurrent-downloads", as: Int.self) { config.maxConcurrentDownloads = v }
        if let v = try string("storage-driver") { config.storageDriver = v }
        if let v = try string("bip") { config.bip = v }
        if let v = try string("bridge") { config.bridge = v }
        if let v = try decode("default-address-pools", as: [AddressPool].self) { config.defaultAddressPools = v }
        if let v = try bool("live-restore") { config.liveRestore = v }
        if let v = try string("detach-keys") { config.detachKeys = v }

        if !flags.hosts.isEmpty { config.hosts = flags.hosts }
        if let v = flags.dataRoot { config.dataRoot = v }
        if let v = flags.execRoot { config.execRoot = v }
        if let v = flags.pidFile { config.pidFile = v }
        if flags.debug { config.debug = true }
        if config.debug { config.logLevel = "debug" }

        try config.validate(fail)
        return config
    }

    private func validate(_ fail: (String) -> ServerError) throws {
        guard ["debug", "info", "warn", "error", "fatal"].contains(logLevel) else {
            throw fail("invalid log-level \"\(logLevel)\" (debug, info, warn, error or fatal)")
        }
        guard logDriver == "json-file" else { throw fail("not supported: log-driver \"\(logDriver)\" (swdock writes json-file logs)") }
        guard ["overlay2", "vfs"].contains(storageDriver) else {
            throw fail("not supported: storage-driver \"\(storageDriver)\" (overlay2 snapshots, or vfs: copied trees)")
        }
        guard runtimes[defaultRuntime] != nil else {
            throw fail("default-runtime \"\(defaultRuntime)\" is not one of the configured runtimes (\(runtimes.keys.sorted().joined(separator: ", ")))")
        }
        do { _ = try DetachKeys(parsing: detachKeys) } catch {
            throw fail("detach-keys: \(error.message)")
        }
        guard maxConcurrentDownloads > 0 else { throw fail("max-concurrent-downloads must be positive") }
        guard dataRoot.hasPrefix("/"), execRoot.hasPrefix("/") else { throw fail("data-root and exec-root must be absolute paths") }
        _ = try socketPaths(fail)
    }

    /// The Unix socket paths of `hosts`; `fd://` entries are systemd's and have no path.
    public func socketPaths() throws -> [String] {
        try socketPaths { ServerError(.configuration, $0) }
    }

    /// The selectors of the `fd://` entries of `hosts`, for `SystemdActivation.select`:
    /// `""` for `fd://` (every passed socket), else the LISTEN_FDNAMES name (or fd number).
    public var activationSelectors: [String] {
        hosts.filter { $0.hasPrefix("fd://") }.map { String($0.dropFirst(5)) }
    }

    private func socketPaths(_ fail: (String) -> ServerError) throws -> [String] {
        try hosts.compactMap { host in
            if host.hasPrefix("unix://") {
                let path = String(host.dropFirst(7))
                guard path.hasPrefix("/") else { throw fail("invalid host \"\(host)\": the socket path must be absolute") }
                return path
            }
            if host.hasPrefix("fd://") { return nil }
            throw fail("not supported: host \"\(host)\" (swdockd listens on unix:// sockets only)")
        }
    }
}
