// Property names are the Engine API's JSON keys (dockerd 20.10's `types.Info`).

/// `GET /info`.
public struct SystemInfo: Codable, Sendable, Equatable {
    public struct PluginsInfo: Codable, Sendable, Equatable {
        public var Volume: [String]
        public var Network: [String]
        public var Authorization: [String]?
        public var Log: [String]
        public init(Volume: [String], Network: [String], Authorization: [String]?, Log: [String]) {
            self.Volume = Volume
            self.Network = Network
            self.Authorization = Authorization
            self.Log = Log
        }
    }

    public struct IndexInfo: Codable, Sendable, Equatable {
        public var Name: String
        public var Mirrors: [String]
        public var Secure: Bool
        public var Official: Bool
        public init(Name: String, Mirrors: [String], Secure: Bool, Official: Bool) {
            self.Name = Name
            self.Mirrors = Mirrors
            self.Secure = Secure
            self.Official = Official
        }
    }

    public struct RegistryServiceConfig: Codable, Sendable, Equatable {
        public var AllowNondistributableArtifactsCIDRs: [String]
        public var AllowNondistributableArtifactsHostnames: [String]
        public var InsecureRegistryCIDRs: [String]
        public var IndexConfigs: [String: IndexInfo]
        public var Mirrors: [String]
        public init(InsecureRegistryCIDRs: [String], IndexConfigs: [String: IndexInfo], Mirrors: [String]) {
            self.AllowNondistributableArtifactsCIDRs = []
            self.AllowNondistributableArtifactsHostnames = []
            self.InsecureRegistryCIDRs = InsecureRegistryCIDRs
            self.IndexConfigs = IndexConfigs
            self.Mirrors = Mirrors
        }
    }

    public struct Runtime: Codable, Sendable, Equatable {
        public var path: String
        public var runtimeArgs: [String]?
        public init(path: String, runtimeArgs: [String]? = nil) {
            self.path = path
            self.runtimeArgs = runtimeArgs
        }
    }

    public struct Commit: Codable, Sendable, Equatable {
        public var ID: String
        public var Expected: String
        public init(ID: String, Expected: String) {
            self.ID = ID
            self.Expected = Expected
        }
    }

    public struct SwarmInfo: Codable, Sendable, Equatable {
        public var NodeID: String = ""
        public var NodeAddr: String = ""
        public var LocalNodeState: String = "inactive"
        public var ControlAvailable: Bool = false
        public var Error: String = ""
        public var RemoteManagers: [String]? = nil
        public init() {}
    }

    /// How the daemon was started and what it serves on. swdock's own addition: dockerd has no
    /// such field, and Docker clients ignore keys they do not know.
    public struct DaemonStart: Codable, Sendable, Equatable {
        /// True when the daemon serves sockets systemd passed it (socket activation, `-H fd://`).
        public var SocketActivated: Bool
        /// Every API socket served: `fd://NAME (fd N, from systemd)` or `unix:///path`.
        public var Listeners: [String]
        /// True when a service manager asked for readiness notification (NOTIFY_SOCKET, `Type=notify`).
        public var ServiceManagerNotify: Bool

        public init(SocketActivated: Bool, Listeners: [String], ServiceManagerNotify: Bool) {
            self.SocketActivated = SocketActivated
            self.Listeners = Listeners
            self.ServiceManagerNotify = ServiceManagerNotify
        }
    }

    public var ID: String
    public var Containers: Int
    public var ContainersRunning: Int
    public var ContainersPaused: Int
    public var ContainersStopped: Int
    public var Images: Int
    public var Driver: String
    public var DriverStatus: [[String]]
    public var Plugins: PluginsInfo
    public var MemoryLimit: Bool
    public var SwapLimit: Bool
    public var KernelMemory: Bool
    public var KernelMemoryTCP: Bool
    public var CpuCfsPeriod: Bool
    public var CpuCfsQuota: Bool
    public var CPUShares: Bool
    public var CPUSet: Bool
    public var PidsLimit: Bool
    public var IPv4Forwarding: Bool
    public var BridgeNfIptables: Bool
    public var BridgeNfIp6tables: Bool
    public var Debug: Bool
    public var NFd: Int
    public var OomKillDisable: Bool
    /// Go goroutines in dockerd; swdockd reports its thread count.
    public var NGoroutines: Int
    public var SystemTime: String
    public var LoggingDriver: String
    public var CgroupDriver: String
    public var CgroupVersion: String
    public var NEventsListener: Int
    public var KernelVersion: String
    public var OperatingSystem: String
    public var OSVersion: String
    public var OSType: String
    public var Architecture: String
    public var IndexServerAddress: String
    public var RegistryConfig: RegistryServiceConfig
    public var NCPU: Int
    public var MemTotal: Int64
    public var GenericResources: [String]?
    public var DockerRootDir: String
    public var HttpProxy: String
    public var HttpsProxy: String
    public var NoProxy: String
    public var Name: String
    public var Labels: [String]
    public var ExperimentalBuild: Bool
    public var ServerVersion: String
    public var Runtimes: [String: Runtime]
    public var DefaultRuntime: String
    public var Swarm: SwarmInfo
    public var LiveRestoreEnabled: Bool
    public var Isolation: String
    public var InitBinary: String
    public var ContainerdCommit: Commit
    public var RuncCommit: Commit
    public var InitCommit: Commit
    public var SecurityOptions: [String]
    /// dockerd sends null when there are none.
    public var Warnings: [String]?
    /// swdockd's start (nil from dockerd); see `DaemonStart`.
    public var SwdockDaemonStart: DaemonStart?

    /// Every field, so nothing is silently defaulted.
    public init(ID: String, Containers: Int, ContainersRunning: Int, ContainersPaused: Int, ContainersStopped: Int,
                Images: Int, Driver: String, DriverStatus: [[String]], Plugins: PluginsInfo, MemoryLimit: Bool,
                SwapLimit: Bool, KernelMemory: Bool, KernelMemoryTCP: Bool, CpuCfsPeriod: Bool, CpuCfsQuota: Bool,
                CPUShares: Bool, CPUSet: Bool, PidsLimit: Bool, IPv4Forwarding: Bool, BridgeNfIptables: Bool,
                BridgeNfIp6tables: Bool, Debug: Bool, NFd: Int, OomKillDisable: Bool, NGoroutines: Int,
                SystemTime: String, LoggingDriver: String, CgroupDriver: String, CgroupVersion: String,
                NEventsListener: Int, KernelVersion: String, OperatingSystem: String, OSVersion: String,
                OSType: String, Architecture: String, IndexServerAddress: String,
                RegistryConfig: RegistryServiceConfig, NCPU: Int, MemTotal: Int64, DockerRootDir: String,
                HttpProxy: String, HttpsProxy: String, NoProxy: String, Name: String, Labels: [String],
                ServerVersion: String, Runtimes: [String: Runtime], DefaultRuntime: String,
                LiveRestoreEnabled: Bool, InitBinary: String, SecurityOptions: [String], Warnings: [String],
                SwdockDaemonStart: DaemonStart?) {
        self.ID = ID
        self.Containers = Containers
        self.ContainersRunning = ContainersRunning
        self.ContainersPaused = ContainersPaused
        self.ContainersStopped = ContainersStopped
        self.Images = Images
        self.Driver = Driver
        self.DriverStatus = DriverStatus
        self.Plugins = Plugins
        self.MemoryLimit = MemoryLimit
        self.SwapLimit = SwapLimit
        self.KernelMemory = KernelMemory
        self.KernelMemoryTCP = KernelMemoryTCP
        self.CpuCfsPeriod = CpuCfsPeriod
        self.CpuCfsQuota = CpuCfsQuota
        self.CPUShares = CPUShares
        self.CPUSet = CPUSet
        self.PidsLimit = PidsLimit
        self.IPv4Forwarding = IPv4Forwarding
        self.BridgeNfIptables = BridgeNfIptables
        self.BridgeNfIp6tables = BridgeNfIp6tables
        self.Debug = Debug
        self.NFd = NFd
        self.OomKillDisable = OomKillDisable
        self.NGoroutines = NGoroutines
        self.SystemTime = SystemTime
        self.LoggingDriver = LoggingDriver
        self.CgroupDriver = CgroupDriver
        self.CgroupVersion = CgroupVersion
        self.NEventsListener = NEventsListener
        self.KernelVersion = KernelVersion
        self.OperatingSystem = OperatingSystem
        self.OSVersion = OSVersion
        self.OSType = OSType
        self.Architecture = Architecture
        self.IndexServerAddress = IndexServerAddress
        self.RegistryConfig = RegistryConfig
        self.NCPU = NCPU
        self.MemTotal = MemTotal
        self.GenericResources = nil
        self.DockerRootDir = DockerRootDir
        self.HttpProxy = HttpProxy
        self.HttpsProxy = HttpsProxy
        self.NoProxy = NoProxy
        self.Name = Name
        self.Labels = Labels
        self.ExperimentalBuild = false
        self.ServerVersion = ServerVersion
        self.Runtimes = Runtimes
        self.DefaultRuntime = DefaultRuntime
        self.Swarm = SwarmInfo()
        self.LiveRestoreEnabled = LiveRestoreEnabled
        self.Isolation = ""
        self.InitBinary = InitBinary
        self.ContainerdCommit = Commit(ID: "", Expected: "")
        self.RuncCommit = Commit(ID: "", Expected: "")
        self.InitCommit = Commit(ID: "", Expected: "")
        self.SecurityOptions = SecurityOptions
        self.Warnings = Warnings
        self.SwdockDaemonStart = SwdockDaemonStart
    }
}
