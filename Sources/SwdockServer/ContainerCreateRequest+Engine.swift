import SwdockAPI
import SwdockEngine

/// The wire request mapped onto the engine's value types. It lives here, in the only layer
/// that sees both: SwdockAPI (wire types, shared with the client) must not depend on the
/// engine, and the engine must not depend on the API.
extension ContainerCreateRequest {
    /// The container part (Docker's `Config`); absent fields are Docker's zero values.
    public var engineConfiguration: ContainerConfiguration {
        ContainerConfiguration(
            hostname: hostname ?? "", domainname: domainname ?? "", user: user ?? "",
            attachStdin: attachStdin ?? false, attachStdout: attachStdout ?? false, attachStderr: attachStderr ?? false,
            exposedPorts: exposedPorts.map { $0.keys.sorted() }, tty: tty ?? false, openStdin: openStdin ?? false,
            stdinOnce: stdinOnce ?? false, env: env, cmd: cmd?.values, entrypoint: entrypoint?.values, image: image ?? "",
            volumes: volumes.map { $0.keys.sorted() }, workingDir: workingDir ?? "", labels: labels,
            stopSignal: stopSignal ?? "", stopTimeout: stopTimeout, networkDisabled: networkDisabled ?? false)
    }

    /// The endpoint settings (`NetworkingConfig`, `MacAddress`).
    public var engineNetworkRequest: ContainerNetworkRequest {
        var endpoints: [String: ContainerNetworkRequest.Endpoint] = [:]
        for (name, settings) in networkingConfig?.endpointsConfig ?? [:] {
            endpoints[name] = .init(aliases: settings?.aliases ?? [], ipv4Address: settings?.ipamConfig?.ipv4Address,
                                    macAddress: settings?.macAddress)
        }
        return ContainerNetworkRequest(endpoints: endpoints, macAddress: macAddress)
    }

    /// The host part (Docker's `HostConfig`); a request without one gets Docker's defaults.
    public var engineHostConfiguration: HostConfiguration {
        var result = SwdockEngine.HostConfiguration()
        guard let hc = hostConfig else { return result }
        result.binds = hc.binds ?? []
        result.mounts = (hc.mounts ?? []).map { mount in
            var request = SwdockEngine.HostConfiguration.MountRequest(
                type: mount.type ?? "", source: mount.source ?? "", target: mount.target ?? "",
                readOnly: mount.readOnly ?? false,
                bindOptions: mount.bindOptions.map {
                    .init(propagation: $0.propagation ?? "", nonRecursive: $0.nonRecursive ?? false,
                          createMountpoint: $0.createMountpoint ?? false)
                },
                tmpfsOptions: mount.tmpfsOptions.map {
                    .init(sizeBytes: $0.sizeBytes ?? 0, mode: $0.mode ?? 0, options: $0.options ?? [])
                },
                hasVolumeOptions: mount.volumeOptions != nil)
            request.volumeNoCopy = mount.volumeOptions?.noCopy ?? false
            return request
        }
        result.tmpfs = hc.tmpfs ?? [:]
        result.readonlyRootfs = hc.readonlyRootfs ?? false
        result.shmSize = hc.shmSize ?? 0
        result.memory = hc.memory ?? 0
        result.memoryReservation = hc.memoryReservation ?? 0
        result.memorySwap = hc.memorySwap ?? 0
        result.memorySwappiness = hc.memorySwappiness
        result.oomKillDisable = hc.oomKillDisable
        result.nanoCpus = hc.nanoCpus ?? 0
        result.cpuShares = hc.cpuShares ?? 0
        result.cpuPeriod = hc.cpuPeriod ?? 0
        result.cpuQuota = hc.cpuQuota ?? 0
        result.cpuRealtimePeriod = hc.cpuRealtimePeriod ?? 0
        result.cpuRealtimeRuntime = hc.cpuRealtimeRuntime ?? 0
        result.cpusetCpus = hc.cpusetCpus ?? ""
        result.cpusetMems = hc.cpusetMems ?? ""
        result.pidsLimit = hc.pidsLimit
        result.blkioWeight = hc.blkioWeight ?? 0
        result.ulimits = (hc.ulimits ?? []).map { .init(name: $0.name ?? "", soft: $0.soft ?? 0, hard: $0.hard ?? 0) }
        result.deviceCgroupRules = hc.deviceCgroupRules ?? []
        result.devices = (hc.devices ?? []).map {
            .init(pathOnHost: $0.pathOnHost ?? "", pathInContainer: $0.pathInContainer ?? "",
                  cgroupPermissions: $0.cgroupPermissions ?? "")
        }
        result.cgroupParent = hc.cgroupParent ?? ""
        result.privileged = hc.privileged ?? false
        result.capAdd = hc.capAdd?.values ?? []
        result.capDrop = hc.capDrop?.values ?? []
        result.groupAdd = hc.groupAdd ?? []
        result.securityOpt = hc.securityOpt ?? []
        result.sysctls = hc.sysctls ?? [:]
        result.oomScoreAdj = hc.oomScoreAdj ?? 0
        result.maskedPaths = hc.maskedPaths
        result.readonlyPaths = hc.readonlyPaths
        result.networkMode = hc.networkMode ?? ""
        if let size = hc.consoleSize, size.count == 2 { result.consoleSize = size }
        result.ipcMode = hc.ipcMode ?? ""
        result.pidMode = hc.pidMode ?? ""
        result.utsMode = hc.utsMode ?? ""
        result.usernsMode = hc.usernsMode ?? ""
        result.cgroupnsMode = hc.cgroupnsMode ?? ""
        result.dns = hc.dns ?? []
        result.dnsSearch = hc.dnsSearch ?? []
        result.dnsOptions = hc.dnsOptions ?? []
        result.extraHosts = hc.extraHosts ?? []
        result.portBindings = (hc.portBindings ?? [:]).mapValues { bindings in
            (bindings ?? []).map { SwdockEngine.HostConfiguration.PortBinding(hostIP: $0.hostIP ?? "", hostPort: $0.hostPort ?? "") }
        }
        result.publishAllPorts = hc.publishAllPorts ?? false
        result.initProcess = hc.initProcess
        result.runtime = hc.runtime ?? ""
        result.autoRemove = hc.autoRemove ?? false
        result.restartPolicy = .init(name: hc.restartPolicy?.name ?? "",
                                     maximumRetryCount: hc.restartPolicy?.maximumRetryCount ?? 0)
        result.logConfig = .init(type: hc.logConfig?.type ?? "", config: hc.logConfig?.config ?? [:])
        result.annotations = hc.annotations
        return result
    }
}
