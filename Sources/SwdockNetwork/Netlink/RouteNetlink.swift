#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// A network interface as rtnetlink reports it.
public struct NetworkLink: Hashable, Sendable {
    public let index: Int32
    public let name: String
    /// `bridge`, `veth`, `dummy`, … (IFLA_INFO_KIND); empty for devices without one (lo, most NICs).
    public let kind: String
    public let mtu: UInt32
    public let mac: MACAddress?
    /// The index of the bridge this link is enslaved to, if any.
    public let masterIndex: Int32?
    /// IFF_UP is set.
    public let isUp: Bool
}

/// An IPv4 address on a link.
public struct LinkAddress: Hashable, Sendable {
    public let linkIndex: Int32
    public let address: UInt32
    public let prefixLength: Int
    public var subnet: IPv4Subnet { IPv4Subnet(containing: address, prefixLength: prefixLength) }
}

/// An IPv4 route.
public struct NetworkRoute: Hashable, Sendable {
    /// The destination; `0.0.0.0/0` for a default route.
    public let destination: IPv4Subnet
    public let gateway: UInt32?
    public let outputIndex: Int32?
    public let table: UInt32
    public var isDefault: Bool { destination.prefixLength == 0 }
}

/// A small rtnetlink client of our own: links (bridge, veth, dummy), addresses and routes,
/// each call one request with an ACK; failures name the operation and the object.
///
/// `RouteNetlink()` works in the caller's (host) network namespace; `RouteNetlink(namespace:)`
/// opens its socket inside another one (on a throwaway thread), so every call on it acts there.
public final class RouteNetlink: Sendable {
    private let socket: NetlinkSocket

    /// A client for the current network namespace.
    public init() throws(NetworkError) { socket = try NetlinkSocket() }

    /// A client whose socket lives in `namespace`.
    public init(namespace: NetworkNamespace) throws(NetworkError) {
        let fd = try namespace.open()
        defer { fd.close() }
        let path = namespace.path
        socket = try onDedicatedThread { () throws(NetworkError) in
            try os("enter network namespace \"\(path)\"") { () throws(OSError) in
                try sys("setns", "\"\(path)\"") { swdock_setns(fd.rawValue, SWDOCK_CLONE_NEWNET) }
            }
            return try NetlinkSocket()
        }
    }

    // MARK: links

    /// Creates a bridge (down). `EEXIST` when a link of that name exists.
    public func createBridge(_ name: String, mtu: UInt32? = nil) throws(NetworkError) {
        try checkName(name)
        var request = NetlinkRequest(type: UInt16(RTM_NEWLINK), flags: NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        request.appendInterfaceInfo()
        request.attribute(UInt16(IFLA_IFNAME), string: name)
        if let mtu { request.attribute(UInt16(IFLA_MTU), uint32: mtu) }
        request.beginNested(UInt16(IFLA_LINKINFO))
        request.attribute(UInt16(IFLA_INFO_KIND), string: "bridge")
        request.endNested()
        _ = try socket.perform(request, "create bridge \"\(name)\"")
    }

    /// Creates a veth pair `name` ↔ `peer`. With `peerNamespace` the peer is created directly
    /// inside that namespace (one request instead of create + move), as `peerName` there.
    public func createVethPair(_ name: String, peer: String, peerNamespace: FileDescriptor? = nil,
                               mtu: UInt32? = nil, peerMAC: MACAddress? = nil) throws(NetworkError) {
        try checkName(name)
        try checkName(peer)
        var request = NetlinkRequest(type: UInt16(RTM_NEWLINK), flags: NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        request.appendInterfaceInfo()
        request.attribute(UInt16(IFLA_IFNAME), string: name)
        if let mtu { request.attribute(UInt16(IFLA_MTU), uint32: mtu) }
        request.beginNested(UInt16(IFLA_LINKINFO))
        request.attribute(UInt16(IFLA_INFO_KIND), string: "veth")
        request.beginNested(UInt16(IFLA_INFO_DATA))
        request.beginNested(UInt16(VETH_INFO_PEER))
        var peerHeader = NetlinkRequest(type: 0, flags: 0)
        peerHeader.appendInterfaceInfo()
        request.appendRaw(Array(peerHeader.bytes.dropFirst(16)))
        request.attribute(UInt16(IFLA_IFNAME), string: peer)
        if let mtu { request.attribute(UInt16(IFLA_MTU), uint32: mtu) }
        if let peerMAC { request.attribute(UInt16(IFLA_ADDRESS), peerMAC.bytes) }
        if let peerNamespace { request.attribute(UInt16(IFLA_NET_NS_FD), uint32: UInt32(bitPattern: peerNamespace.rawValue)) }
        request.endNested()
        request.endNested()
        request.endNested()
        _ = try socket.perform(request, "create veth \"\(name)\" peer \"\(peer)\"")
    }

    /// Deletes a link (for a veth, both ends go). `notFound` when it does not exist.
    public func deleteLink(_ name: String) throws(NetworkError) {
        var request = NetlinkRequest(type: UInt16(RTM_DELLINK), flags: NLM_F_ACK)
        request.appendInterfaceInfo()
        request.attribute(UInt16(IFLA_IFNAME), string: name)
        _ = try socket.perform(request, "delete link \"\(name)\"")
    }

    /// Sets or clears IFF_UP.
    public func setUp(_ name: String, _ up: Bool = true) throws(NetworkError) {
        try modify(name, up ? "set link \"\(name)\" up" : "set link \"\(name)\" down",
                   flags: up ? UInt32(IFF_UP) : 0, change: UInt32(IFF_UP)) { _ in }
    }

    /// Enslaves `name` to the bridge `master` (nil: releases it).
    public func setMaster(_ name: String, _ master: String?) throws(NetworkError) {
        let masterIndex = try master.map { (m) throws(NetworkError) in try index(of: m) } ?? 0
        try modify(name, "set master of \"\(name)\" to \"\(master ?? "none")\"") {
            $0.attribute(UInt16(IFLA_MASTER), uint32: UInt32(bitPattern: masterIndex))
        }
    }

    /// Turns the bridge port's hairpin mode on or off: frames may leave by the port they came
    /// in on. Needed when br_netfilter DNATs a container's packet back to a container on the
    /// same port (a container reaching its own published port through a host address).
    public func setHairpin(_ name: String, _ on: Bool) throws(NetworkError) {
        let index = try index(of: name)
        // RTM_SETLINK: the bridge's own handler (rtnl_bridge_setlink) is registered for it only.
        var request = NetlinkRequest(type: UInt16(RTM_SETLINK), flags: NLM_F_ACK)
        request.appendInterfaceInfo(family: UInt8(AF_BRIDGE), index: index)
        request.beginNested(UInt16(IFLA_PROTINFO) | UInt16(NLA_F_NESTED))
        request.attribute(UInt16(IFLA_BRPORT_MODE), [on ? 1 : 0])
        request.endNested()
        _ = try socket.perform(request, "set hairpin mode of bridge port \"\(name)\" \(on ? "on" : "off")")
    }

    public func setMTU(_ name: String, _ mtu: UInt32) throws(NetworkError) {
        try modify(name, "set mtu of \"\(name)\" to \(mtu)") { $0.attribute(UInt16(IFLA_MTU), uint32: mtu) }
    }

    public func setMAC(_ name: String, _ mac: MACAddress) throws(NetworkError) {
        try modify(name, "set address of \"\(name)\" to \(mac)") { $0.attribute(UInt16(IFLA_ADDRESS), mac.bytes) }
    }

    /// Renames a link (it must be down).
    public func rename(_ name: String, to newName: String) throws(NetworkError) {
        try checkName(newName)
        try modify(name, "rename link \"\(name)\" to \"\(newName)\"") { $0.attribute(UInt16(IFLA_IFNAME), string: newName) }
    }

    /// Moves a link into the network namespace open at `namespace`.
    public func moveToNamespace(_ name: String, _ namespace: FileDescriptor) throws(NetworkError) {
        try modify(name, "move link \"\(name)\" to netns fd \(namespace.rawValue)") {
            $0.attribute(UInt16(IFLA_NET_NS_FD), uint32: UInt32(bitPattern: namespace.rawValue))
        }
    }

    /// The interface index of `name`; `notFound` when there is no such link.
    public func index(of name: String) throws(NetworkError) -> Int32 {
        try link(named: name).index
    }

    /// One link by name; `notFound` when there is none.
    public func link(named name: String) throws(NetworkError) -> NetworkLink {
        var request = NetlinkRequest(type: UInt16(RTM_GETLINK), flags: NLM_F_ACK)
        request.appendInterfaceInfo()
        request.attribute(UInt16(IFLA_IFNAME), string: name)
        let replies = try socket.perform(request, "look up link \"\(name)\"")
        guard let link = replies.lazy.compactMap(Self.parseLink).first else {
            throw NetworkError(.notFound, "look up link \"\(name)\": no such device")
        }
        return link
    }

    /// Whether a link of this name exists.
    public func linkExists(_ name: String) throws(NetworkError) -> Bool {
        do { _ = try link(named: name); return true } catch where error.code == .notFound { return false }
    }

    /// Every link of the namespace.
    public func links() throws(NetworkError) -> [NetworkLink] {
        var request = NetlinkRequest(type: UInt16(RTM_GETLINK), flags: NLM_F_DUMP)
        request.appendInterfaceInfo()
        return try socket.perform(request, "list links").compactMap(Self.parseLink)
    }

    // MARK: addresses

    /// Adds `address/prefixLength` to a link (with the subnet's broadcast address).
    public func addAddress(_ address: UInt32, prefixLength: Int, to name: String) throws(NetworkError) {
        let index = try index(of: name)
        let text = "\(IPv4Subnet.format(address))/\(prefixLength)"
        var request = NetlinkRequest(type: UInt16(RTM_NEWADDR), flags: NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        request.appendAddressInfo(prefixLength: UInt8(prefixLength), index: index)
        request.attribute(UInt16(IFA_LOCAL), ipv4: address)
        request.attribute(UInt16(IFA_ADDRESS), ipv4: address)
        if prefixLength < 31 {
            request.attribute(UInt16(IFA_BROADCAST), ipv4: IPv4Subnet(containing: address, prefixLength: prefixLength).broadcast)
        }
        _ = try socket.perform(request, "add address \(text) to \"\(name)\"")
    }

    public func deleteAddress(_ address: UInt32, prefixLength: Int, from name: String) throws(NetworkError) {
        let index = try index(of: name)
        var request = NetlinkRequest(type: UInt16(RTM_DELADDR), flags: NLM_F_ACK)
        request.appendAddressInfo(prefixLength: UInt8(prefixLength), index: index)
        request.attribute(UInt16(IFA_LOCAL), ipv4: address)
        request.attribute(UInt16(IFA_ADDRESS), ipv4: address)
        _ = try socket.perform(request, "delete address \(IPv4Subnet.format(address))/\(prefixLength) from \"\(name)\"")
    }

    /// Every IPv4 address of the namespace.
    public func addresses() throws(NetworkError) -> [LinkAddress] {
        var request = NetlinkRequest(type: UInt16(RTM_GETADDR), flags: NLM_F_DUMP)
        request.appendAddressInfo(prefixLength: 0, index: 0)
        return try socket.perform(request, "list addresses").compactMap { reply in
            guard reply.type == RTM_NEWADDR, reply.payload.count >= 8 else { return nil }
            let p = reply.payload, start = p.startIndex
            guard p[start] == UInt8(AF_INET) else { return nil }
            let attributes = NetlinkAttributes(p.dropFirst(8))
            guard let address = attributes.ipv4(UInt16(IFA_LOCAL)) ?? attributes.ipv4(UInt16(IFA_ADDRESS)) else { return nil }
            return LinkAddress(linkIndex: Int32(bitPattern: readUInt32(p, start + 4)), address: address, prefixLength: Int(p[start + 1]))
        }
    }

    // MARK: routes

    /// Adds a route in the main table: to `destination` (nil: the default route) via `gateway`
    /// and/or out of `device`.
    public func addRoute(to destination: IPv4Subnet? = nil, via gateway: UInt32? = nil, device: String? = nil) throws(NetworkError) {
        let destinationText = destination?.description ?? "default"
        let what = "add route \(destinationText)" + (gateway.map { " via \(IPv4Subnet.format($0))" } ?? "")
            + (device.map { " dev \"\($0)\"" } ?? "")
        let deviceIndex = try device.map { (d) throws(NetworkError) in try index(of: d) }
        var request = NetlinkRequest(type: UInt16(RTM_NEWROUTE), flags: NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        // A route with a gateway has universe scope; a device route without one is on-link.
        let scope = gateway == nil ? UInt8(RT_SCOPE_LINK.rawValue) : UInt8(RT_SCOPE_UNIVERSE.rawValue)
        request.appendRouteInfo(destinationLength: UInt8(destination?.prefixLength ?? 0), table: UInt8(RT_TABLE_MAIN.rawValue),
                                protocol: UInt8(RTPROT_BOOT), scope: scope, type: UInt8(RTN_UNICAST))
        if let destination, destination.prefixLength > 0 { request.attribute(UInt16(RTA_DST.rawValue), ipv4: destination.network) }
        if let gateway { request.attribute(UInt16(RTA_GATEWAY.rawValue), ipv4: gateway) }
        if let deviceIndex { request.attribute(UInt16(RTA_OIF.rawValue), uint32: UInt32(bitPattern: deviceIndex)) }
        _ = try socket.perform(request, what)
    }

    /// Every IPv4 route of every table (the caller filters by `table`, 254 is main).
    public func routes() throws(NetworkError) -> [NetworkRoute] {
        var request = NetlinkRequest(type: UInt16(RTM_GETROUTE), flags: NLM_F_DUMP)
        request.appendRouteInfo(destinationLength: 0, table: 0, protocol: 0, scope: 0, type: 0)
        return try socket.perform(request, "list routes").compactMap { reply in
            guard reply.type == RTM_NEWROUTE, reply.payload.count >= 12 else { return nil }
            let p = reply.payload, start = p.startIndex
            guard p[start] == UInt8(AF_INET) else { return nil }
            let attributes = NetlinkAttributes(p.dropFirst(12))
            let length = Int(p[start + 1])
            let destination = IPv4Subnet(containing: attributes.ipv4(UInt16(RTA_DST.rawValue)) ?? 0, prefixLength: length)
            return NetworkRoute(destination: destination, gateway: attributes.ipv4(UInt16(RTA_GATEWAY.rawValue)),
                                outputIndex: attributes.uint32(UInt16(RTA_OIF.rawValue)).map { Int32(bitPattern: $0) },
                                table: attributes.uint32(UInt16(RTA_TABLE.rawValue)) ?? UInt32(p[start + 4]))
        }
    }

    // MARK: helpers

    /// RTM_NEWLINK on an existing link by name, with `fill` adding the attributes to change.
    private func modify(_ name: String, _ what: @autoclosure () -> String, flags: UInt32 = 0, change: UInt32 = 0,
                        _ fill: (inout NetlinkRequest) -> Void) throws(NetworkError) {
        let index = try index(of: name)
        var request = NetlinkRequest(type: UInt16(RTM_NEWLINK), flags: NLM_F_ACK)
        request.appendInterfaceInfo(index: index, flags: flags, change: change)
        fill(&request)
        _ = try socket.perform(request, what())
    }

    private func checkName(_ name: String) throws(NetworkError) {
        // IFNAMSIZ is 16 with the NUL.
        guard !name.isEmpty, name.utf8.count < 16, !name.contains("/"), !name.contains(" ") else {
            throw NetworkError(.invalidArgument, "link name \"\(name)\": must be 1 to 15 characters without '/' or spaces")
        }
    }

    private static func parseLink(_ reply: NetlinkReply) -> NetworkLink? {
        guard reply.type == RTM_NEWLINK, reply.payload.count >= 16 else { return nil }
        let p = reply.payload, start = p.startIndex
        let attributes = NetlinkAttributes(p.dropFirst(16))
        guard let name = attributes.string(UInt16(IFLA_IFNAME)) else { return nil }
        let kind = attributes.nested(UInt16(IFLA_LINKINFO))?.string(UInt16(IFLA_INFO_KIND)) ?? ""
        let mac = attributes[UInt16(IFLA_ADDRESS)].flatMap { $0.count == 6 ? MACAddress(bytes: Array($0)) : nil }
        let master = attributes.uint32(UInt16(IFLA_MASTER)).map { Int32(bitPattern: $0) }
        return NetworkLink(index: Int32(bitPattern: readUInt32(p, start + 4)), name: name, kind: kind,
                           mtu: attributes.uint32(UInt16(IFLA_MTU)) ?? 0, mac: mac, masterIndex: master,
                           isUp: readUInt32(p, start + 8) & UInt32(IFF_UP) != 0)
    }
}
