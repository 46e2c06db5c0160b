import SwdockAPI
import SwdockEngine

/// A container's networking in Docker's shapes: inspect's NetworkSettings and `ps`'s Ports.
extension ContainerService {
    static func endpointSettings(_ endpoint: EndpointInfo) -> EndpointSettings {
        var settings = EndpointSettings()
        if let ip = endpoint.requestedIPv4 { settings.IPAMConfig = .object(["IPv4Address": .string(ip)]) }
        if !endpoint.aliases.isEmpty { settings.Aliases = .array(endpoint.aliases.map { .string($0) }) }
        settings.NetworkID = endpoint.networkID
        settings.EndpointID = endpoint.endpointID
        settings.Gateway = endpoint.gateway
        settings.IPAddress = endpoint.ipAddress
        settings.IPPrefixLen = endpoint.prefixLength
        settings.MacAddress = endpoint.macAddress
        return settings
    }

    /// `80/tcp` → `[{"HostIp":"0.0.0.0","HostPort":"18080"}]`, or null when only exposed.
    static func portsJSON(_ ports: [String: [PublishedPort]]) -> [String: JSONValue] {
        ports.mapValues { bindings in
            bindings.isEmpty ? .null : .array(bindings.map { .object(["HostIp": .string($0.hostIP), "HostPort": .string(String($0.hostPort))]) })
        }
    }

    static func applyNetwork(_ network: ContainerNetworkInfo, to settings: inout ContainerInspect.NetworkSettingsJSON) {
        settings.SandboxKey = network.sandboxKey
        settings.SandboxID = network.sandboxKey.isEmpty ? "" : String(network.sandboxKey.split(separator: "/").last ?? "")
        settings.Ports = portsJSON(network.ports)
        if !network.endpoints.isEmpty { settings.Networks = network.endpoints.mapValues(endpointSettings) }
        // The top-level fields describe the default bridge only, as Docker's do.
        if let bridge = network.endpoints["bridge"] {
            settings.EndpointID = bridge.endpointID
            settings.Gateway = bridge.gateway
            settings.IPAddress = bridge.ipAddress
            settings.IPPrefixLen = bridge.prefixLength
            settings.MacAddress = bridge.macAddress
        }
    }

    static func applyNetwork(_ network: ContainerNetworkInfo, to summary: inout ContainerSummary) {
        if !network.endpoints.isEmpty { summary.NetworkSettings.Networks = network.endpoints.mapValues(endpointSettings) }
        var ports: [ContainerSummary.Port] = []
        for (key, bindings) in network.ports.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/")
            let port = Int(parts.first ?? "") ?? 0, proto = parts.count > 1 ? String(parts[1]) : "tcp"
            if bindings.isEmpty {
                ports.append(ContainerSummary.Port(IP: nil, PrivatePort: port, PublicPort: nil, Type: proto))
            }
            for binding in bindings {
                ports.append(ContainerSummary.Port(IP: binding.hostIP, PrivatePort: port, PublicPort: Int(binding.hostPort), Type: proto))
            }
        }
        summary.Ports = ports
    }
}
