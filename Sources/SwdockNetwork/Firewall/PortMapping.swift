/// A transport protocol a port is published for.
public enum TransportProtocol: String, Hashable, Sendable, CaseIterable {
    case tcp, udp
}

/// One published port: `hostIP:hostPort → containerAddress:containerPort` for `proto`.
/// A nil `hostIP` means every host address (Docker's `0.0.0.0`).
public struct PortMapping: Hashable, Sendable, CustomStringConvertible {
    public let proto: TransportProtocol
    public let hostIP: UInt32?
    public let hostPort: UInt16
    public let containerAddress: UInt32
    public let containerPort: UInt16

    public init(proto: TransportProtocol, hostIP: UInt32? = nil, hostPort: UInt16,
                containerAddress: UInt32, containerPort: UInt16) {
        self.proto = proto
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerAddress = containerAddress
        self.containerPort = containerPort
    }

    /// Expands `-p [ip:]8000-8010:80-90/tcp` into one mapping per port; both ranges must have
    /// the same length, as Docker requires.
    public static func ranges(proto: TransportProtocol, hostIP: UInt32? = nil, hostPorts: ClosedRange<UInt16>,
                              containerAddress: UInt32, containerPorts: ClosedRange<UInt16>) throws(NetworkError) -> [PortMapping] {
        guard hostPorts.count == containerPorts.count else {
            throw NetworkError(.invalidArgument,
                               "publish ports \(hostPorts.lowerBound)-\(hostPorts.upperBound):\(containerPorts.lowerBound)-\(containerPorts.upperBound): ranges differ in length")
        }
        guard hostPorts.lowerBound > 0, containerPorts.lowerBound > 0 else {
            throw NetworkError(.invalidArgument, "publish port 0: a port must be 1-65535")
        }
        return zip(hostPorts, containerPorts).map {
            PortMapping(proto: proto, hostIP: hostIP, hostPort: $0, containerAddress: containerAddress, containerPort: $1)
        }
    }

    public var description: String {
        "\(hostIP.map(IPv4Subnet.format) ?? "0.0.0.0"):\(hostPort) -> \(IPv4Subnet.format(containerAddress)):\(containerPort)/\(proto.rawValue)"
    }
}
