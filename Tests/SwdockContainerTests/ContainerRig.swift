#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SwdockAPI
import SwdockContent
import SwdockEngine
import SwdockMetadata
import SwdockNetwork
import SwdockOS
import SwdockRegistry
import SwdockServer
import SwdockSnapshot
import SwdockTestSupport
import XCTest

/// One private engine for a test: data and exec roots in a short temp directory (shim socket
/// paths must fit in 107 bytes), the real overlay snapshotter, content store and SQLite store,
/// the busybox fixture pulled by the real ImageService from the harness's registry and tagged
/// `busybox:latest` (as tests name it), a ContainerService with the real shim and runtimes, and optionally the API server on
/// a temp socket. `tearDown` kills what it started, unmounts and removes everything.
final class ContainerRig: @unchecked Sendable {
    let root: String
    let layout: EngineLayout
    let database: Database
    let snapshotter: OverlaySnapshotter
    let content: ContentStore
    let images: ImageService
    let cgroupParent: String
    private(set) var options: ContainerServiceOptions
    private(set) var service: ContainerService
    /// With `networking`: the engine's NetworkService (bridge, user networks, ports).
    private(set) var networks: NetworkService?
    let networking: NetworkServiceConfiguration?
    private var server: APIServer?
    var socketPath: String { root + "/api.sock" }
    var dockerHost: String { "unix://" + socketPath }

    init(test: XCTestCase, logOptions: [String: String] = [:], networking: NetworkServiceConfiguration? = nil,
         defaultDetachKeys: String = "") throws {
        self.networking = networking
        try TestEnvironment.requireRoot()
        // The suite runs in one process: make libnftables' socket while its fd is low (see Nftables.shared).
        _ = try? Nftables.shared()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        guard let busybox = try FixtureCatalog.fromEnvironment().fixture("busybox") else {
            throw FixtureError("fixture busybox", "not in the catalog")
        }
        var template = Array("/tmp/swc.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp", "failed") }
        root = String(cString: made)
        layout = EngineLayout(dataRoot: root + "/data", execRoot: root + "/run")
        cgroupParent = "/swdock-test-" + String(root.suffix(6))
        let root = self.root, cgroupParent = self.cgroupParent
        test.addTeardownBlock {
            // Container processes by cgroup too: a container whose rootfs was detached no longer
            // shows a root under this directory.
            for hierarchy in ["pids", "memory"] {
                let top = "/sys/fs/cgroup/\(hierarchy)\(cgroupParent)"
                for child in (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? [] {
                    let procs = (try? String(contentsOfFile: "\(top)/\(child)/cgroup.procs", encoding: .utf8)) ?? ""
                    for pid in procs.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
                }
            }
            HostCleanup.killProcesses(mentioning: root)
            HostCleanup.unmountAll(under: root)
            HostCleanup.removeCgroupTree(cgroupParent)
            try? FileManager.default.removeItem(atPath: root)
        }
        try FileManager.default.createDirectory(atPath: layout.dataRoot, withIntermediateDirectories: true)
        database = try Database(path: layout.database)
        snapshotter = try OverlaySnapshotter(root: layout.snapshotsRoot(driver: "overlayfs"))
        content = try ContentStore(root: layout.dataRoot)
        images = ImageService(database: database, content: content, snapshotter: snapshotter,
                              registry: RegistryConfiguration(), layout: layout)
        try Self.pullBusybox(into: images, from: "\(registry)/\(busybox.repository)")
        let products = TestEnvironment.productsDirectory.path
        var runtimes = ContainerServiceOptions.discoverRuntimes(executableDirectory: products)
        if let crun = runtimes["crun"], PeerRuntimes.isHybridCgroupLayout {
            // crun 1.8 refuses systemd's hybrid cgroup layout; as for the peer tests, it runs in a
            // private mount namespace without /sys/fs/cgroup/unified (a daemon.json-style runtime entry).
            let wrapper = root + "/crun-hybrid"
            let script = "#!/bin/sh\nexec /usr/bin/unshare -m --propagation private /bin/sh -c 'umount /sys/fs/cgroup/unified && exec \"$@\"' sh \(crun.path) \"$@\"\n"
            try script.write(toFile: wrapper, atomically: false, encoding: .utf8)
            chmod(wrapper, 0o755)
            runtimes["crun"] = RuntimeCommand(path: wrapper)
        }
        options = ContainerServiceOptions(
            layout: layout, runtimes: runtimes,
            shimExecutable: products + "/swdock-shim",
            specDefaults: SpecDefaults(cgroupParent: cgroupParent, initBinary: products + "/swdock-init"),
            logOptions: logOptions)
        options.defaultDetachKeys = defaultDetachKeys
        if let networking {
            let made = try NetworkService(database: database, layout: layout, configuration: networking)
            networks = made
            options.network = made
            test.addTeardownBlock { [made] in try? made.teardownAll() }
        }
        service = try ContainerService(database: database, snapshotter: snapshotter, images: images, options: options,
                                       host: try HostFacts.current())
        test.addTeardownBlock { [self] in
            // Remove every container through the engine first (kills, unmounts, deletes snapshots).
            let loop = DispatchSemaphore(value: 0)
            Task {
                if let all = try? await self.service.list({ var o = ContainerListOptions(); o.all = true; return o }()) {
                    for info in all { try? await self.service.remove(info.id, force: true, volumes: false) }
                }
                if let server = self.server { await server.stop() }
                self.service.shutdown()
                loop.signal()
            }
            _ = loop.wait(timeout: .now() + 60)
        }
    }

    /// `<repository>:latest` (the busybox fixture in the harness's registry), pulled for real,
    /// also tagged `busybox:latest`.
    private static func pullBusybox(into images: ImageService, from repository: String) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Locked<(any Error)?>(nil)
        Task {
            do {
                _ = try await images.pull("\(repository):latest")
                try images.tag("\(repository):latest", repository: "busybox", tag: "latest")
            } catch { failure.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw FixtureError("pull \(repository):latest", "\(error)") }
    }

    /// As a daemon killed with -9 and started again: the old service stops watching (its
    /// containers keep running) and a new one is built on the same roots.
    func restartService() throws {
        service.shutdown()
        if let networking {
            networks?.shutdown()
            let made = try NetworkService(database: database, layout: layout, configuration: networking)
            networks = made
            options.network = made
        }
        service = try ContainerService(database: database, snapshotter: snapshotter, images: images, options: options,
                                       host: try HostFacts.current())
    }

    /// Serves the Engine API for `service` on `socketPath`.
    func startServer() async throws {
        let config = DaemonConfiguration()
        let identity = DaemonIdentity(engineID: "TEST:ENGINE", configuration: config)
        let router = SystemRoutes.router(system: CountsBackend(service: service), images: ImageServiceBackend(service: images),
                                         containers: service, events: service.events, volumes: service.volumes,
                                         networks: networks.map { NetworkServiceBackend(networks: $0, containers: service) },
                                         identity: identity)
        server = try await APIServer.start(socketPaths: [socketPath], router: router, socketGroup: "nonexistent-group",
                                           logger: Logger(label: "test"))
    }

    /// Stops serving (as a daemon that dies does); `startServer` serves again.
    func stopServer() async {
        if let server { await server.stop() }
        server = nil
    }

    /// Runs the real docker CLI against this rig's socket.
    func docker(_ arguments: [String], timeout: TimeInterval = 60) throws -> CommandResult {
        let config = root + "/docker-config"
        try? FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        return try runCommand("/usr/bin/env", ["DOCKER_HOST=\(dockerHost)", "DOCKER_CONFIG=\(config)", "/usr/local/bin/docker"] + arguments,
                              timeout: timeout)
    }

    /// Whether anything is mounted at or under `path`.
    func isMounted(_ path: String) -> Bool { !HostCleanup.mounts(under: path).isEmpty }
}

/// `/info` counts from the container service (images: the one fixture).
struct CountsBackend: SystemBackend {
    let service: ContainerService
    func systemCounts() async throws -> SystemCounts {
        let counts = try service.counts()
        return SystemCounts(containers: counts.containers, running: counts.running, paused: counts.paused,
                            stopped: counts.stopped, images: 1)
    }
}

/// Collects an output stream as (stdout, stderr) text.
func collect(_ output: ContainerOutput) async -> (String, String) {
    var out: [UInt8] = [], err: [UInt8] = []
    for await chunk in output.chunks {
        if chunk.stream == 2 { err += chunk.bytes } else { out += chunk.bytes }
    }
    return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
