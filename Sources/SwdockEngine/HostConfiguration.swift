/// What a create request asks of the host for the container (Docker's `HostConfig`), as the
/// engine uses it. Zero values mean "not given", as in Docker's Go types (Memory 0 = no limit,
/// CpuShares 0 = default, "" = default mode); optionals are Docker's pointer fields.
public struct HostConfiguration: Sendable, Equatable {
    // ── storage ──────────────────────────────────────────────────────────
    /// `-v` specs: `src:dst[:opts]`.
    public var binds: [String]
    /// `--mount` entries.
    public var mounts: [MountRequest]
    /// `--tmpfs`: container path → mount options (`size=64m,mode=1777`).
    public var tmpfs: [String: String]
    public var readonlyRootfs: Bool
    /// `/dev/shm` size in bytes; 0 means the default (64 MiB).
    public var shmSize: Int64

    // ── resources ────────────────────────────────────────────────────────
    public var memory: Int64
    public var memoryReservation: Int64
    /// Memory + swap; -1 = unlimited swap, 0 = Docker's default (twice `memory`).
    public var memorySwap: Int64
    /// nil or -1 = the kernel's default.
    public var memorySwappiness: Int64?
    public var oomKillDisable: Bool?
    public var nanoCpus: Int64
    public var cpuShares: Int64
    public var cpuPeriod: Int64
    public var cpuQuota: Int64
    public var cpuRealtimePeriod: Int64
    public var cpuRealtimeRuntime: Int64
    public var cpusetCpus: String
    public var cpusetMems: String
    /// nil, 0 or -1 = unlimited.
    public var pidsLimit: Int64?
    public var blkioWeight: UInt16
    public var ulimits: [Ulimit]
    /// `c 1:3 rwm`-style device cgroup rules.
    public var deviceCgroupRules: [String]
    /// `--device` mappings (not supported yet; the builder refuses a non-empty list).
    public var devices: [DeviceMapping]
    public var cgroupParent: String

    // ── security ─────────────────────────────────────────────────────────
    public var privileged: Bool
    public var capAdd: [String]
    public var capDrop: [String]
    public var groupAdd: [String]
    public var securityOpt: [String]
    public var sysctls: [String: String]
    public var oomScoreAdj: Int
    /// nil = Docker's defaults; otherwise replaces them (an empty list unmasks everything).
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?

    // ── namespaces and network ───────────────────────────────────────────
    /// `default`, `bridge`, `none`, `host`, `container:<id>` or a network name.
    public var networkMode: String
    public var ipcMode: String
    public var pidMode: String
    public var utsMode: String
    public var usernsMode: String
    public var cgroupnsMode: String
    public var dns: [String]
    public var dnsSearch: [String]
    public var dnsOptions: [String]
    /// `host:ip` entries for /etc/hosts.
    public var extraHosts: [String]
    /// `-p`: `80/tcp` → host bindings (an empty HostPort: an ephemeral port).
    public var portBindings: [String: [PortBinding]]
    /// `-P`: an ephemeral host port for every exposed port.
    public var publishAllPorts: Bool

    // ── process and lifecycle ────────────────────────────────────────────
    /// `--init`: run an init as PID 1; nil = the daemon's default (off).
    public var initProcess: Bool?
    public var runtime: String
    public var autoRemove: Bool
    /// `ConsoleSize` `[rows, columns]`: the TTY's size from the first instruction (0s: unset).
    public var consoleSize: [UInt] = [0, 0]
    public var restartPolicy: RestartPolicy
    public var logConfig: LogConfig
    public var annotations: [String: String]?

    public init() {
        binds = []; mounts = []; tmpfs = [:]; readonlyRootfs = false; shmSize = 0
        memory = 0; memoryReservation = 0; memorySwap = 0; memorySwappiness = nil; oomKillDisable = nil
        nanoCpus = 0; cpuShares = 0; cpuPeriod = 0; cpuQuota = 0; cpuRealtimePeriod = 0; cpuRealtimeRuntime = 0
        cpusetCpus = ""; cpusetMems = ""; pidsLimit = nil; blkioWeight = 0; ulimits = []; deviceCgroupRules = []
        devices = []; cgroupParent = ""
        privileged = false; capAdd = []; capDrop = []; groupAdd = []; securityOpt = []; sysctls = [:]
        oomScoreAdj = 0; maskedPaths = nil; readonlyPaths = nil
        networkMode = ""; ipcMode = ""; pidMode = ""; utsMode = ""; usernsMode = ""; cgroupnsMode = ""
        dns = []; dnsSearch = []; dnsOptions = []; extraHosts = []; portBindings = [:]; publishAllPorts = false
        initProcess = nil; runtime = ""; autoRemove = false; restartPolicy = RestartPolicy(); logConfig = LogConfig()
        annotations = nil
    }

    /// One host binding of a published port (Docker's `nat.PortBinding`).
    public struct PortBinding: Sendable, Equatable, Codable {
        /// Empty: every address.
        public var hostIP: String
        /// Empty: an ephemeral port; `8000-8010`: the first free of the range.
        public var hostPort: String
        public init(hostIP: String = "", hostPort: String = "") {
            self.hostIP = hostIP
            self.hostPort = hostPort
        }
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }

    /// One `--mount` (Docker's `mount.Mount`).
    public struct MountRequest: Sendable, Equatable {
        /// `bind`, `tmpfs`, `volume` or `npipe`.
        public var type: String
        public var source: String
        public var target: String
        public var readOnly: Bool
        public var bindOptions: BindOptions?
        public var tmpfsOptions: TmpfsOptions?
        /// Set when the request carried `VolumeOptions` (only valid for volumes).
        public var hasVolumeOptions: Bool
        /// `volume-nocopy` (VolumeOptions.NoCopy): a new volume is not seeded from the image.
        public var volumeNoCopy = false

        public init(type: String, source: String = "", target: String, readOnly: Bool = false,
                    bindOptions: BindOptions? = nil, tmpfsOptions: TmpfsOptions? = nil, hasVolumeOptions: Bool = false) {
            self.type = type
            self.source = source
            self.target = target
            self.readOnly = readOnly
            self.bindOptions = bindOptions
            self.tmpfsOptions = tmpfsOptions
            self.hasVolumeOptions = hasVolumeOptions
        }
    }

    public struct BindOptions: Sendable, Equatable {
        /// `rprivate` (default), `private`, `rshared`, `shared`, `rslave`, `slave`.
        public var propagation: String
        /// `bind` instead of `rbind`.
        public var nonRecursive: Bool
        /// Create the source when it is missing instead of failing.
        public var createMountpoint: Bool
        public init(propagation: String = "", nonRecursive: Bool = false, createMountpoint: Bool = false) {
            self.propagation = propagation
            self.nonRecursive = nonRecursive
            self.createMountpoint = createMountpoint
        }
    }

    public struct TmpfsOptions: Sendable, Equatable {
        /// Bytes; 0 = the kernel's default (half of RAM).
        public var sizeBytes: Int64
        /// Permission bits (Go's os.FileMode, so `0o1777` arrives as 1023).
        public var mode: UInt32
        /// Extra `[name]` / `[name, value]` options (API 1.46: only `exec`/`noexec`).
        public var options: [[String]]
        public init(sizeBytes: Int64 = 0, mode: UInt32 = 0, options: [[String]] = []) {
            self.sizeBytes = sizeBytes
            self.mode = mode
            self.options = options
        }
    }

    /// `--ulimit nofile=1024:2048`.
    public struct Ulimit: Sendable, Equatable {
        public var name: String
        public var soft: Int64
        public var hard: Int64
        public init(name: String, soft: Int64, hard: Int64) { self.name = name; self.soft = soft; self.hard = hard }
    }

    /// `--device /dev/x:/dev/y:rwm`.
    public struct DeviceMapping: Sendable, Equatable {
        public var pathOnHost: String
        public var pathInContainer: String
        public var cgroupPermissions: String
        public init(pathOnHost: String, pathInContainer: String, cgroupPermissions: String) {
            self.pathOnHost = pathOnHost
            self.pathInContainer = pathInContainer
            self.cgroupPermissions = cgroupPermissions
        }
    }

    /// `--restart`: kept for the engine's reconcile loop.
    public struct RestartPolicy: Sendable, Equatable {
        /// `""`/`no`, `always`, `unless-stopped`, `on-failure`.
        public var name: String
        public var maximumRetryCount: Int
        public init(name: String = "", maximumRetryCount: Int = 0) { self.name = name; self.maximumRetryCount = maximumRetryCount }
    }

    /// `--log-driver` / `--log-opt`.
    public struct LogConfig: Sendable, Equatable {
        /// `""` = the daemon's default driver.
        public var type: String
        public var config: [String: String]
        public init(type: String = "", config: [String: String] = [:]) { self.type = type; self.config = config }
    }
}
