#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockMetadata
import SwdockNetwork
import SwdockOS

/// How a container is networked, from its NetworkMode.
enum ContainerNetworkMode: Equatable {
    /// Its own namespace on these networks (none: only `lo`).
    case own
    case host
    /// Another container's namespace.
    case container(String)

    init(_ mode: String) {
        if mode == "host" { self = .host } else if mode.hasPrefix("container:") { self = .container(String(mode.dropFirst(10))) } else { self = .own }
    }
}

/// What `create` decided about a container's networks, recorded once the container exists.
struct ContainerNetworkPlan {
    /// `linux.namespaces[network].path`; nil with the host network.
    var namespacePath: String?
    var endpoints: [(networkID: String, document: EndpointDocument)]
}

extension NetworkService {
    // MARK: create

    /// Checks the request's network mode and endpoints and picks the namespace path the spec
    /// joins. `default`/empty is the default bridge; `container:X` resolves X to its ID.
    func plan(containerID: String, hostConfig: inout HostConfiguration, request: ContainerNetworkRequest,
              resolveContainer: (String) throws(EngineError) -> String) throws(EngineError) -> ContainerNetworkPlan {
        let mode = hostConfig.networkMode
        if mode.isEmpty { hostConfig.networkMode = "default" }
        switch ContainerNetworkMode(hostConfig.networkMode) {
        case .host:
            if !hostConfig.portBindings.isEmpty || hostConfig.publishAllPorts {
                // Docker ignores them with a warning; keep the request as given.
            }
            return ContainerNetworkPlan(namespacePath: nil, endpoints: [])
        case .container(let ref):
            let target = try resolveContainer(ref)
            guard target != containerID else { throw EngineError(.invalidArgument, "cannot join own network") }
            hostConfig.networkMode = "container:" + target
            return ContainerNetworkPlan(namespacePath: namespacePath(target), endpoints: [])
        case .own:
            break
        }
        if hostConfig.networkMode == "none" {
            return ContainerNetworkPlan(namespacePath: namespacePath(containerID), endpoints: [])
        }
        let name = hostConfig.networkMode == "default" ? "bridge" : hostConfig.networkMode
        let network = try network(name)
        guard network.document.Driver == "bridge" else {
            throw EngineError(.invalidArgument, "container cannot be connected to network \(network.name) with driver \(network.document.Driver)")
        }
        let given = request.endpoints[network.name] ?? request.endpoints[hostConfig.networkMode] ?? request.endpoints["default"]
        var document = EndpointDocument()
        document.Aliases = given?.aliases ?? []
        document.RequestedMAC = given?.macAddress ?? request.macAddress
        if let mac = document.RequestedMAC, !mac.isEmpty, MACAddress(mac) == nil {
            throw EngineError(.invalidArgument, "invalid MAC address: \(mac)")
        }
        if let ip = given?.ipv4Address, !ip.isEmpty {
            guard !network.document.Predefined else {
                throw EngineError(.invalidArgument, "user specified IP address is supported on user defined networks only")
            }
            guard let address = IPv4Subnet.parseAddress(ip) else { throw EngineError(.invalidArgument, "invalid IPv4 address: \(ip)") }
            let config = try bridgeConfiguration(network)
            guard config.subnet.hostRange.contains(address) else {
                throw EngineError(.invalidArgument, "no configured subnet or ip-range contain the IP address \(ip)")
            }
            document.RequestedIPv4 = ip
        }
        try Self.checkPorts(hostConfig)
        return ContainerNetworkPlan(namespacePath: namespacePath(containerID), endpoints: [(network.id, document)])
    }

    /// Records the planned endpoints of a container that now exists.
    func record(containerID: String, plan: ContainerNetworkPlan) throws(EngineError) {
        var rows: [NetworkEndpointRecord] = []
        for endpoint in plan.endpoints {
            rows.append(NetworkEndpointRecord(containerID: containerID, networkID: endpoint.networkID,
                                              config: try ContainerService.encode(endpoint.document)))
        }
        try write("record the network endpoints of container \(containerID)") { connection in
            for row in rows { try connection.putEndpoint(row) }
        }
    }

    // MARK: start

    /// Everything a container needs before its process runs: its namespace (only `lo` for
    /// none), one veth and address per network, published ports, and /etc/hosts with its
    /// address. Undone completely when a step fails.
    func connect(containerID id: String, name: String, config: ContainerConfiguration, hostConfig: HostConfiguration,
                 containerDirectory: String) throws(EngineError) {
        lock.lock()
        defer { lock.unlock() }
        switch ContainerNetworkMode(hostConfig.networkMode) {
        case .host: return
        case .container(let target):
            guard FileSystem.exists(namespacePath(target)) else {
                throw EngineError(.conflict, "cannot join network of a non running container: \(target)")
            }
            // It shares the target's namespace, and so its embedded DNS server: the target's resolv.conf, as Docker gives it.
            if dns.isServing(target) { try copyResolvConf(from: target, to: id, containerDirectory: containerDirectory) }
            return
        case .own: break
        }
        do {
            try connectLocked(id, name: name, config: config, hostConfig: hostConfig, containerDirectory: containerDirectory)
        } catch {
            disconnectAll(containerID: id)
            throw error
        }
    }

    private func connectLocked(_ id: String, name: String, config: ContainerConfiguration, hostConfig: HostConfiguration,
                               containerDirectory: String) throws(EngineError) {
        let namespace = try freshNamespace(id)
        do {
            try RouteNetlink(namespace: namespace).setUp("lo")
        } catch { throw Self.networkError("bring up lo of container \(id)", error) }
        let rows = try read("read the network endpoints of container \(id)") { try $0.endpoints(containerID: id) }
        var firstAddress: String?
        for (index, row) in rows.enumerated() {
            let network = try network(row.networkID)
            var document = try ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint of \(id) on \(network.name)")
            let interface = "eth\(index)"
            try attach(id, network: network, document: &document, namespace: namespace, interface: interface, defaultRoute: index == 0)
            if index == 0 {
                document.Ports = try publish(id, network: network, document: document, config: config, hostConfig: hostConfig)
            }
            let text = try ContainerService.encode(document)
            try write("record endpoint of container \(id) on \(network.name)") {
                try $0.putEndpoint(NetworkEndpointRecord(containerID: id, networkID: network.id, config: text))
            }
            if firstAddress == nil { firstAddress = document.Address.map(IPv4Subnet.format) }
        }
        try writeHosts(id, config: config, hostConfig: hostConfig, address: firstAddress, containerDirectory: containerDirectory)
        try startEmbeddedDNS(id, hostConfig: hostConfig)
        _ = name
    }

    /// A new namespace at the container's path (one a crash left there is replaced).
    func freshNamespace(_ id: String) throws(EngineError) -> NetworkNamespace {
        let path = namespacePath(id)
        do {
            if FileSystem.exists(path) { try NetworkNamespace(path: path).delete() }
            return try NetworkNamespace.create(named: id, in: netnsDirectory)
        } catch { throw Self.networkError("create the network namespace of container \(id)", error) }
    }

    /// Leases an address (the requested one, else the next free) and plugs the namespace into the bridge.
    func attach(_ id: String, network: Network, document: inout EndpointDocument, namespace: NetworkNamespace,
                interface: String, defaultRoute: Bool) throws(EngineError) {
        let allocator = try allocator(network)
        let requested = document.RequestedIPv4.flatMap(IPv4Subnet.parseAddress)
        let address: UInt32
        do { address = try allocator.allocate(owner: id, requested: requested) } catch {
            if error.code == .conflict, let ip = document.RequestedIPv4 {
                throw EngineError(.conflict, "Address already in use: \(ip) on network \(network.name)", cause: error)
            }
            throw Self.networkError("allocate an address on network \(network.name) for container \(id)", error)
        }
        let endpointID = ContainerService.generateID()
        do {
            let bridge = try bridge(network)
            let attachment = try bridge.attach(endpointID: endpointID, namespace: namespace, address: address,
                                               mac: document.RequestedMAC.flatMap { MACAddress($0) }, interface: interface,
                                               defaultRoute: defaultRoute)
            document.EndpointID = endpointID
            document.Address = address
            document.MAC = attachment.mac.description
            document.HostInterface = attachment.hostInterface
            document.Interface = interface
        } catch {
            try? allocator.release(address)
            if let error = error as? NetworkError { throw Self.networkError("attach container \(id) to network \(network.name)", error) }
            throw error as? EngineError ?? EngineError(.system, "attach container \(id) to network \(network.name)", cause: DescribedError(error))
        }
    }

    /// Reserves the host ports of PortBindings (and, with PublishAllPorts, an ephemeral one for
    /// every exposed port) and adds the DNAT map elements, in one firewall transaction.
    func publish(_ id: String, network: Network, document: EndpointDocument, config: ContainerConfiguration,
                 hostConfig: HostConfiguration) throws(EngineError) -> [PublishedPort] {
        guard let address = document.Address else { return [] }
        var wanted: [(proto: TransportProtocol, containerPort: UInt16, hostIP: String, hostPorts: ClosedRange<UInt16>)] = []
        for (key, bindings) in hostConfig.portBindings.sorted(by: { $0.key < $1.key }) {
            let (port, proto) = try Self.parsePortKey(key)
            for binding in bindings.isEmpty ? [HostConfiguration.PortBinding()] : bindings {
                wanted.append((proto, port, binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP, try Self.parseHostPorts(binding.hostPort)))
            }
        }
        if hostConfig.publishAllPorts {
            for key in config.exposedPorts ?? [] where hostConfig.portBindings[key] == nil {
                let (port, proto) = try Self.parsePortKey(key)
                wanted.append((proto, port, "0.0.0.0", 0...0))
            }
        }
        guard !wanted.isEmpty else { return [] }
        var held: [PortReservation] = []
        var mappings: [PortMapping] = []
        var published: [PublishedPort] = []
        for want in wanted {
            guard let hostIP = IPv4Subnet.parseAddress(want.hostIP) else {
                throw EngineError(.invalidArgument, "invalid IP address in port binding: \(want.hostIP)")
            }
            let ip: UInt32? = hostIP == 0 ? nil : hostIP
            var reservation: PortReservation?
            var lastError: NetworkError?
            for port in want.hostPorts {
                do { reservation = try PortReservation.reserve(want.proto, hostIP: ip, port: port); break } catch { lastError = error }
            }
            guard let reservation else {
                for r in held { r.release() }
                let shown = want.hostPorts.count == 1 ? "\(want.hostPorts.lowerBound)" : "\(want.hostPorts.lowerBound)-\(want.hostPorts.upperBound)"
                if lastError?.code == .conflict {
                    throw EngineError(.conflict, "driver failed programming external connectivity on endpoint \(id.prefix(12)): Bind for \(want.hostIP):\(shown) failed: port is already allocated")
                }
                throw EngineError(.system, "publish port \(want.hostIP):\(shown) of container \(id)", cause: lastError)
            }
            held.append(reservation)
            mappings.append(PortMapping(proto: want.proto, hostIP: ip, hostPort: reservation.port, containerAddress: address,
                                        containerPort: want.containerPort))
            published.append(PublishedPort(proto: want.proto.rawValue, containerPort: want.containerPort, hostIP: want.hostIP,
                                           hostPort: reservation.port))
        }
        do { try bridge(network).publish(mappings) } catch {
            for r in held { r.release() }
            if let error = error as? NetworkError { throw Self.networkError("publish the ports of container \(id)", error) }
            throw error as? EngineError ?? EngineError(.system, "publish the ports of container \(id)", cause: DescribedError(error))
        }
        reservations[id, default: []].append(contentsOf: held)
        return published
    }

    static func checkPorts(_ hostConfig: HostConfiguration) throws(EngineError) {
        for (key, bindings) in hostConfig.portBindings {
            _ = try parsePortKey(key)
            for binding in bindings { _ = try parseHostPorts(binding.hostPort) }
        }
    }

    /// `80/tcp` → (80, tcp).
    static func parsePortKey(_ key: String) throws(EngineError) -> (UInt16, TransportProtocol) {
        let parts = key.split(separator: "/", maxSplits: 1)
        let protoText = parts.count == 2 ? String(parts[1]) : "tcp"
        guard let port = UInt16(parts.first ?? ""), port > 0 else { throw EngineError(.invalidArgument, "invalid containerPort: \(key)") }
        guard let proto = TransportProtocol(rawValue: protoText) else {
            throw EngineError(protoText == "sctp" ? .notSupported : .invalidArgument, "invalid proto: \(protoText)")
        }
        return (port, proto)
    }

    /// `""` → ephemeral, `8080`, `8000-8010` (the first free of the range, as Docker does).
    static func parseHostPorts(_ text: String) throws(EngineError) -> ClosedRange<UInt16> {
        if text.isEmpty { return 0...0 }
        let bounds = text.split(separator: "-", maxSplits: 1).map { UInt16($0) }
        guard let low = bounds.first ?? nil, let high = bounds.count == 2 ? bounds[1] : low, low <= high else {
            throw EngineError(.invalidArgument, "invalid hostPort: \(text)")
        }
        return low...high
    }

    /// /etc/hosts with the container's address (the create-time file had none).
    func writeHosts(_ id: String, config: ContainerConfiguration, hostConfig: HostConfiguration, address: String?,
                    containerDirectory: String) throws(EngineError) {
        let text = try NetworkFiles.hosts(hostname: config.hostname, domainname: config.domainname, ipAddress: address,
                                          extraHosts: hostConfig.extraHosts)
        do { try FileSystem.writeAtomically(containerDirectory + "/hosts", Array(text.utf8), mode: 0o644, durable: false) } catch {
            throw EngineError(.system, "write hosts of container \(id)", cause: error)
        }
    }

    // MARK: exit and remove

    /// Unplugs a container that stopped: unpublishes its ports, gives them and its addresses
    /// back, deletes its namespace (the kernel removes its veths with it). Idempotent.
    func disconnectAll(containerID id: String) {
        lock.lock()
        defer { lock.unlock() }
        // First: the server's sockets hold the namespace.
        let served = dns.isServing(id)
        if served { dns.stop(id) }
        dnsSettings[id] = nil
        for reservation in reservations.removeValue(forKey: id) ?? [] { reservation.release() }
        let rows = (try? read("read endpoints") { try $0.endpoints(containerID: id) }) ?? []
        var leftNamedNetwork = false
        for row in rows {
            guard var document = try? ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint"), document.isActive,
                  let network = try? network(row.networkID) else { continue }
            if Self.hasEmbeddedDNS(network) { leftNamedNetwork = true }
            // The namespace goes below and takes the veth with it: deleting the veth first would
            // cost a second synchronous teardown in the kernel (see "remove by netns" above).
            deactivate(id, network: network, document: &document, deleteVeth: false)
            if let text = try? ContainerService.encode(document) {
                _ = try? write("clear endpoint") { try $0.putEndpoint(NetworkEndpointRecord(containerID: id, networkID: row.networkID, config: text)) }
            }
        }
        try? NetworkNamespace(path: namespacePath(id)).delete()
        // The others on its networks stop resolving it.
        if served || leftNamedNetwork { refreshEmbeddedDNS() }
    }

    /// Unpublishes, deletes the veth and releases the lease of one active endpoint.
    func deactivate(_ id: String, network: Network, document: inout EndpointDocument, deleteVeth: Bool = true) {
        if let address = document.Address {
            if let bridge = try? bridge(network) {
                let mappings = document.Ports.compactMap { port -> PortMapping? in
                    guard let proto = TransportProtocol(rawValue: port.proto) else { return nil }
                    let ip = IPv4Subnet.parseAddress(port.hostIP).flatMap { $0 == 0 ? nil : $0 }
                    return PortMapping(proto: proto, hostIP: ip, hostPort: port.hostPort, containerAddress: address, containerPort: port.containerPort)
                }
                if !mappings.isEmpty { try? bridge.unpublish(mappings) }
                if deleteVeth, let name = document.HostInterface { try? netlink.deleteLink(name) }
            }
            try? allocator(network).release(address)
        }
        document.Address = nil
        document.MAC = nil
        document.EndpointID = nil
        document.HostInterface = nil
        document.Interface = nil
        document.Ports = []
    }

    /// At remove: unplugs and forgets the container's endpoints.
    func forget(containerID id: String) {
        disconnectAll(containerID: id)
        _ = try? write("remove the endpoints of container \(id)") { try $0.deleteEndpoints(containerID: id) }
    }

    // MARK: inspect

    /// The networking inspect shows for a container.
    func containerInfo(_ id: String, name: String, hostConfig: HostConfiguration, config: ContainerConfiguration) -> ContainerNetworkInfo {
        var info = ContainerNetworkInfo(sandboxKey: "", endpoints: [:], ports: [:])
        let rows = (try? read("read endpoints") { try $0.endpoints(containerID: id) }) ?? []
        var active = false
        for row in rows {
            guard let document = try? ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint"),
                  let network = try? network(row.networkID) else { continue }
            info.endpoints[network.name] = endpointInfo(network: network, containerName: name, document: document)
            if document.isActive {
                active = true
                for port in document.Ports { info.ports["\(port.containerPort)/\(port.proto)", default: []].append(port) }
            }
        }
        if active || (hostConfig.networkMode == "none" && FileSystem.exists(namespacePath(id))) {
            info.sandboxKey = namespacePath(id)
        }
        if active {
            for key in config.exposedPorts ?? [] where info.ports[key] == nil { info.ports[key] = [] }
        }
        return info
    }

    func endpointInfo(network: Network, containerName: String, document: EndpointDocument) -> EndpointInfo {
        let config = try? bridgeConfiguration(network)
        return EndpointInfo(networkID: network.id, networkName: network.name, containerName: containerName,
                            endpointID: document.EndpointID ?? "",
                            ipAddress: document.Address.map(IPv4Subnet.format) ?? "",
                            prefixLength: document.isActive ? (config?.subnet.prefixLength ?? 0) : 0,
                            gateway: document.isActive ? (config.map { IPv4Subnet.format($0.gateway) } ?? "") : "",
                            macAddress: document.MAC ?? "", aliases: document.Aliases, requestedIPv4: document.RequestedIPv4)
    }
}
