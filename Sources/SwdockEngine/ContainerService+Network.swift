import SwdockOS

/// The container side's few calls into `NetworkService` (create, start, exit, remove, recovery).
/// Without a network service (tests of the container side alone) the default network is
/// `none` and only `none` and `host` exist, as before networking was wired in.
extension ContainerService {
    var network: NetworkService? { options.network }

    /// At create: resolves the mode (`default` → the bridge) and returns the namespace path the
    /// spec joins, plus the endpoints to record once the container exists.
    func planNetwork(_ id: String, hostConfig: inout HostConfiguration,
                     request: ContainerNetworkRequest) throws(EngineError) -> ContainerNetworkPlan? {
        guard let network else {
            if ["", "default", "bridge"].contains(hostConfig.networkMode) { hostConfig.networkMode = "none" }
            switch hostConfig.networkMode {
            case "none", "host": return nil
            case let mode where mode.hasPrefix("container:"):
                throw EngineError(.notSupported, "--network \(mode): joining another container's network without networking set up")
            default:
                throw EngineError(.notSupported, "network \"\(hostConfig.networkMode)\": this engine runs without networking (only none and host)")
            }
        }
        return try network.plan(containerID: id, hostConfig: &hostConfig, request: request) { ref throws(EngineError) in
            try resolve(ref).id
        }
    }

    /// The namespace path a container's spec joins (nil: the runtime makes one, or host).
    func networkNamespacePath(_ id: String, hostConfig: HostConfiguration) -> String? {
        guard let network else { return nil }
        switch ContainerNetworkMode(hostConfig.networkMode) {
        case .host: return nil
        case .container(let target): return network.namespacePath(target)
        case .own: return network.namespacePath(id)
        }
    }

    /// At start, before the runtime creates the container.
    func connectNetwork(_ container: Loaded) throws(EngineError) {
        try network?.connect(containerID: container.id, name: container.record.name, config: container.document.Config,
                             hostConfig: container.document.HostConfig, containerDirectory: layout.containerDirectory(container.id))
    }

    /// At exit (and after a failed start): ports, addresses and the namespace are given back.
    func disconnectNetwork(_ id: String) { network?.disconnectAll(containerID: id) }

    /// At remove: also the container's endpoint records.
    func forgetNetwork(_ id: String) { network?.forget(containerID: id) }

    /// Inspect's NetworkSettings.
    func networkInfo(_ container: Loaded) -> ContainerNetworkInfo? {
        network?.containerInfo(container.id, name: container.record.name, hostConfig: container.document.HostConfig,
                               config: container.document.Config)
    }
}

extension ContainerService {
    /// `POST /networks/{id}/connect` for container `ref`.
    public func connectNetwork(_ network: String, container ref: String, endpoint: ContainerNetworkRequest.Endpoint) async throws {
        try await offload { [self] in
            guard let service = self.network else { throw EngineError(.notSupported, "networks: this engine runs without networking") }
            let container = try resolve(ref)
            try withContainerLock(container.id) {
                let state = try reload(container.id)?.state.Status
                try service.connect(network: network, containerID: container.id, running: state == .running || state == .paused,
                                    config: container.document.Config, hostConfig: container.document.HostConfig, endpoint: endpoint)
            }
        }
    }

    /// `POST /networks/{id}/disconnect` for container `ref`.
    public func disconnectNetwork(_ network: String, container ref: String) async throws {
        try await offload { [self] in
            guard let service = self.network else { throw EngineError(.notSupported, "networks: this engine runs without networking") }
            let container = try resolve(ref)
            try withContainerLock(container.id) { try service.disconnect(network: network, containerID: container.id) }
        }
    }
}
