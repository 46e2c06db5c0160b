import SwdockOCI

/// The daemon-wide settings the spec builder applies to every container (from daemon.json and
/// swdock's own choices).
public struct SpecDefaults: Sendable, Equatable {
    /// Parent of every container's cgroup: `cgroupsPath` is `<parent>/<id>` (cgroupfs style).
    public var cgroupParent: String
    /// Cgroup namespace when the request says nothing. swdock makes it private on v1 and v2
    /// (Docker 20.10 uses `host` on cgroup v1 and `private` on v2).
    public var cgroupnsMode: CgroupnsMode
    /// The init binary on the host that `--init` bind-mounts read-only at `initPathInContainer`.
    public var initBinary: String
    /// Where the init appears in the container (Docker's path, so `ps` shows what people expect).
    public var initPathInContainer: String
    /// `--init` when the request does not say (dockerd's `--init` flag).
    public var initByDefault: Bool
    /// `/dev/shm` size when ShmSize is 0: 64 MiB as in Docker.
    public var shmSize: Int64
    /// The runtime when the request names none.
    public var runtime: String
    /// Runtime names a request may ask for.
    public var runtimes: Set<String>
    /// The log driver when the request names none.
    public var logDriver: String
    /// Arguments the init binary gets before the container's own argv (Docker's `--`).
    public var initArguments: [String]

    public enum CgroupnsMode: String, Sendable { case host, `private` }

    public init(cgroupParent: String = "/swdock", cgroupnsMode: CgroupnsMode = .private,
                initBinary: String = "/usr/libexec/swdock/swdock-init", initPathInContainer: String = "/sbin/docker-init",
                initByDefault: Bool = false, shmSize: Int64 = 64 << 20, runtime: String = "swdock-runtime",
                runtimes: Set<String> = ["swdock-runtime", "runc", "crun"], logDriver: String = "json-file",
                initArguments: [String] = ["--"]) {
        self.cgroupParent = cgroupParent
        self.cgroupnsMode = cgroupnsMode
        self.initBinary = initBinary
        self.initPathInContainer = initPathInContainer
        self.initByDefault = initByDefault
        self.shmSize = shmSize
        self.runtime = runtime
        self.runtimes = runtimes
        self.logDriver = logDriver
        self.initArguments = initArguments
    }
}

/// What the builder needs to know about the host. Plain values (and two lookups) so that the
/// rules are tested without the real machine; `HostFacts.current()` reads them from this host.
public struct HostFacts: Sendable {
    /// gethostname(2): the container's hostname with `--network host`.
    public var hostname: String
    /// The text of the host's resolv.conf (systemd-resolved's upstream file when /etc/resolv.conf
    /// only names its 127.0.0.53 stub, as Docker picks it).
    public var resolvConf: String
    /// The text of the host's /etc/hosts (copied for `--network host`).
    public var hosts: String
    /// /proc/sys/kernel/cap_last_cap: the highest capability number the kernel knows.
    public var lastCapability: Int
    /// Online CPUs, for Docker's `--cpus` and `--cpuset-cpus` checks.
    public var cpuCount: Int
    /// Whether memory+swap limits can be set (cgroup v1 `memory.memsw.*`, v2 `memory.swap.max`).
    public var swapLimitSupported: Bool
    /// A Go architecture name (`amd64`) for the seccomp profile's arch filters.
    public var architecture: String
    /// `(major, minor)` of the kernel, for the seccomp profile's minKernel filters.
    public var kernel: (Int, Int)
    /// Whether a host path exists (bind sources, the init binary).
    public var pathExists: @Sendable (String) -> Bool
    /// Every device node under /dev, for `--privileged` (as runc's GetDevices lists them).
    public var devices: @Sendable () throws(EngineError) -> [RuntimeSpec.Device]

    public init(hostname: String, resolvConf: String, hosts: String, lastCapability: Int, cpuCount: Int,
                swapLimitSupported: Bool, architecture: String, kernel: (Int, Int),
                pathExists: @escaping @Sendable (String) -> Bool,
                devices: @escaping @Sendable () throws(EngineError) -> [RuntimeSpec.Device]) {
        self.hostname = hostname
        self.resolvConf = resolvConf
        self.hosts = hosts
        self.lastCapability = lastCapability
        self.cpuCount = cpuCount
        self.swapLimitSupported = swapLimitSupported
        self.architecture = architecture
        self.kernel = kernel
        self.pathExists = pathExists
        self.devices = devices
    }
}

/// Reads files of the container's root filesystem (/etc/passwd, /etc/group), resolving
/// symlinks inside that root as Docker does.
public protocol ContainerFileReader: Sendable {
    /// The file's text, or nil when it does not exist.
    func contents(of path: String) throws(EngineError) -> String?
}

/// One container: what the builder combines with the request.
public struct ContainerSpecContext: Sendable {
    /// The 64-hex container ID.
    public var id: String
    /// The image's `config.config` (Entrypoint, Cmd, Env, User, …); nil for an image without one.
    public var image: ContainerConfig?
    /// The container's root filesystem (the mounted snapshot): `root.path` of the spec.
    public var rootfs: String
    /// Reads /etc/passwd and /etc/group of that root.
    public var rootfsFiles: any ContainerFileReader
    /// The container's directory on the host; `hostname`, `hosts` and `resolv.conf` are written
    /// there (by the engine, from `ContainerSpecPlan.files`) and bind-mounted from there.
    public var containerDirectory: String
    /// The container's IPv4 address, when it has one (written to /etc/hosts).
    public var ipAddress: String?
    /// The network namespace the container joins (`linux.namespaces[].path`), made by the
    /// engine's networking at start; nil: the runtime creates an empty one.
    public var networkNamespacePath: String?

    public init(id: String, image: ContainerConfig?, rootfs: String, rootfsFiles: any ContainerFileReader,
                containerDirectory: String, ipAddress: String? = nil, networkNamespacePath: String? = nil) {
        self.networkNamespacePath = networkNamespacePath
        self.id = id
        self.image = image
        self.rootfs = rootfs
        self.rootfsFiles = rootfsFiles
        self.containerDirectory = containerDirectory
        self.ipAddress = ipAddress
    }
}

/// The builder's answer: the OCI spec plus everything the engine must do or keep around it.
public struct ContainerSpecPlan: Sendable {
    /// The runtime spec (`config.json` of the bundle).
    public var spec: RuntimeSpec
    /// The request merged with the image (Docker's merge): what `inspect` shows as `.Config`,
    /// with the hostname filled in.
    public var config: ContainerConfiguration
    /// The host config after Docker's adaptations (MemorySwap default, ShmSize default, resolved
    /// modes): what `inspect` shows as `.HostConfig`.
    public var hostConfig: HostConfiguration
    /// The process path and arguments as Docker reports them (`Path`, `Args`), without the init.
    public var path: String
    public var args: [String]
    /// Files to write into `containerDirectory` before the container starts.
    public var files: [ContainerFile]
    /// Host directories `-v` binds need and that do not exist yet: created (0755, root) before start, as Docker does.
    public var hostDirectoriesToCreate: [String]
    /// Anonymous volumes of the image or request (`Volumes`): the volume code creates them; the
    /// builder does not mount them.
    public var anonymousVolumes: [String]
    /// The runtime to run the container with.
    public var runtime: String
    /// Things Docker would warn about (returned in the create response's `Warnings`).
    public var warnings: [String]
}

/// A file of the container directory.
public struct ContainerFile: Sendable, Equatable {
    /// The file name inside the container directory (`hostname`, `hosts`, `resolv.conf`).
    public var name: String
    public var contents: String
    public init(name: String, contents: String) { self.name = name; self.contents = contents }
}
