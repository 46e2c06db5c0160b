import Foundation
import SwdockAPI
import SwdockEngine
import SwdockOS

/// The Engine API's network side served by the engine's `NetworkService` (and the container
/// side for connect/disconnect, which take a container reference).
public struct NetworkServiceBackend: NetworkBackend {
    public let networks: NetworkService
    public let containers: ContainerService

    public init(networks: NetworkService, containers: ContainerService) {
        self.networks = networks
        self.containers = containers
    }

    public func listNetworks(filters: Filters) async throws -> [NetworkResource] {
        let all = try mapped { try networks.list() }
        for name in filters.fields.keys where !["name", "id", "driver", "label", "type", "scope"].contains(name) {
            throw APIError.badRequest("invalid filter '\(name)'")
        }
        return all.filter { Self.matches($0, filters) }.map(Self.resource)
    }

    static func matches(_ network: NetworkInfo, _ filters: Filters) -> Bool {
        let names = filters.values("name"), ids = filters.values("id"), drivers = filters.values("driver")
        if !names.isEmpty && !names.contains(where: { network.name.contains($0) }) { return false }
        if !ids.isEmpty && !ids.contains(where: { network.id.hasPrefix($0) }) { return false }
        if !drivers.isEmpty && !drivers.contains(network.document.Driver) { return false }
        for label in filters.values("label") {
            let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
            guard let value = network.document.Labels[parts[0]] else { return false }
            if parts.count == 2 && parts[1] != value { return false }
        }
        let types = filters.values("type")
        if !types.isEmpty {
            let kind = network.document.Predefined ? "builtin" : "custom"
            if !types.contains(kind) { return false }
        }
        return true
    }

    public func inspectNetwork(_ id: String) async throws -> NetworkResource {
        Self.resource(try mapped { try networks.inspect(id) })
    }

    public func createNetwork(_ request: NetworkCreateRequest) async throws -> NetworkCreateResponse {
        let config = request.IPAM?.Config?.first
        if (request.IPAM?.Config?.count ?? 0) > 1 { throw APIError.notSupported("more than one IPAM config (IPv6 networks)") }
        if request.EnableIPv6 == true { throw APIError.notSupported("--ipv6 networks") }
        let options = NetworkCreateOptions(name: request.Name ?? "", driver: request.Driver ?? "bridge", subnet: config?.Subnet,
                                           gateway: config?.Gateway, ipRange: config?.IPRange, isInternal: request.Internal ?? false,
                                           labels: request.Labels ?? [:], options: request.Options ?? [:],
                                           checkDuplicate: request.CheckDuplicate ?? true)
        let created = try mapped { try networks.create(options) }
        return NetworkCreateResponse(Id: created.id, Warning: created.warning)
    }

    public func removeNetwork(_ id: String) async throws { try mapped { try networks.remove(id) } }

    public func connectNetwork(_ id: String, request: NetworkConnectRequest) async throws {
        let settings = request.EndpointConfig
        let endpoint = ContainerNetworkRequest.Endpoint(aliases: settings?.aliases ?? [], ipv4Address: settings?.ipamConfig?.ipv4Address,
                                                        macAddress: settings?.macAddress)
        do { try await containers.connectNetwork(id, container: request.Container ?? "", endpoint: endpoint) } catch let error as EngineError {
            throw error.apiError
        }
    }

    public func disconnectNetwork(_ id: String, request: NetworkDisconnectRequest) async throws {
        do { try await containers.disconnectNetwork(id, container: request.Container ?? "") } catch let error as EngineError {
            throw error.apiError
        }
    }

    public func pruneNetworks(filters: Filters) async throws -> NetworkPruneReport {
        var labels: [String: String?] = [:]
        for label in filters.values("label") {
            let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
            labels[parts[0]] = parts.count == 2 ? parts[1] : nil
        }
        let removed = try mapped { try networks.prune(labels: labels) }
        return NetworkPruneReport(NetworksDeleted: removed.isEmpty ? nil : removed)
    }

    func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as EngineError { throw error.apiError }
    }

    static func resource(_ network: NetworkInfo) -> NetworkResource {
        var result = NetworkResource()
        result.Name = network.name
        result.Id = network.id
        result.Created = network.created.rfc3339Nano
        result.Driver = network.document.Driver
        if let subnet = network.document.Subnet {
            result.IPAM.Config = [.init(Subnet: subnet, IPRange: network.document.IPRange, Gateway: network.document.Gateway)]
            if network.name != "bridge" { result.IPAM.Options = [:] }
        }
        result.Internal = network.document.Internal
        result.Options = network.document.Options
        result.Labels = network.document.Labels
        for (id, endpoint) in network.endpoints {
            var entry = NetworkResource.EndpointResource()
            entry.Name = endpoint.containerName
            entry.EndpointID = endpoint.endpointID
            entry.MacAddress = endpoint.macAddress
            entry.IPv4Address = "\(endpoint.ipAddress)/\(endpoint.prefixLength)"
            result.Containers[id] = entry
        }
        return result
    }
}
