/// JSON forms for what the engine stores with a container: addresses as dotted quads and
/// MACs as `02:42:…` strings, so the records read like `docker inspect`.
extension MACAddress: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mac = MACAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a MAC address: \(text)"))
        }
        self = mac
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension TransportProtocol: Codable {}

private func decodeAddress<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> UInt32 {
    let text = try container.decode(String.self, forKey: key)
    guard let address = IPv4Subnet.parseAddress(text) else {
        throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an IPv4 address: \(text)")
    }
    return address
}

extension ContainerNetworkAttachment: Codable {
    private enum CodingKeys: String, CodingKey {
        case endpointID, namespacePath, hostInterface, containerInterface, address, prefixLength, gateway, mac
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(endpointID: try c.decode(String.self, forKey: .endpointID),
                  namespacePath: try c.decode(String.self, forKey: .namespacePath),
                  hostInterface: try c.decode(String.self, forKey: .hostInterface),
                  containerInterface: try c.decode(String.self, forKey: .containerInterface),
                  address: try decodeAddress(c, .address), prefixLength: try c.decode(Int.self, forKey: .prefixLength),
                  gateway: try decodeAddress(c, .gateway), mac: try c.decode(MACAddress.self, forKey: .mac))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(endpointID, forKey: .endpointID)
        try c.encode(namespacePath, forKey: .namespacePath)
        try c.encode(hostInterface, forKey: .hostInterface)
        try c.encode(containerInterface, forKey: .containerInterface)
        try c.encode(IPv4Subnet.format(address), forKey: .address)
        try c.encode(prefixLength, forKey: .prefixLength)
        try c.encode(IPv4Subnet.format(gateway), forKey: .gateway)
        try c.encode(mac, forKey: .mac)
    }
}

extension PortMapping: Codable {
    private enum CodingKeys: String, CodingKey { case proto, hostIP, hostPort, containerAddress, containerPort }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let hostIP = try c.decodeIfPresent(String.self, forKey: .hostIP)
        guard hostIP == nil || IPv4Subnet.parseAddress(hostIP!) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .hostIP, in: c, debugDescription: "not an IPv4 address: \(hostIP!)")
        }
        self.init(proto: try c.decode(TransportProtocol.self, forKey: .proto), hostIP: hostIP.flatMap(IPv4Subnet.parseAddress),
                  hostPort: try c.decode(UInt16.self, forKey: .hostPort), containerAddress: try decodeAddress(c, .containerAddress),
                  containerPort: try c.decode(UInt16.self, forKey: .containerPort))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(proto, forKey: .proto)
        try c.encodeIfPresent(hostIP.map(IPv4Subnet.format), forKey: .hostIP)
        try c.encode(hostPort, forKey: .hostPort)
        try c.encode(IPv4Subnet.format(containerAddress), forKey: .containerAddress)
        try c.encode(containerPort, forKey: .containerPort)
    }
}
