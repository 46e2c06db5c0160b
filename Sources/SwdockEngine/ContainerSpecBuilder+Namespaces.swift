import SwdockOCI

/// The namespace choices of a request (NetworkMode, IpcMode, PidMode, UTSMode, CgroupnsMode,
/// UsernsMode) checked and resolved.
struct NamespaceModes: Sendable, Equatable {
    var networkHost: Bool
    var ipc: Ipc
    var pidHost: Bool
    var utsHost: Bool
    var cgroupnsPrivate: Bool

    enum Ipc: Sendable, Equatable { case `private`, host, none }

    init(_ hc: HostConfiguration, defaults: SpecDefaults) throws(EngineError) {
        switch hc.networkMode {
        case "host": networkHost = true
        // `container:<id>` joins that container's namespace by path (the engine resolves it);
        // every other mode (default, bridge, none, a network's name) gets a namespace of its
        // own, which the engine creates and plugs in at start.
        default: networkHost = false
        }
        switch hc.ipcMode {
        case "", "private", "shareable": ipc = .private
        case "host": ipc = .host
        case "none": ipc = .none
        case let mode where mode.hasPrefix("container:"):
            throw EngineError(.notSupported, "--ipc \(mode): joining another container's IPC namespace")
        default: throw EngineError(.invalidArgument, "invalid IPC mode: \(hc.ipcMode)")
        }
        switch hc.pidMode {
        case "": pidHost = false
        case "host": pidHost = true
        case let mode where mode.hasPrefix("container:"):
            throw EngineError(.notSupported, "--pid \(mode): joining another container's PID namespace")
        default: throw EngineError(.invalidArgument, "invalid PID mode: \(hc.pidMode)")
        }
        switch hc.utsMode {
        case "": utsHost = false
        case "host": utsHost = true
        default: throw EngineError(.invalidArgument, "invalid UTS mode: \(hc.utsMode)")
        }
        switch hc.cgroupnsMode {
        case "": cgroupnsPrivate = defaults.cgroupnsMode == .private
        case "private": cgroupnsPrivate = true
        case "host": cgroupnsPrivate = false
        default: throw EngineError(.invalidArgument, "invalid cgroup namespace mode: \(hc.cgroupnsMode)")
        }
        switch hc.usernsMode {
        case "", "host": break
        default: throw EngineError(.notSupported, "--userns \(hc.usernsMode): user namespaces")
        }
    }

    /// The namespaces in Docker's order: mount, network, uts, pid, ipc, then cgroup. With
    /// `networkPath` the network namespace is joined (the engine made it) rather than created.
    func namespaces(networkPath: String? = nil) -> [RuntimeSpec.Namespace] {
        var list = [RuntimeSpec.Namespace(type: "mount")]
        if !networkHost { list.append(.init(type: "network", path: networkPath)) }
        if !utsHost { list.append(.init(type: "uts")) }
        if !pidHost { list.append(.init(type: "pid")) }
        if ipc != .host { list.append(.init(type: "ipc")) }
        if cgroupnsPrivate { list.append(.init(type: "cgroup")) }
        return list
    }
}

extension ContainerSpecBuilder {
    /// Sysctls of `linux.sysctl`: Docker's own (unprivileged ports and ping for a container with
    /// its own network namespace; `kernel.domainname`), then the request's, which win.
    ///
    /// The request's are checked as Docker's CLI does (only namespaced sysctls: `net.*`,
    /// `fs.mqueue.*`, the IPC `kernel.msg*`/`kernel.shm*`/`kernel.sem`) and as runc does (each
    /// needs its namespace to be the container's own).
    static func sysctls(_ requested: [String: String], domainname: String,
                        modes: NamespaceModes) throws(EngineError) -> [String: String]? {
        var result: [String: String] = [:]
        if !modes.networkHost {
            result["net.ipv4.ip_unprivileged_port_start"] = "0"
            result["net.ipv4.ping_group_range"] = "0 2147483647"
        }
        if !domainname.isEmpty && !modes.utsHost { result["kernel.domainname"] = domainname }
        for key in requested.keys.sorted() {
            let value = requested[key]!
            try checkSysctl(key, value: value, modes: modes)
            result[key] = value
        }
        return result.isEmpty ? nil : result
    }

    static let ipcSysctls: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ]

    static func checkSysctl(_ key: String, value: String, modes: NamespaceModes) throws(EngineError) {
        if ipcSysctls.contains(key) || key.hasPrefix("fs.mqueue.") {
            guard modes.ipc != .host else {
                throw EngineError(.invalidArgument, "sysctl \"\(key)\" is not allowed in the hosts ipc namespace")
            }
        } else if key.hasPrefix("net.") {
            guard !modes.networkHost else {
                throw EngineError(.invalidArgument, "sysctl \"\(key)\" not allowed in host network namespace")
            }
        } else if key == "kernel.domainname" || key == "kernel.hostname" {
            throw EngineError(.invalidArgument, "sysctl \"\(key)\" is not allowed as it conflicts with the OCI \"hostname\"/\"domainname\" settings; use --hostname or --domainname")
        } else {
            throw EngineError(.invalidArgument, "sysctl '\(key)=\(value)' is not whitelisted")
        }
    }
}
