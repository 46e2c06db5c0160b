import SwdockMetadata
import SwdockNetwork
import SwdockOS

extension NetworkService {
    /// At daemon start (after the container side recorded the exits it missed): containers
    /// that run keep their namespace, veths, addresses and published ports (the ports are
    /// reserved again: a bound socket does not outlive its daemon); everything of containers
    /// that no longer run or exist is removed — namespaces, veths, leases, endpoint state and
    /// DNAT elements (each bridge's table is replaced atomically with exactly the live ports).
    public func reconcile() {
        lock.lock()
        defer { lock.unlock() }
        let running = Set((try? read("list running containers") { connection in
            try connection.query("SELECT id FROM containers WHERE json_extract(state, '$.Status') IN ('running', 'paused', 'restarting')",
                                 []) { try $0.string(0) }
        }) ?? [])
        let existing = Set((try? read("list containers") { try $0.allContainers().map(\.id) }) ?? [])
        let rows = (try? read("list endpoints") { try $0.allEndpoints() }) ?? []
        var live: [String: [ContainerNetworkAttachment]] = [:]
        var ports: [String: [PortMapping]] = [:]
        var keptLeases = Set<String>()
        for row in rows {
            guard var document = try? ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint"),
                  let network = try? network(row.networkID) else { continue }
            if !existing.contains(row.containerID) {
                _ = try? write("forget endpoint") { try $0.deleteEndpoint(containerID: row.containerID, networkID: row.networkID) }
                continue
            }
            guard document.isActive else { continue }
            if !running.contains(row.containerID) {
                deactivate(row.containerID, network: network, document: &document)
                if let text = try? ContainerService.encode(document) {
                    _ = try? write("clear endpoint") {
                        try $0.putEndpoint(NetworkEndpointRecord(containerID: row.containerID, networkID: row.networkID, config: text))
                    }
                }
                continue
            }
            guard let address = document.Address, let config = try? bridgeConfiguration(network),
                  let mac = document.MAC.flatMap({ MACAddress($0) }) else { continue }
            keptLeases.insert("\(network.id)/\(address)")
            live[network.id, default: []].append(ContainerNetworkAttachment(
                endpointID: document.EndpointID ?? "", namespacePath: namespacePath(row.containerID),
                hostInterface: document.HostInterface ?? "", containerInterface: document.Interface ?? "eth0", address: address,
                prefixLength: config.subnet.prefixLength, gateway: config.gateway, mac: mac))
            for port in document.Ports {
                guard let proto = TransportProtocol(rawValue: port.proto) else { continue }
                let ip = IPv4Subnet.parseAddress(port.hostIP).flatMap { $0 == 0 ? nil : $0 }
                if let reservation = try? PortReservation.reserve(proto, hostIP: ip, port: port.hostPort) {
                    reservations[row.containerID, default: []].append(reservation)
                }
                ports[network.id, default: []].append(PortMapping(proto: proto, hostIP: ip, hostPort: port.hostPort,
                                                                  containerAddress: address, containerPort: port.containerPort))
            }
        }
        // Leases nobody running holds (a crash between lease and record, or before release).
        for lease in (try? read("list leases") { try $0.allLeases() }) ?? []
        where !keptLeases.contains("\(lease.networkID)/\(UInt32(truncatingIfNeeded: lease.address))") {
            _ = try? write("release a stale lease") { try $0.deleteLease(networkID: lease.networkID, address: lease.address) }
        }
        // Namespaces of containers that do not run (those sharing one have none of their own).
        _ = try? NetworkNamespace.removeStale(in: netnsDirectory, keeping: running)
        for network in (try? allNetworks()) ?? [] where network.document.Driver == "bridge" {
            let isDefault = network.name == "bridge"
            guard isDefault || live[network.id] != nil || bridges[network.id] != nil
                    || ((try? netlink.linkExists(network.document.BridgeName ?? "")) ?? false) else { continue }
            guard let bridge = try? bridge(network) else { continue }
            _ = try? bridge.reconcile(live: live[network.id] ?? [], ports: ports[network.id] ?? [])
        }
        // Embedded DNS of running containers on user networks (a restarted daemon's sockets are gone).
        let containers = (try? read("list containers") { try $0.allContainers() }) ?? []
        for record in containers where running.contains(record.id) {
            guard let document = try? ContainerService.decode(ContainerDocument.self, record.config, what: "container \(record.id)") else { continue }
            try? startEmbeddedDNS(record.id, hostConfig: document.HostConfig, writeResolvConf: false, refresh: false)
        }
        refreshEmbeddedDNS()
    }
}

extension NetworkService {
    /// Gives back every host port held (as a daemon that exits does); the kernel state stays.
    public func shutdown() {
        lock.lock()
        defer { lock.unlock() }
        for reservation in reservations.values.flatMap({ $0 }) { reservation.release() }
        reservations = [:]
        dns.shutdownAll()
        dnsSettings = [:]
    }

    /// Uninstall (and test teardown): removes every bridge network's device, veths and
    /// firewall table and the namespace directory. Containers must be removed first.
    public func teardownAll() throws(EngineError) {
        shutdown()
        lock.lock()
        defer { lock.unlock() }
        for network in try allNetworks() where network.document.Driver == "bridge" {
            let config = try bridgeConfiguration(network)
            do { try (bridges[network.id] ?? BridgeNetwork(config, netlink: netlink, firewall: firewall)).teardown() } catch {
                throw Self.networkError("remove the bridge of network \(network.name)", error)
            }
        }
        bridges = [:]
        _ = try? NetworkNamespace.removeStale(in: netnsDirectory, keeping: [])
        try? NetworkNamespace.releaseDirectory(netnsDirectory)
    }
}
