import Foundation
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

final class IPAMTests: XCTestCase {
    func testAllocatesInOrderSkippingNetworkGatewayAndBroadcastUntilExhausted() throws {
        let subnet = IPv4Subnet("10.1.2.0/29")!  // .1 gateway, .2-.6 hosts, .7 broadcast
        let allocator = try IPAddressAllocator(network: "n1", subnet: subnet, store: InMemoryLeaseStore())
        var got: [String] = []
        for i in 0..<5 { got.append(IPv4Subnet.format(try allocator.allocate(owner: "c\(i)"))) }
        XCTAssertEqual(got, ["10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"])
        XCTAssertThrowsError(try allocator.allocate(owner: "c6")) { XCTAssertEqual(($0 as! NetworkError).code, .exhausted) }
    }

    func testReleasedAddressIsNotReusedAtOnceAndRestartKeepsLeases() throws {
        let store = InMemoryLeaseStore()
        let subnet = IPv4Subnet("172.20.0.0/16")!
        let first = try IPAddressAllocator(network: "n", subnet: subnet, store: store)
        let a = try first.allocate(owner: "a"), b = try first.allocate(owner: "b")
        try first.release(a)
        let c = try first.allocate(owner: "c")
        XCTAssertEqual(IPv4Subnet.format(c), "172.20.0.4")
        // A daemon restart: a new allocator on the same store never hands out b or c again.
        let second = try IPAddressAllocator(network: "n", subnet: subnet, store: store)
        var seen: Set<UInt32> = [b, c]
        for i in 0..<300 {
            let address = try second.allocate(owner: "x\(i)")
            XCTAssertTrue(seen.insert(address).inserted, "duplicate \(IPv4Subnet.format(address))")
        }
        XCTAssertEqual(try second.leases().count, 302)
        XCTAssertEqual(Set(try second.leases().map(\.address)), seen)
    }

    func testExplicitAddressAndIPRangeAndGateway() throws {
        let store = InMemoryLeaseStore()
        let subnet = IPv4Subnet("10.9.0.0/24")!
        let allocator = try IPAddressAllocator(network: "n", subnet: subnet, gateway: ip("10.9.0.254"),
                                               range: IPv4Subnet("10.9.0.128/25")!, store: store)
        XCTAssertEqual(IPv4Subnet.format(try allocator.allocate(owner: "a")), "10.9.0.128")
        XCTAssertEqual(IPv4Subnet.format(try allocator.allocate(owner: "b", requested: ip("10.9.0.5"))), "10.9.0.5")
        XCTAssertThrowsError(try allocator.allocate(owner: "c", requested: ip("10.9.0.5"))) { XCTAssertEqual(($0 as! NetworkError).code, .conflict) }
        XCTAssertThrowsError(try allocator.allocate(owner: "c", requested: ip("10.9.0.254"))) { XCTAssertEqual(($0 as! NetworkError).code, .conflict) }
        XCTAssertThrowsError(try allocator.allocate(owner: "c", requested: ip("10.9.0.255")))
        XCTAssertThrowsError(try allocator.allocate(owner: "c", requested: ip("10.9.1.3")))
        // The range's upper end skips the gateway (.254) and the broadcast address (.255).
        var last: UInt32 = 0
        for i in 0..<125 { last = try allocator.allocate(owner: "r\(i)") }
        XCTAssertEqual(IPv4Subnet.format(last), "10.9.0.253")
        XCTAssertThrowsError(try allocator.allocate(owner: "full")) { XCTAssertEqual(($0 as! NetworkError).code, .exhausted) }
        XCTAssertThrowsError(try IPAddressAllocator(network: "bad", subnet: subnet, range: IPv4Subnet("10.10.0.0/25")!, store: store))
        XCTAssertThrowsError(try IPAddressAllocator(network: "bad", subnet: subnet, gateway: ip("10.9.0.0"), store: store))
    }

    func testConcurrentAllocatorsOnOneStoreNeverDuplicate() throws {
        let store = InMemoryLeaseStore()
        let subnet = IPv4Subnet("10.3.0.0/22")!
        let results = Locked<[UInt32]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let allocator = try! IPAddressAllocator(network: "n", subnet: subnet, store: store)
            for i in 0..<100 {
                if let address = try? allocator.allocate(owner: "w\(worker)-\(i)") { results.withLock { $0.append(address) } }
            }
        }
        let all = results.withLock { $0 }
        XCTAssertEqual(all.count, 400)
        XCTAssertEqual(Set(all).count, 400)
    }

    func testPoolSelectionSkipsTakenSubnets() throws {
        let pools = AddressPool.dockerDefaults
        XCTAssertEqual(try SubnetSelector.select(from: pools, excluding: []).description, "172.17.0.0/16")
        XCTAssertEqual(try SubnetSelector.select(from: pools, excluding: [IPv4Subnet("172.17.5.0/24")!]).description, "172.18.0.0/16")
        let all172 = (17...31).map { IPv4Subnet("172.\($0).0.0/16")! }
        XCTAssertEqual(try SubnetSelector.select(from: pools, excluding: all172 + [IPv4Subnet("192.168.1.0/24")!]).description,
                       "192.168.16.0/20")
        XCTAssertThrowsError(try SubnetSelector.select(from: pools, excluding: [IPv4Subnet("128.0.0.0/1")!]))
        let custom = try AddressPool(base: IPv4Subnet("10.10.0.0/16")!, size: 24)
        XCTAssertEqual(try SubnetSelector.select(from: [custom], excluding: [IPv4Subnet("10.10.0.0/23")!]).description, "10.10.2.0/24")
        XCTAssertThrowsError(try AddressPool(base: IPv4Subnet("10.10.0.0/16")!, size: 8))
    }

    /// The host's routes count as taken: a link (a bridge: this kernel has no dummy module)
    /// with a route over the pool's first subnet.
    func testPoolSelectionSkipsAHostRoute() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let netlink = try RouteNetlink()
        let dummy = sandbox.name("d")  // a bridge holding the route
        sandbox.onTeardown { try? netlink.deleteLink(dummy) }
        let blocked = try sandbox.freeSubnet(prefixLength: 24)
        let pool = try AddressPool(base: IPv4Subnet(containing: blocked.network, prefixLength: 23), size: 24)
        let expectedFirst = try SubnetSelector.select(from: [pool], inUse: [], netlink: netlink)
        try netlink.createBridge(dummy)
        try netlink.setUp(dummy)
        try netlink.addRoute(to: expectedFirst, device: dummy)
        XCTAssertTrue(try sandbox.run(in: nil, "ip route show dev \(dummy)").stdout.contains(expectedFirst.description))
        let chosen = try SubnetSelector.select(from: [pool], inUse: [], netlink: netlink)
        XCTAssertNotEqual(chosen, expectedFirst)
        XCTAssertFalse(chosen.overlaps(expectedFirst))
        XCTAssertTrue(pool.base.contains(chosen))
    }

    /// The default bridge's subnet: the first free pool subnet (skipping a host route), the same
    /// one again after a restart although its own route now exists, and `bip` when given.
    func testDefaultBridgeSubnetSkipsRoutesAndSurvivesRestart() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let netlink = try RouteNetlink()
        let blocker = sandbox.name("x")
        sandbox.onTeardown { try? netlink.deleteLink(blocker) }
        let first = try sandbox.freeSubnet(prefixLength: 24)
        let pool = try AddressPool(base: IPv4Subnet(containing: first.network, prefixLength: 22), size: 24)
        let taken = try SubnetSelector.select(from: [pool], inUse: [], netlink: netlink)
        try netlink.createBridge(blocker)
        try netlink.setUp(blocker)
        try netlink.addRoute(to: taken, device: blocker)

        let name = sandbox.name("b")
        let chosen = try BridgeConfiguration.defaultBridge(named: name, pools: [pool], netlink: netlink)
        XCTAssertFalse(chosen.subnet.overlaps(taken))
        XCTAssertEqual(chosen.gateway, chosen.subnet.defaultGateway)
        let network = BridgeNetwork(chosen, netlink: netlink, firewall: try makeBridgeFirewall())
        sandbox.onTeardown { try? network.teardown() }
        try network.ensure()
        let again = try BridgeConfiguration.defaultBridge(named: name, pools: [pool], netlink: netlink)
        XCTAssertEqual(again, chosen, "a restart keeps the bridge's subnet")
        let fromBip = try BridgeConfiguration.defaultBridge(named: name, bip: "10.99.3.1/24", netlink: netlink)
        XCTAssertEqual(fromBip.subnet.description, "10.99.3.0/24")
    }

    func testDockerStyleMAC() {
        XCTAssertEqual(MACAddress(derivedFrom: ip("172.17.0.2")).description, "02:42:ac:11:00:02")
        XCTAssertEqual(ContainerNetworkAttachment.hostInterfaceName(endpointID: "abc").count, 15)
        XCTAssertEqual(ContainerNetworkAttachment.hostInterfaceName(endpointID: "abc"),
                       ContainerNetworkAttachment.hostInterfaceName(endpointID: "abc"))
        XCTAssertNotEqual(ContainerNetworkAttachment.hostInterfaceName(endpointID: "abc"),
                          ContainerNetworkAttachment.hostInterfaceName(endpointID: "abd"))
    }
}

final class NetworkValueCodingTests: XCTestCase {
    func testAttachmentAndPortRoundTripAsReadableJSON() throws {
        let attachment = ContainerNetworkAttachment(endpointID: "c1", namespacePath: "/run/swdock/netns/c1", hostInterface: "swv0123456789ab",
                                                    containerInterface: "eth0", address: ip("172.17.0.2"), prefixLength: 16,
                                                    gateway: ip("172.17.0.1"), mac: MACAddress(derivedFrom: ip("172.17.0.2")))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(attachment), as: UTF8.self)
        XCTAssertTrue(json.contains("\"address\":\"172.17.0.2\""), json)
        XCTAssertTrue(json.contains("\"mac\":\"02:42:ac:11:00:02\""), json)
        XCTAssertEqual(try JSONDecoder().decode(ContainerNetworkAttachment.self, from: Data(json.utf8)), attachment)
        let port = PortMapping(proto: .udp, hostIP: ip("127.0.0.1"), hostPort: 53, containerAddress: ip("172.17.0.2"), containerPort: 5353)
        XCTAssertEqual(try JSONDecoder().decode(PortMapping.self, from: try encoder.encode(port)), port)
        XCTAssertThrowsError(try JSONDecoder().decode(PortMapping.self, from: Data(#"{"proto":"tcp","hostPort":1,"containerAddress":"1.2.3","containerPort":1}"#.utf8)))
    }
}
