#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOHTTP1
import SwdockAPI
import SwdockOS

/// The daemon's identity and settings that `/version` and `/info` report.
public struct DaemonIdentity: Sendable {
    /// Persistent engine ID (dockerd's `ID`), kept in `<data-root>/engine-id`.
    public var engineID: String
    public var configuration: DaemonConfiguration
    /// How the daemon was started, reported by `/info` (nil: not told).
    public var start: SystemInfo.DaemonStart?

    public init(engineID: String, configuration: DaemonConfiguration, start: SystemInfo.DaemonStart? = nil) {
        self.engineID = engineID
        self.configuration = configuration
        self.start = start
    }
}

/// `/_ping`, `/version`, `/info`: answered from the host and the daemon's settings, with the
/// engine's counts from `EngineBackend`.
public enum SystemRoutes {
    /// Adds the system, image and container routes, then every other Docker route as
    /// declared-only (501).
    public static func router(system: any SystemBackend, images: any ImageBackend, containers: any ContainerBackend,
                              events: (any EventBackend)? = nil, volumes: (any VolumeBackend)? = nil,
                              networks: (any NetworkBackend)? = nil,
                              identity: DaemonIdentity) -> Router {
        var router = Router()
        add(to: &router, backend: system, identity: identity)
        ImageRoutes.add(to: &router, backend: images)
        ContainerRoutes.add(to: &router, backend: containers)
        router.add(.GET, "/system/df") { _ in
            var usage = SystemDiskUsage()
            let images = try await images.imageDiskUsage()
            usage.LayersSize = images.layersSize
            usage.Images = images.images
            usage.Containers = try await containers.containerDiskUsage()
            return try .json(usage)
        }
        if let updates = containers as? any ContainerUpdateBackend { ContainerUpdateRoutes.add(to: &router, backend: updates) }
        if let archives = containers as? any ContainerArchiveBackend { ContainerArchiveRoutes.add(to: &router, backend: archives) }
        if let commits = containers as? any ContainerCommitBackend { CommitRoutes.add(to: &router, backend: commits) }
        if let events { EventRoutes.add(to: &router, backend: events) }
        if let volumes { VolumeRoutes.add(to: &router, backend: volumes) }
        if let networks { NetworkRoutes.add(to: &router, backend: networks) }
        for (method, path) in DockerRoutes.all { router.declare(method, path) }
        return router
    }

    /// The router of a single object that implements the whole engine surface.
    public static func router(backend: any EngineBackend, identity: DaemonIdentity) -> Router {
        router(system: backend, images: backend, containers: backend, identity: identity)
    }

    public static func add(to router: inout Router, backend: any SystemBackend, identity: DaemonIdentity) {
        router.add(.GET, "/_ping") { _ in ping(includeBody: true) }
        router.add(.HEAD, "/_ping") { _ in ping(includeBody: false) }
        router.add(.GET, "/version") { _ in try .json(version(identity: identity)) }
        router.add(.GET, "/info") { _ in
            try .json(info(counts: try await backend.systemCounts(), identity: identity))
        }
    }

    /// As dockerd: `OK` for GET, no body (Content-Length 0) for HEAD, never cached.
    static func ping(includeBody: Bool) -> APIResponse {
        APIResponse(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8",
                                           "Cache-Control": "no-cache, no-store, must-revalidate",
                                           "Pragma": "no-cache"],
                    body: .bytes(includeBody ? Array("OK".utf8) : []))
    }

    /// Go's GOARCH names, which the docker CLI prints.
    static func goArch(_ machine: String) -> String {
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64": return "arm64"
        case "armv7l", "armv6l": return "arm"
        case "i686", "i386": return "386"
        default: return machine
        }
    }

    static var swiftVersion: String {
        #if compiler(>=6.3)
        return "swift6.3"
        #elseif compiler(>=6.2)
        return "swift6.2"
        #elseif compiler(>=6.1)
        return "swift6.1"
        #else
        return "swift6.0"
        #endif
    }

    /// The daemon executable's modification time, the closest thing to a build time it has.
    static let buildTime: String = {
        var info = stat()
        guard (try? sys("stat", "/proc/self/exe") { stat("/proc/self/exe", &info) }) != nil else { return "" }
        let date = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        return rfc3339(date, fractional: false)
    }()

    static func rfc3339(_ date: Date, fractional: Bool) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public static func version(identity: DaemonIdentity) -> SystemVersion {
        let host = HostFacts.readKernel()
        let arch = goArch(host.architecture)
        let details = ["ApiVersion": SwdockVersion.apiVersion, "Arch": arch, "BuildTime": buildTime, "Experimental": "false",
                       "GitCommit": "", "GoVersion": swiftVersion, "KernelVersion": host.kernelVersion,
                       "MinAPIVersion": APIVersion.minimum.description, "Os": "linux"]
        return SystemVersion(Platform: .init(Name: "swdock Engine"),
                             Components: [.init(Name: "Engine", Version: SwdockVersion.version, Details: details)],
                             Version: SwdockVersion.version, ApiVersion: SwdockVersion.apiVersion,
                             MinAPIVersion: APIVersion.minimum.description, GitCommit: "", GoVersion: swiftVersion,
                             Os: "linux", Arch: arch, KernelVersion: host.kernelVersion, Experimental: nil,
                             BuildTime: buildTime)
    }

    public static func info(counts: SystemCounts, identity: DaemonIdentity) -> SystemInfo {
        let host = HostFacts.read()
        let config = identity.configuration
        var warnings: [String] = []
        if !host.swapLimit { warnings.append("WARNING: No swap limit support") }
        if !host.ipv4Forwarding { warnings.append("WARNING: IPv4 forwarding is disabled") }
        if !host.bridgeNfIptables { warnings.append("WARNING: bridge-nf-call-iptables is disabled") }
        if !host.bridgeNfIp6tables { warnings.append("WARNING: bridge-nf-call-ip6tables is disabled") }
        var security: [String] = []
        if host.seccomp { security.append("name=seccomp,profile=default") }
        if host.cgroupVersion == .v2 { security.append("name=cgroupns") }
        let environment = ProcessInfo.processInfo.environment
        func proxy(_ name: String) -> String { environment[name] ?? environment[name.lowercased()] ?? "" }
        let insecure = ["127.0.0.0/8"] + config.insecureRegistries.filter { $0.contains("/") }
        let runtimes = config.runtimes.mapValues { SystemInfo.Runtime(path: $0.path, runtimeArgs: $0.runtimeArgs) }
        return SystemInfo(
            ID: identity.engineID, Containers: counts.containers, ContainersRunning: counts.running,
            ContainersPaused: counts.paused, ContainersStopped: counts.stopped, Images: counts.images,
            Driver: config.storageDriver,
            DriverStatus: [["Backing Filesystem", HostFacts.backingFilesystem(config.dataRoot)], ["Supports d_type", "true"]],
            Plugins: .init(Volume: ["local"], Network: ["host", "none"], Authorization: nil, Log: ["json-file"]),
            MemoryLimit: host.memoryLimit, SwapLimit: host.swapLimit, KernelMemory: host.kernelMemory,
            KernelMemoryTCP: host.kernelMemoryTCP, CpuCfsPeriod: host.cpuCfsPeriod, CpuCfsQuota: host.cpuCfsQuota,
            CPUShares: host.cpuShares, CPUSet: host.cpuSet, PidsLimit: host.pidsLimit, IPv4Forwarding: host.ipv4Forwarding,
            BridgeNfIptables: host.bridgeNfIptables, BridgeNfIp6tables: host.bridgeNfIp6tables, Debug: config.debug,
            NFd: host.openFiles, OomKillDisable: host.oomKillDisable, NGoroutines: host.threads,
            SystemTime: rfc3339(Date(), fractional: true), LoggingDriver: config.logDriver, CgroupDriver: "cgroupfs",
            CgroupVersion: host.cgroupVersion == .v2 ? "2" : "1", NEventsListener: 0, KernelVersion: host.kernelVersion,
            OperatingSystem: host.operatingSystem, OSVersion: host.osVersion, OSType: "linux",
            Architecture: host.architecture, IndexServerAddress: "https://index.docker.io/v1/",
            RegistryConfig: .init(InsecureRegistryCIDRs: insecure,
                                  IndexConfigs: ["docker.io": .init(Name: "docker.io", Mirrors: config.registryMirrors,
                                                                    Secure: true, Official: true)],
                                  Mirrors: config.registryMirrors),
            NCPU: host.cpus, MemTotal: host.memoryBytes, DockerRootDir: config.dataRoot,
            HttpProxy: proxy("HTTP_PROXY"), HttpsProxy: proxy("HTTPS_PROXY"), NoProxy: proxy("NO_PROXY"),
            Name: host.hostname, Labels: [], ServerVersion: SwdockVersion.version, Runtimes: runtimes,
            DefaultRuntime: config.defaultRuntime, LiveRestoreEnabled: config.liveRestore, InitBinary: "",
            SecurityOptions: security, Warnings: warnings, SwdockDaemonStart: identity.start)
    }
}
