import SwdockOCI
import SwdockOS

/// Builds the OCI runtime spec of a container from the image config and a Docker create
/// request, with Docker's rules (moby 20.10's daemon/create.go merge, daemon/oci_linux.go and
/// oci/defaults.go; checked against config.json files a real dockerd 20.10.24 wrote, kept in
/// Tests/SwdockEngineTests/Fixtures). Pure: it reads only what `HostFacts` and the context's
/// file reader give it and writes nothing; the engine writes the files and creates the
/// directories the plan lists.
///
/// ```swift
/// let builder = ContainerSpecBuilder(defaults: SpecDefaults(), host: try HostFacts.current())
/// let plan = try builder.build(config: request.config, hostConfig: request.hostConfig, context: context)
/// try write(plan.spec, to: bundle + "/config.json")
/// ```
public struct ContainerSpecBuilder: Sendable {
    public var defaults: SpecDefaults
    public var host: HostFacts

    public init(defaults: SpecDefaults = SpecDefaults(), host: HostFacts) {
        self.defaults = defaults
        self.host = host
    }

    /// Docker's PATH for Linux containers when the image sets none.
    public static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The spec and everything around it for one container; throws Docker's errors for requests
    /// Docker refuses and "not supported: …" for what swdock does not implement.
    public func build(config request: ContainerConfiguration, hostConfig requestHost: HostConfiguration,
                      context: ContainerSpecContext) throws(EngineError) -> ContainerSpecPlan {
        var warnings: [String] = []
        var hostConfig = try adaptedHostConfig(requestHost, warnings: &warnings)
        let modes = try NamespaceModes(hostConfig, defaults: defaults)
        hostConfig.cgroupnsMode = modes.cgroupnsPrivate ? "private" : "host"

        var config = request.merged(withImage: context.image)
        if !config.stopSignal.isEmpty { _ = try SignalName.parse(config.stopSignal) }
        if modes.utsHost && !request.hostname.isEmpty {
            throw EngineError(.invalidArgument, "Conflicting options: hostname and the UTS mode")
        }
        if config.hostname.isEmpty {
            config.hostname = modes.networkHost ? host.hostname : String(context.id.prefix(12))
        }
        let argv = (config.entrypoint ?? []) + (config.cmd ?? [])
        guard let path = argv.first else { throw EngineError(.invalidArgument, "No command specified") }
        let workingDir = try Self.workingDirectory(config.workingDir)

        let security = try SecurityOptions(hostConfig.securityOpt, warnings: &warnings)
        let user = try UserLookup.resolve(config.user, groupAdd: hostConfig.groupAdd, files: context.rootfsFiles)
        let capabilities = try DefaultCapabilities.tweak(add: hostConfig.capAdd, drop: hostConfig.capDrop,
                                                         privileged: hostConfig.privileged,
                                                         lastCapability: host.lastCapability)

        var process = RuntimeSpec.Process(user: RuntimeSpec.User(uid: user.uid, gid: user.gid,
                                                                 additionalGids: user.additionalGids))
        process.terminal = config.tty ? true : nil
        var environment = [Self.defaultPath, "HOSTNAME=\(config.hostname)"]
        if config.tty { environment.append("TERM=xterm") }
        process.env = EnvironmentList.replaceOrAppend(environment, config.env ?? [])
        process.cwd = workingDir
        // Docker gives a non-root user the bounding set only: it gains capabilities through
        // file capabilities or setuid binaries, as on a normal host.
        process.capabilities = RuntimeSpec.Capabilities(
            bounding: capabilities,
            effective: user.uid == 0 ? capabilities : nil,
            permitted: user.uid == 0 ? capabilities : nil)
        process.rlimits = try Self.rlimits(hostConfig.ulimits)
        process.noNewPrivileges = security.noNewPrivileges ? true : nil
        process.oomScoreAdj = hostConfig.oomScoreAdj

        let initEnabled = hostConfig.initProcess ?? defaults.initByDefault
        if initEnabled {
            guard host.pathExists(defaults.initBinary) else {
                throw EngineError(.notSupported, "--init: the init binary \(defaults.initBinary) is not installed")
            }
            process.args = [defaults.initPathInContainer] + defaults.initArguments + argv
        } else {
            process.args = argv
        }

        var spec = RuntimeSpec(process: process,
                               root: RuntimeSpec.Root(path: context.rootfs, readonly: hostConfig.readonlyRootfs ? true : nil))
        spec.hostname = modes.utsHost ? nil : config.hostname
        spec.annotations = hostConfig.annotations

        var linux = RuntimeSpec.Linux()
        linux.namespaces = modes.namespaces(networkPath: context.networkNamespacePath)
        linux.cgroupsPath = Self.cgroupsPath(parent: hostConfig.cgroupParent.isEmpty ? defaults.cgroupParent : hostConfig.cgroupParent,
                                             id: context.id)
        linux.sysctl = try Self.sysctls(hostConfig.sysctls, domainname: config.domainname, modes: modes)
        linux.resources = try resources(hostConfig, warnings: &warnings)
        if hostConfig.privileged {
            linux.devices = try host.devices()
        } else if !hostConfig.devices.isEmpty {
            throw EngineError(.notSupported, "--device \(hostConfig.devices[0].pathOnHost): device mappings are not implemented yet")
        }
        linux.maskedPaths = hostConfig.maskedPaths ?? (hostConfig.privileged ? nil : Self.maskedPaths)
        linux.readonlyPaths = hostConfig.readonlyPaths ?? (hostConfig.privileged ? nil : Self.readonlyPaths)
        if linux.maskedPaths?.isEmpty == true { linux.maskedPaths = nil }
        if linux.readonlyPaths?.isEmpty == true { linux.readonlyPaths = nil }
        linux.seccomp = try seccomp(security, privileged: hostConfig.privileged, capabilities: capabilities)
        spec.linux = linux

        var mountPlan = try mounts(hostConfig, config: config, context: context, modes: modes, initEnabled: initEnabled)
        spec.mounts = mountPlan.mounts
        mountPlan.anonymousVolumes.append(contentsOf: (config.volumes ?? []).filter { !mountPlan.anonymousVolumes.contains($0) })

        let files = try NetworkFiles.files(config: config, hostConfig: hostConfig, modes: modes, host: host,
                                           ipAddress: context.ipAddress)
        return ContainerSpecPlan(spec: spec, config: config, hostConfig: hostConfig, path: path,
                                 args: Array(argv.dropFirst()), files: files,
                                 hostDirectoriesToCreate: mountPlan.hostDirectoriesToCreate,
                                 anonymousVolumes: mountPlan.anonymousVolumes,
                                 runtime: hostConfig.runtime, warnings: warnings)
    }

    /// The working directory: `/` by default, cleaned, and absolute as Docker requires.
    static func workingDirectory(_ value: String) throws(EngineError) -> String {
        guard !value.isEmpty else { return "/" }
        guard value.hasPrefix("/") else {
            throw EngineError(.invalidArgument, "the working directory '\(value)' is invalid, it needs to be an absolute path")
        }
        return PathText.clean(value)
    }

    /// `<parent>/<id>` for the cgroupfs driver.
    static func cgroupsPath(parent: String, id: String) -> String {
        let base = PathText.clean(parent.hasPrefix("/") ? parent : "/" + parent)
        return base == "/" ? "/" + id : base + "/" + id
    }
}
