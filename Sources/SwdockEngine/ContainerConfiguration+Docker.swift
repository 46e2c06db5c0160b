/// Docker's JSON shape of a container's `Config` and `HostConfig` (moby's `container.Config` and
/// `container.HostConfig`, every field present as dockerd's inspect writes it). The engine stores
/// these documents in the container record and the API shows them as they are in `inspect`, so
/// the shape is written down once, here.
struct DockerKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == DockerKey {
    /// The value of `key`, or `fallback` when it is absent or null (Go's zero values).
    func value<T: Decodable>(_ key: String, _ fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: DockerKey(key)) ?? fallback
    }
    func optional<T: Decodable>(_ key: String) throws -> T? {
        try decodeIfPresent(T.self, forKey: DockerKey(key))
    }
}

extension KeyedEncodingContainer where Key == DockerKey {
    /// Encodes `value` under `key`; nil is written as JSON null (Go's nil slices and maps).
    mutating func put<T: Encodable>(_ key: String, _ value: T?) throws {
        if let value { try encode(value, forKey: DockerKey(key)) } else { try encodeNil(forKey: DockerKey(key)) }
    }
}

/// An empty JSON object, for Docker's set-like maps (`ExposedPorts`, `Volumes`).
struct EmptyJSONObject: Codable, Equatable {
    init() {}
    init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: DockerKey.self) }
    func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: DockerKey.self) }
}

extension ContainerConfiguration: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init()
        hostname = try c.value("Hostname", "")
        domainname = try c.value("Domainname", "")
        user = try c.value("User", "")
        attachStdin = try c.value("AttachStdin", false)
        attachStdout = try c.value("AttachStdout", false)
        attachStderr = try c.value("AttachStderr", false)
        exposedPorts = (try c.optional("ExposedPorts") as [String: EmptyJSONObject]?).map { $0.keys.sorted() }
        tty = try c.value("Tty", false)
        openStdin = try c.value("OpenStdin", false)
        stdinOnce = try c.value("StdinOnce", false)
        env = try c.optional("Env")
        cmd = try c.optional("Cmd")
        image = try c.value("Image", "")
        volumes = (try c.optional("Volumes") as [String: EmptyJSONObject]?).map { $0.keys.sorted() }
        workingDir = try c.value("WorkingDir", "")
        entrypoint = try c.optional("Entrypoint")
        labels = try c.optional("Labels")
        stopSignal = try c.value("StopSignal", "")
        stopTimeout = try c.optional("StopTimeout")
        networkDisabled = try c.value("NetworkDisabled", false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        try c.put("Hostname", hostname)
        try c.put("Domainname", domainname)
        try c.put("User", user)
        try c.put("AttachStdin", attachStdin)
        try c.put("AttachStdout", attachStdout)
        try c.put("AttachStderr", attachStderr)
        if let exposedPorts, !exposedPorts.isEmpty {
            try c.put("ExposedPorts", Dictionary(uniqueKeysWithValues: exposedPorts.map { ($0, EmptyJSONObject()) }))
        }
        try c.put("Tty", tty)
        try c.put("OpenStdin", openStdin)
        try c.put("StdinOnce", stdinOnce)
        try c.put("Env", env)
        try c.put("Cmd", cmd)
        try c.put("Image", image)
        try c.put("Volumes", volumes.map { Dictionary(uniqueKeysWithValues: $0.map { ($0, EmptyJSONObject()) }) })
        try c.put("WorkingDir", workingDir)
        try c.put("Entrypoint", entrypoint)
        try c.put("OnBuild", nil as [String]?)
        try c.put("Labels", labels ?? [:])
        if networkDisabled { try c.put("NetworkDisabled", true) }
        if !stopSignal.isEmpty { try c.put("StopSignal", stopSignal) }
        if let stopTimeout { try c.put("StopTimeout", stopTimeout) }
    }
}

extension HostConfiguration: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init()
        binds = try c.value("Binds", [])
        mounts = try c.value("Mounts", [])
        tmpfs = try c.value("Tmpfs", [:])
        readonlyRootfs = try c.value("ReadonlyRootfs", false)
        shmSize = try c.value("ShmSize", 0)
        memory = try c.value("Memory", 0)
        memoryReservation = try c.value("MemoryReservation", 0)
        memorySwap = try c.value("MemorySwap", 0)
        memorySwappiness = try c.optional("MemorySwappiness")
        oomKillDisable = try c.optional("OomKillDisable")
        nanoCpus = try c.value("NanoCpus", 0)
        cpuShares = try c.value("CpuShares", 0)
        cpuPeriod = try c.value("CpuPeriod", 0)
        cpuQuota = try c.value("CpuQuota", 0)
        cpuRealtimePeriod = try c.value("CpuRealtimePeriod", 0)
        cpuRealtimeRuntime = try c.value("CpuRealtimeRuntime", 0)
        cpusetCpus = try c.value("CpusetCpus", "")
        cpusetMems = try c.value("CpusetMems", "")
        pidsLimit = try c.optional("PidsLimit")
        blkioWeight = try c.value("BlkioWeight", 0)
        ulimits = try c.value("Ulimits", [])
        deviceCgroupRules = try c.value("DeviceCgroupRules", [])
        devices = try c.value("Devices", [])
        cgroupParent = try c.value("CgroupParent", "")
        privileged = try c.value("Privileged", false)
        capAdd = try c.value("CapAdd", [])
        capDrop = try c.value("CapDrop", [])
        groupAdd = try c.value("GroupAdd", [])
        securityOpt = try c.value("SecurityOpt", [])
        sysctls = try c.value("Sysctls", [:])
        oomScoreAdj = try c.value("OomScoreAdj", 0)
        maskedPaths = try c.optional("MaskedPaths")
        readonlyPaths = try c.optional("ReadonlyPaths")
        networkMode = try c.value("NetworkMode", "")
        ipcMode = try c.value("IpcMode", "")
        pidMode = try c.value("PidMode", "")
        utsMode = try c.value("UTSMode", "")
        usernsMode = try c.value("UsernsMode", "")
        cgroupnsMode = try c.value("CgroupnsMode", "")
        dns = try c.value("Dns", [])
        dnsSearch = try c.value("DnsSearch", [])
        dnsOptions = try c.value("DnsOptions", [])
        extraHosts = try c.value("ExtraHosts", [])
        portBindings = (try c.optional("PortBindings") as [String: [PortBinding]?]?)?.mapValues { $0 ?? [] } ?? [:]
        publishAllPorts = try c.value("PublishAllPorts", false)
        initProcess = try c.optional("Init")
        runtime = try c.value("Runtime", "")
        consoleSize = try c.value("ConsoleSize", [UInt(0), UInt(0)])
        autoRemove = try c.value("AutoRemove", false)
        restartPolicy = try c.value("RestartPolicy", RestartPolicy())
        logConfig = try c.value("LogConfig", LogConfig())
        annotations = try c.optional("Annotations")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        // Go's nil slices are null, empty ones []: Docker shows null for what was not given.
        func list<T>(_ value: [T]) -> [T]? { value.isEmpty ? nil : value }
        try c.put("Binds", list(binds))
        try c.put("ContainerIDFile", "")
        try c.put("LogConfig", logConfig)
        try c.put("NetworkMode", networkMode)
        try c.put("PortBindings", portBindings)
        try c.put("RestartPolicy", restartPolicy)
        try c.put("AutoRemove", autoRemove)
        try c.put("VolumeDriver", "")
        try c.put("VolumesFrom", nil as [String]?)
        try c.put("CapAdd", list(capAdd))
        try c.put("CapDrop", list(capDrop))
        try c.put("CgroupnsMode", cgroupnsMode)
        try c.put("Dns", dns)
        try c.put("DnsOptions", dnsOptions)
        try c.put("DnsSearch", dnsSearch)
        try c.put("ExtraHosts", list(extraHosts))
        try c.put("GroupAdd", list(groupAdd))
        try c.put("IpcMode", ipcMode)
        try c.put("Cgroup", "")
        try c.put("Links", nil as [String]?)
        try c.put("OomScoreAdj", oomScoreAdj)
        try c.put("PidMode", pidMode)
        try c.put("Privileged", privileged)
        try c.put("PublishAllPorts", publishAllPorts)
        try c.put("ReadonlyRootfs", readonlyRootfs)
        try c.put("SecurityOpt", list(securityOpt))
        if !tmpfs.isEmpty { try c.put("Tmpfs", tmpfs) }
        try c.put("UTSMode", utsMode)
        try c.put("UsernsMode", usernsMode)
        try c.put("ShmSize", shmSize)
        if !sysctls.isEmpty { try c.put("Sysctls", sysctls) }
        try c.put("Runtime", runtime)
        try c.put("ConsoleSize", consoleSize)
        try c.put("Isolation", "")
        try c.put("CpuShares", cpuShares)
        try c.put("Memory", memory)
        try c.put("NanoCpus", nanoCpus)
        try c.put("CgroupParent", cgroupParent)
        try c.put("BlkioWeight", blkioWeight)
        try c.put("BlkioWeightDevice", [String]())
        try c.put("BlkioDeviceReadBps", nil as [String]?)
        try c.put("BlkioDeviceWriteBps", nil as [String]?)
        try c.put("BlkioDeviceReadIOps", nil as [String]?)
        try c.put("BlkioDeviceWriteIOps", nil as [String]?)
        try c.put("CpuPeriod", cpuPeriod)
        try c.put("CpuQuota", cpuQuota)
        try c.put("CpuRealtimePeriod", cpuRealtimePeriod)
        try c.put("CpuRealtimeRuntime", cpuRealtimeRuntime)
        try c.put("CpusetCpus", cpusetCpus)
        try c.put("CpusetMems", cpusetMems)
        try c.put("Devices", devices)
        try c.put("DeviceCgroupRules", list(deviceCgroupRules))
        try c.put("DeviceRequests", nil as [String]?)
        try c.put("KernelMemory", 0)
        try c.put("KernelMemoryTCP", 0)
        try c.put("MemoryReservation", memoryReservation)
        try c.put("MemorySwap", memorySwap)
        try c.put("MemorySwappiness", memorySwappiness)
        try c.put("OomKillDisable", oomKillDisable ?? false)
        try c.put("PidsLimit", pidsLimit)
        try c.put("Ulimits", list(ulimits))
        try c.put("CpuCount", 0)
        try c.put("CpuPercent", 0)
        try c.put("IOMaximumIOps", 0)
        try c.put("IOMaximumBandwidth", 0)
        if !mounts.isEmpty { try c.put("Mounts", mounts) }
        if let initProcess { try c.put("Init", initProcess) }
        if let annotations { try c.put("Annotations", annotations) }
        try c.put("MaskedPaths", maskedPaths)
        try c.put("ReadonlyPaths", readonlyPaths)
    }
}

extension HostConfiguration.RestartPolicy: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init(name: try c.value("Name", ""), maximumRetryCount: try c.value("MaximumRetryCount", 0))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        try c.put("Name", name.isEmpty ? "no" : name)
        try c.put("MaximumRetryCount", maximumRetryCount)
    }
}

extension HostConfiguration.LogConfig: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init(type: try c.value("Type", ""), config: try c.value("Config", [:]))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        try c.put("Type", type)
        try c.put("Config", config)
    }
}

extension HostConfiguration.Ulimit: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init(name: try c.value("Name", ""), soft: try c.value("Soft", 0), hard: try c.value("Hard", 0))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        try c.put("Name", name)
        try c.put("Hard", hard)
        try c.put("Soft", soft)
    }
}

extension HostConfiguration.DeviceMapping: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init(pathOnHost: try c.value("PathOnHost", ""), pathInContainer: try c.value("PathInContainer", ""),
                  cgroupPermissions: try c.value("CgroupPermissions", ""))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        try c.put("PathOnHost", pathOnHost)
        try c.put("PathInContainer", pathInContainer)
        try c.put("CgroupPermissions", cgroupPermissions)
    }
}

extension HostConfiguration.MountRequest: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: DockerKey.self)
        self.init(type: try c.value("Type", ""), source: try c.value("Source", ""), target: try c.value("Target", ""),
                  readOnly: try c.value("ReadOnly", false))
        if let bind = try c.optional("BindOptions") as [String: JSONScalar]? {
            bindOptions = .init(propagation: bind["Propagation"]?.string ?? "", nonRecursive: bind["NonRecursive"]?.bool ?? false,
                                createMountpoint: bind["CreateMountpoint"]?.bool ?? false)
        }
        if let tmpfs = try c.optional("TmpfsOptions") as TmpfsWire? {
            tmpfsOptions = .init(sizeBytes: tmpfs.SizeBytes ?? 0, mode: tmpfs.Mode ?? 0, options: tmpfs.Options ?? [])
        }
        hasVolumeOptions = try c.decodeIfPresent(EmptyJSONObjectOrAny.self, forKey: DockerKey("VolumeOptions")) != nil
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DockerKey.self)
        try c.put("Type", type)
        if !source.isEmpty { try c.put("Source", source) }
        try c.put("Target", target)
        if readOnly { try c.put("ReadOnly", true) }
        if let bindOptions {
            var b: [String: JSONScalar] = [:]
            if !bindOptions.propagation.isEmpty { b["Propagation"] = .string(bindOptions.propagation) }
            if bindOptions.nonRecursive { b["NonRecursive"] = .bool(true) }
            if bindOptions.createMountpoint { b["CreateMountpoint"] = .bool(true) }
            try c.put("BindOptions", b)
        }
        if let tmpfsOptions {
            try c.put("TmpfsOptions", TmpfsWire(SizeBytes: tmpfsOptions.sizeBytes == 0 ? nil : tmpfsOptions.sizeBytes,
                                                Mode: tmpfsOptions.mode == 0 ? nil : tmpfsOptions.mode,
                                                Options: tmpfsOptions.options.isEmpty ? nil : tmpfsOptions.options))
        }
    }

    private struct TmpfsWire: Codable { var SizeBytes: Int64?; var Mode: UInt32?; var Options: [[String]]? }
}

/// A string or a boolean, for the few loosely typed maps of Docker's mount options.
enum JSONScalar: Codable, Equatable {
    case string(String), bool(Bool)
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) } else { self = .string(try c.decode(String.self)) }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .bool(let b): try c.encode(b)
        }
    }
}

/// Any JSON value, skipped (only its presence matters).
struct EmptyJSONObjectOrAny: Decodable {
    init(from decoder: any Decoder) throws {}
}
