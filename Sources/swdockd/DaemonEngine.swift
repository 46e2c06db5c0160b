import Logging
import SwdockContent
import SwdockEngine
import SwdockMetadata
import SwdockNetwork
import SwdockRegistry
import SwdockServer
import SwdockSnapshot

/// The engine as the daemon assembles it: the ONE content store and snapshotter shared by the
/// image and container sides, the image service (after its startup GC), and the container service
/// (which reconnects to the shims of running containers as it starts).
struct DaemonEngine {
    let layout: EngineLayout
    let content: ContentStore
    let snapshotter: any Snapshotter
    let images: ImageService
    let containers: ContainerService
    /// Networking (bridge, user networks, ports); nil with daemon.json `"bridge": "none"`.
    let networks: NetworkService?
    /// The one event bus: container, image and volume events for `GET /events`.
    let events: EventBus

    var imageBackend: ImageServiceBackend { ImageServiceBackend(service: images) }

    static func start(configuration config: DaemonConfiguration, database: Database, logger: Logger) async throws -> DaemonEngine {
        // While the process's descriptors are few: libnftables cannot use a socket above fd 1024.
        _ = try? Nftables.shared()
        let layout = EngineLayout(dataRoot: config.dataRoot, execRoot: config.execRoot)
        let content = try ContentStore(root: config.dataRoot)
        let snapshotter: any Snapshotter = config.storageDriver == "vfs"
            ? try CopyingSnapshotter(root: layout.snapshotsRoot(driver: "vfs"))
            : try OverlaySnapshotter(root: layout.snapshotsRoot(driver: "overlayfs"))
        let registry = RegistryConfiguration(insecureRegistries: config.insecureRegistries, mirrors: config.registryMirrors,
                                             certsDirectory: "/etc/swdock/certs.d",
                                             maxConcurrentDownloads: config.maxConcurrentDownloads)
        let images = ImageService(database: database, content: content, snapshotter: snapshotter,
                                  registry: registry, layout: layout)
        // Finishes what a crash interrupted: removals whose blobs and snapshots were not yet
        // deleted, half-unpacked layers of an interrupted pull or load (and its spooled
        // archive). Container snapshots are kept.
        images.removeStaleSpools()
        do {
            let collected = try await images.collectGarbage()
            if !collected.snapshots.isEmpty || !collected.blobs.isEmpty {
                logger.info("startup image GC removed \(collected.snapshots.count) snapshot(s), \(collected.blobs.count) blob(s)")
            }
        } catch {
            // Serving matters more than reclaiming space; the next removal sweeps again.
            logger.error("startup image GC: \(error)")
        }

        var configuredRuntimes: [String: RuntimeCommand] = [:]
        for (name, runtime) in config.runtimes where runtime.path.hasPrefix("/") {
            configuredRuntimes[name] = RuntimeCommand(path: runtime.path, arguments: runtime.runtimeArgs ?? [])
        }
        let executables = ContainerServiceOptions.executableDirectory()
        var options = ContainerServiceOptions(
            layout: layout, runtimes: ContainerServiceOptions.discoverRuntimes(configured: configuredRuntimes),
            defaultRuntime: config.defaultRuntime, shimExecutable: executables + "/swdock-shim",
            // `--init` bind-mounts swdock-init, installed next to the daemon like the shim.
            specDefaults: SpecDefaults(initBinary: executables + "/swdock-init"),
            logDriver: config.logDriver, logOptions: config.logOpts)
        options.defaultDetachKeys = config.detachKeys
        // ── networking (issue 8): the default bridge, user networks, ports. daemon.json
        // `"bridge": "none"` (dockerd's `--bridge=none`): containers get `none`, only none and host exist.
        var pools: [SwdockNetwork.AddressPool] = []
        for pool in config.defaultAddressPools {
            guard let base = IPv4Subnet(pool.base) else {
                throw ServerError(.configuration, "default-address-pools: invalid base \(pool.base)")
            }
            pools.append(try SwdockNetwork.AddressPool(base: base, size: pool.size))
        }
        let networks = config.bridge == "none" ? nil : try NetworkService(
            database: database, layout: layout,
            configuration: NetworkServiceConfiguration(bridgeName: config.bridge, bip: config.bip, pools: pools))
        options.network = networks
        let events = EventBus()
        let containers = try ContainerService(database: database, snapshotter: snapshotter, images: images,
                                              options: options, host: try HostFacts.current(), events: events)
        return DaemonEngine(layout: layout, content: content, snapshotter: snapshotter, images: images, containers: containers,
                            networks: networks, events: events)
    }
}
