import SwdockMetadata
import SwdockNetwork
import SwdockOS

extension NetworkService {
    /// Every network with its running containers' endpoints.
    public func list() throws(EngineError) -> [NetworkInfo] {
        var result: [NetworkInfo] = []
        for network in try allNetworks() { result.append(try info(network)) }
        return result
    }

    /// One network by ID, name or unique ID prefix.
    public func inspect(_ ref: String) throws(EngineError) -> NetworkInfo { try info(try network(ref)) }

    func info(_ network: Network) throws(EngineError) -> NetworkInfo {
        let rows = try read("read the endpoints of network \(network.name)") { try $0.endpoints(networkID: network.id) }
        var endpoints: [String: EndpointInfo] = [:]
        for row in rows {
            guard let document = try? ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint"), document.isActive else { continue }
            let name = (try? read("read container") { try $0.container(id: row.containerID)?.name }) ?? nil
            endpoints[row.containerID] = endpointInfo(network: network, containerName: String((name ?? "").drop { $0 == "/" }), document: document)
        }
        let created = network.record.createdNanoseconds
        return NetworkInfo(id: network.id, name: network.name,
                           created: Timestamp(seconds: created / 1_000_000_000, nanoseconds: Int32(created % 1_000_000_000)),
                           document: network.document, endpoints: endpoints)
    }

    /// `POST /networks/create`: a user-defined bridge network (its bridge is made on first use).
    public func create(_ options: NetworkCreateOptions) throws(EngineError) -> (id: String, warning: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !options.name.isEmpty else { throw EngineError(.invalidArgument, "network name must not be empty") }
        if Self.predefinedNames.contains(options.name) {
            throw EngineError(.invalidArgument, "\(options.name) is a pre-defined network and cannot be created")
        }
        let driver = options.driver.isEmpty ? "bridge" : options.driver
        guard driver == "bridge" else { throw EngineError(.notSupported, "network driver \(driver): only bridge networks") }
        let existing = try allNetworks()
        if existing.contains(where: { $0.name == options.name }) {
            throw EngineError(.conflict, "network with name \(options.name) already exists")
        }
        let taken = existing.compactMap { $0.document.Subnet.flatMap { IPv4Subnet($0) } }
        let subnet: IPv4Subnet
        if let text = options.subnet {
            guard let given = IPv4Subnet(text) else { throw EngineError(.invalidArgument, "invalid subnet \(text) : invalid CIDR address: \(text)") }
            if let clash = existing.first(where: { $0.document.Subnet.flatMap { IPv4Subnet($0) }?.overlaps(given) ?? false }) {
                throw EngineError(.conflict, "Pool overlaps with other one on this address space (network \(clash.name))")
            }
            subnet = given
        } else {
            do { subnet = try SubnetSelector.select(from: configuration.pools, inUse: taken, netlink: netlink) } catch {
                throw EngineError(.system, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network", cause: error)
            }
        }
        var gateway = subnet.defaultGateway
        if let text = options.gateway {
            guard let address = IPv4Subnet.parseAddress(text), subnet.hostRange.contains(address) else {
                throw EngineError(.invalidArgument, "Invalid gateway \(text): not a host address of \(subnet)")
            }
            gateway = address
        }
        if let text = options.ipRange {
            guard let range = IPv4Subnet(text), subnet.contains(range) else {
                throw EngineError(.invalidArgument, "Invalid ip-range \(text): not inside subnet \(subnet)")
            }
        }
        let id = ContainerService.generateID()
        let bridgeName = options.options["com.docker.network.bridge.name"] ?? "br-" + String(id.prefix(12))
        if existing.contains(where: { $0.document.BridgeName == bridgeName }) {
            throw EngineError(.conflict, "bridge name \(bridgeName) is used by another network")
        }
        let document = NetworkDocument(Driver: "bridge", BridgeName: bridgeName, Subnet: subnet.description,
                                       Gateway: IPv4Subnet.format(gateway), IPRange: options.ipRange, Internal: options.isInternal,
                                       Labels: options.labels, Options: options.options)
        let config: BridgeConfiguration
        do { config = try BridgeConfiguration(bridgeName: bridgeName, subnet: subnet, gateway: gateway, isInternal: options.isInternal) } catch {
            throw Self.networkError("create network \(options.name)", error)
        }
        let record = NetworkRecord(id: id, name: options.name, createdNanoseconds: ContainerService.nowNanoseconds(),
                                   config: try ContainerService.encode(document))
        do { try database.write { try $0.insertNetwork(record) } } catch {
            throw EngineError(.conflict, "network with name \(options.name) already exists", cause: DescribedError(error))
        }
        let bridge = BridgeNetwork(config, netlink: netlink, firewall: firewall)
        do { try bridge.ensure() } catch {
            try? bridge.teardown()
            _ = try? write("forget network") { try $0.deleteNetwork(id: id) }
            throw Self.networkError("set up the bridge of network \(options.name)", error)
        }
        bridges[id] = bridge
        return (id, "")
    }

    /// `DELETE /networks/{id}`: refused while a running container is on it (Docker's 409).
    public func remove(_ ref: String) throws(EngineError) {
        lock.lock()
        defer { lock.unlock() }
        let network = try network(ref)
        if network.document.Predefined {
            throw EngineError(.conflict, "\(network.name) is a pre-defined network and cannot be removed")
        }
        let rows = try read("read endpoints") { try $0.endpoints(networkID: network.id) }
        let active = rows.filter { (try? ContainerService.decode(EndpointDocument.self, $0.config, what: "endpoint"))?.isActive ?? false }
        if !active.isEmpty {
            throw EngineError(.conflict, "error while removing network: network \(network.name) id \(network.id) has active endpoints")
        }
        let config = try bridgeConfiguration(network)
        let bridge = bridges.removeValue(forKey: network.id) ?? BridgeNetwork(config, netlink: netlink, firewall: firewall)
        do { try bridge.teardown() } catch { throw Self.networkError("remove the bridge of network \(network.name)", error) }
        try write("remove network \(network.name)") { connection in
            for row in rows { try connection.deleteEndpoint(containerID: row.containerID, networkID: network.id) }
            _ = try connection.deleteNetwork(id: network.id)
        }
    }

    /// `POST /networks/prune`: removes user networks no running container is on; their names.
    public func prune(labels: [String: String?] = [:]) throws(EngineError) -> [String] {
        var removed: [String] = []
        for network in try allNetworks() where !network.document.Predefined {
            let matches = labels.allSatisfy { key, value in
                guard let have = network.document.Labels[key] else { return false }
                return value == nil || value == have
            }
            guard matches else { continue }
            if (try? remove(network.id)) != nil { removed.append(network.name) }
        }
        return removed
    }

    /// `POST /networks/{id}/connect`: records the endpoint; a running container gets another
    /// interface (`ethN`) at once.
    public func connect(network ref: String, containerID id: String, running: Bool, config: ContainerConfiguration,
                        hostConfig: HostConfiguration, endpoint: ContainerNetworkRequest.Endpoint) throws(EngineError) {
        lock.lock()
        defer { lock.unlock() }
        let network = try network(ref)
        guard network.document.Driver == "bridge" else {
            throw EngineError(.invalidArgument, "container cannot be disconnected from host network or connected to host network")
        }
        guard ContainerNetworkMode(hostConfig.networkMode) == .own, hostConfig.networkMode != "none" else {
            throw EngineError(.invalidArgument, "container sharing network namespace with another container or host cannot be connected to any other network")
        }
        let rows = try read("read endpoints") { try $0.endpoints(containerID: id) }
        if rows.contains(where: { $0.networkID == network.id }) {
            throw EngineError(.conflict, "endpoint with name \(id.prefix(12)) already exists in network \(network.name)")
        }
        var document = EndpointDocument(Aliases: endpoint.aliases, RequestedIPv4: endpoint.ipv4Address, RequestedMAC: endpoint.macAddress)
        if running {
            let namespace = NetworkNamespace(path: namespacePath(id))
            try attach(id, network: network, document: &document, namespace: namespace, interface: "eth\(rows.count)",
                       defaultRoute: rows.isEmpty)
        }
        let text = try ContainerService.encode(document)
        try write("record endpoint") { try $0.putEndpoint(NetworkEndpointRecord(containerID: id, networkID: network.id, config: text)) }
        if running { try startEmbeddedDNS(id, hostConfig: hostConfig) }
    }

    /// `POST /networks/{id}/disconnect`.
    public func disconnect(network ref: String, containerID id: String) throws(EngineError) {
        lock.lock()
        defer { lock.unlock() }
        let network = try network(ref)
        let rows = try read("read endpoints") { try $0.endpoints(containerID: id) }
        guard let row = rows.first(where: { $0.networkID == network.id }) else {
            throw EngineError(.invalidArgument, "container \(id) is not connected to network \(network.name)")
        }
        var document = try ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint")
        if document.isActive {
            for reservation in reservations[id] ?? [] where document.Ports.contains(where: { $0.hostPort == reservation.port }) {
                reservation.release()
            }
            deactivate(id, network: network, document: &document)
        }
        try write("remove endpoint") { try $0.deleteEndpoint(containerID: id, networkID: network.id) }
        if dns.isServing(id), try !needsEmbeddedDNS(id) { stopEmbeddedDNS(id) } else { refreshEmbeddedDNS() }
    }
}
