import ArgumentParser
import SwdockAPI
import SwdockOCI

/// The flags `run` and `create` share, with docker's names; `request()` builds the create body
/// from them as docker CLI 28 does.
struct ContainerCreateOptions: ParsableArguments {
    @Option(name: .long, help: "Assign a name to the container") var name: String?
    @Option(name: [.customShort("e"), .long], help: "Set environment variables") var env: [String] = []
    @Option(name: .customLong("env-file"), help: "Read in a file of environment variables") var envFile: [String] = []
    @Option(name: [.customShort("l"), .long], help: "Set meta data on a container") var label: [String] = []
    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container") var workdir: String?
    @Option(name: [.customShort("u"), .long], help: "Username or UID (format: <name|uid>[:<group|gid>])") var user: String?
    @Option(name: .long, help: "Overwrite the default ENTRYPOINT of the image") var entrypoint: String?
    @Option(name: [.customShort("h"), .long], help: "Container host name") var hostname: String?
    @Option(name: [.customShort("v"), .long], help: "Bind mount a volume") var volume: [String] = []
    @Option(name: .long, help: "Attach a filesystem mount to the container") var mount: [String] = []
    @Option(name: .long, help: "Mount a tmpfs directory") var tmpfs: [String] = []
    @Flag(name: .customLong("read-only"), help: "Mount the container's root filesystem as read only") var readOnly = false
    @Option(name: [.customShort("m"), .long], help: "Memory limit") var memory: String?
    @Option(name: .customLong("memory-swap"), parsing: .unconditional, help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap") var memorySwap: String?
    @Option(name: .customLong("memory-reservation"), help: "Memory soft limit") var memoryReservation: String?
    @Option(name: .long, help: "Number of CPUs") var cpus: String?
    @Option(name: [.customShort("c"), .customLong("cpu-shares")], help: "CPU shares (relative weight)") var cpuShares: Int64?
    @Option(name: .customLong("cpuset-cpus"), help: "CPUs in which to allow execution (0-3, 0,1)") var cpusetCpus: String?
    @Option(name: .customLong("cpu-period"), help: "Limit CPU CFS (Completely Fair Scheduler) period") var cpuPeriod: Int64?
    @Option(name: .customLong("cpu-quota"), help: "Limit CPU CFS (Completely Fair Scheduler) quota") var cpuQuota: Int64?
    @Option(name: .customLong("pids-limit"), parsing: .unconditional, help: "Tune container pids limit (set -1 for unlimited)") var pidsLimit: Int64?
    @Option(name: .long, help: "Ulimit options") var ulimit: [String] = []
    @Option(name: .customLong("cap-add"), help: "Add Linux capabilities") var capAdd: [String] = []
    @Option(name: .customLong("cap-drop"), help: "Drop Linux capabilities") var capDrop: [String] = []
    @Flag(name: .long, help: "Give extended privileges to this container") var privileged = false
    @Option(name: .customLong("security-opt"), help: "Security Options") var securityOpt: [String] = []
    @Option(name: .long, help: "Sysctl options") var sysctl: [String] = []
    @Flag(name: .customLong("init"), help: "Run an init inside the container that forwards signals and reaps processes") var initProcess = false
    @Option(name: .customLong("stop-signal"), help: "Signal to stop the container") var stopSignal: String?
    @Option(name: .customLong("stop-timeout"), parsing: .unconditional, help: "Timeout (in seconds) to stop a container") var stopTimeout: Int?
    @Option(name: [.customLong("network"), .customLong("net")], help: "Connect a container to a network (bridge, none, host, container:NAME, or a network's name)", completion: .networkNames) var network: String?
    @Option(name: .customLong("network-alias"), help: "Add network-scoped alias for the container") var networkAlias: [String] = []
    @Option(name: .customLong("ip"), help: "IPv4 address (e.g., 172.30.100.104)") var ip: String?
    @Option(name: .customLong("mac-address"), help: "Container MAC address (e.g., 92:d0:c6:0a:29:33)") var macAddress: String?
    @Flag(name: [.customShort("P"), .customLong("publish-all")], help: "Publish all exposed ports to random ports") var publishAll = false
    @Option(name: .long, help: "Expose a port or a range of ports") var expose: [String] = []
    @Option(name: .customLong("dns-search"), help: "Set custom DNS search domains") var dnsSearch: [String] = []
    @Option(name: .customLong("dns-option"), help: "Set DNS options") var dnsOption: [String] = []
    @Option(name: .long, help: "Runtime to use for this container") var runtime: String?
    @Option(name: .long, help: "Set platform if server is multi-platform capable") var platform: String?
    @Option(name: .long, help: "Pull image before running (\"always\", \"missing\", \"never\")") var pull: String = "missing"
    @Option(name: .customLong("log-driver"), help: "Logging driver for the container") var logDriver: String?
    @Option(name: .customLong("log-opt"), help: "Log driver options") var logOpt: [String] = []
    @Option(name: .customLong("shm-size"), help: "Size of /dev/shm") var shmSize: String?
    @Option(name: .customLong("oom-score-adj"), parsing: .unconditional, help: "Tune host's OOM preferences (-1000 to 1000)") var oomScoreAdj: Int?
    @Flag(name: .customLong("oom-kill-disable"), help: "Disable OOM Killer") var oomKillDisable = false
    @Option(name: .customLong("restart"), help: "Restart policy to apply when a container exits") var restart: String = "no"
    @Flag(name: [.customShort("i"), .long], help: "Keep STDIN open even if not attached") var interactive = false
    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-TTY") var tty = false
    @Option(name: .customLong("label-file"), help: "Read in a line delimited file of labels") var labelFile: [String] = []
    @Option(name: [.customShort("p"), .long], help: "Publish a container's port(s) to the host") var publish: [String] = []
    @Option(name: .long, help: "Set custom DNS servers") var dns: [String] = []
    @Option(name: .customLong("add-host"), help: "Add a custom host-to-IP mapping (host:ip)") var addHost: [String] = []
    @Option(name: .customLong("group-add"), help: "Add additional groups to join") var groupAdd: [String] = []
    @Option(name: .customLong("cgroupns"), help: "Cgroup namespace to use (host|private)") var cgroupns: String?
    @Option(name: .customLong("cgroup-parent"), help: "Optional parent cgroup for the container") var cgroupParent: String?
    @Option(name: .customLong("ipc"), help: "IPC mode to use") var ipc: String?
    @Option(name: .customLong("pid"), help: "PID namespace to use") var pid: String?
    @Option(name: .customLong("uts"), help: "UTS namespace to use") var uts: String?

    init() {}

    /// The names of flags that were given (docker sends some fields only when their flag is set).
    func request(image: String, command: [String], attach: Bool, autoRemove: Bool,
                 environment: [String: String] = FlagParsing.processEnvironment) throws -> ContainerCreateRequest {
        guard ["always", "missing", "never"].contains(pull) else {
            throw FlagError("invalid pull option: '\(pull)': must be one of \"always\", \"missing\" or \"never\"")
        }
        var request = ContainerCreateRequest()
        request.hostname = hostname ?? ""
        request.domainname = ""
        request.user = user ?? ""
        request.attachStdin = interactive && attach
        request.attachStdout = attach
        request.attachStderr = attach
        request.tty = tty
        request.openStdin = interactive
        request.stdinOnce = interactive && attach
        var envList: [String] = []
        for file in envFile { envList += try FlagParsing.environmentFile(file, environment: environment) }
        for entry in env { envList.append(try FlagParsing.environmentEntry(entry, environment: environment)) }
        request.env = envList.isEmpty ? nil : envList
        request.cmd = command.isEmpty ? nil : StrSlice(command)
        request.image = image
        request.workingDir = workdir ?? ""
        if let entrypoint { request.entrypoint = StrSlice([entrypoint]) }
        var labels: [String: String] = [:]
        for file in labelFile {
            for line in try FlagParsing.environmentFile(file, environment: [:]) {
                let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
                labels[kv[0]] = kv.count == 2 ? kv[1] : ""
            }
        }
        labels.merge(try FlagParsing.keyValues(label, flag: "--label", requireValue: false)) { $1 }
        request.labels = labels
        if let stopSignal { request.stopSignal = stopSignal }
        if let stopTimeout { request.stopTimeout = stopTimeout }

        var host = HostConfig()
        var binds: [String] = []
        var volumes: [String: EmptyObject] = [:]
        for entry in volume {
            let parsed = try FlagParsing.volume(entry)
            if let bind = parsed.bind { binds.append(bind) }
            if let anonymous = parsed.anonymous { volumes[anonymous] = EmptyObject() }
        }
        request.volumes = volumes
        host.binds = binds.isEmpty ? nil : binds
        if !mount.isEmpty { host.mounts = try mount.map(FlagParsing.mount) }
        if !tmpfs.isEmpty {
            var map: [String: String] = [:]
            for entry in tmpfs {
                let (path, options) = try FlagParsing.tmpfs(entry)
                map[path] = options
            }
            host.tmpfs = map
        }
        var logConfig = HostConfig.LogConfig(type: logDriver ?? "", config: [:])
        logConfig.config = try FlagParsing.keyValues(logOpt, flag: "--log-opt", requireValue: true)
        host.logConfig = logConfig
        host.networkMode = network ?? "default"
        var exposed: [String: EmptyObject] = [:]
        var bindings: [String: [HostConfig.PortBinding]?] = [:]
        for spec in publish {
            for (port, binding) in try PortSpec.publish(spec).bindings {
                exposed[port] = EmptyObject()
                bindings[port, default: []]?.append(binding)
            }
        }
        for spec in expose { for port in try PortSpec.expose(spec) { exposed[port] = EmptyObject() } }
        if !exposed.isEmpty { request.exposedPorts = exposed }
        host.publishAllPorts = publishAll ? true : nil
        if let macAddress { request.macAddress = macAddress }
        // docker names the endpoint of the chosen network (or "default") when an address, an
        // alias or a MAC is asked for on it.
        if ip != nil || !networkAlias.isEmpty {
            let endpoint = NetworkingConfig.EndpointSettings(
                ipamConfig: ip.map { NetworkingConfig.IPAMConfig(ipv4Address: $0) },
                aliases: networkAlias.isEmpty ? nil : networkAlias)
            request.networkingConfig = NetworkingConfig(endpointsConfig: [network ?? "default": endpoint])
        }
        host.restartPolicy = try Self.restartPolicy(restart)
        host.autoRemove = autoRemove
        if autoRemove, host.restartPolicy?.name != "no" {
            throw FlagError("Conflicting options: --restart and --rm")
        }
        let caps = FlagParsing.capabilities(add: capAdd, drop: capDrop)
        host.capAdd = caps.add.isEmpty ? nil : StrSlice(caps.add)
        host.capDrop = caps.drop.isEmpty ? nil : StrSlice(caps.drop)
        host.cgroupnsMode = cgroupns ?? ""
        host.dns = dns
        host.extraHosts = addHost.isEmpty ? nil : addHost
        host.groupAdd = groupAdd.isEmpty ? nil : groupAdd
        host.ipcMode = ipc ?? ""
        host.pidMode = pid ?? ""
        host.utsMode = uts ?? ""
        host.cgroupParent = cgroupParent ?? ""
        host.oomScoreAdj = oomScoreAdj ?? 0
        host.privileged = privileged
        host.readonlyRootfs = readOnly
        let security = try FlagParsing.securityOptions(securityOpt)
        host.securityOpt = security.isEmpty ? nil : security
        host.shmSize = try shmSize.map { (text: String) throws(FlagError) -> Int64 in
            let value = try FlagParsing.ramInBytes(text)
            guard value > 0 else { throw FlagError.invalid(text, "--shm-size", "size must be greater than 0") }
            return value
        } ?? 0
        if !sysctl.isEmpty { host.sysctls = try FlagParsing.keyValues(sysctl, flag: "--sysctl", requireValue: true) }
        if let runtime { host.runtime = runtime }
        host.cpuShares = cpuShares ?? 0
        host.memory = try memory.map { (text: String) throws(FlagError) -> Int64 in try FlagParsing.ramInBytes(text) } ?? 0
        host.memorySwap = try memorySwap.map { (text: String) throws(FlagError) -> Int64 in try FlagParsing.memorySwap(text) } ?? 0
        host.memoryReservation = try memoryReservation.map { (text: String) throws(FlagError) -> Int64 in try FlagParsing.ramInBytes(text) } ?? 0
        host.nanoCpus = try cpus.map { (text: String) throws(FlagError) -> Int64 in try FlagParsing.nanoCPUs(text) } ?? 0
        host.cpuPeriod = cpuPeriod ?? 0
        host.cpuQuota = cpuQuota ?? 0
        host.cpusetCpus = cpusetCpus ?? ""
        host.memorySwappiness = -1
        host.oomKillDisable = oomKillDisable
        if let pidsLimit { host.pidsLimit = pidsLimit }
        host.ulimits = try ulimit.map(FlagParsing.ulimit)
        if initProcess { host.initProcess = true }
        // docker sends the terminal's size with -t so the container starts at it.
        if tty, let size = Terminal.size(1) { host.consoleSize = [UInt(size.rows), UInt(size.columns)] } else { host.consoleSize = [0, 0] }
        // docker CLI 28 sends these empty rather than null; dockerd keeps what it gets.
        host.portBindings = bindings
        host.dnsOptions = dnsOption
        host.dnsSearch = dnsSearch
        host.blkioWeightDevice = []
        host.blkioDeviceReadBps = []
        host.blkioDeviceWriteBps = []
        host.blkioDeviceReadIOps = []
        host.blkioDeviceWriteIOps = []
        host.devices = []
        request.hostConfig = host
        return request
    }

    /// `--restart no|always|unless-stopped|on-failure[:N]`.
    static func restartPolicy(_ text: String) throws(FlagError) -> HostConfig.RestartPolicy {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? "no"
        switch name {
        case "no", "always", "unless-stopped":
            guard parts.count == 1 else { throw FlagError("maximum retry count cannot be used with restart policy '\(name)'") }
            return HostConfig.RestartPolicy(name: name, maximumRetryCount: 0)
        case "on-failure":
            let count = parts.count == 2 ? Int(parts[1]) : 0
            guard let count else { throw FlagError.invalid(text, "--restart", "maximum retry count must be an integer") }
            return HostConfig.RestartPolicy(name: name, maximumRetryCount: count)
        default:
            throw FlagError.invalid(text, "--restart", "invalid restart policy: \(name)")
        }
    }

    /// The create call's query: `name` and `platform` when given.
    var createQuery: [(String, String)] {
        var query: [(String, String)] = []
        if let name { query.append(("name", name)) }
        if let platform { query.append(("platform", platform)) }
        return query
    }
}
