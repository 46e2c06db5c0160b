import Foundation
import SwdockNetwork
import SwdockOS
import SwdockTestSupport
import XCTest

/// rtnetlink against the real kernel, checked with `ip`.
final class RouteNetlinkTests: XCTestCase {
    func testBridgeAndVethLifecycleMatchesIP() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let netlink = try RouteNetlink()
        let bridge = sandbox.name("b"), hostEnd = sandbox.name("h"), peer = sandbox.name("p"), renamed = sandbox.name("r")
        sandbox.onTeardown { for name in [bridge, hostEnd] { try? netlink.deleteLink(name) } }

        try netlink.createBridge(bridge)
        try netlink.createVethPair(hostEnd, peer: peer)
        try netlink.setMaster(hostEnd, bridge)
        try netlink.setMTU(hostEnd, 1400)
        let mac = MACAddress("02:42:0a:01:02:03")!
        try netlink.setMAC(hostEnd, mac)
        try netlink.setUp(bridge)
        try netlink.setUp(hostEnd)

        let links = try netlink.links()
        let bridgeLink = try XCTUnwrap(links.first { $0.name == bridge })
        XCTAssertEqual(bridgeLink.kind, "bridge")
        let vethLink = try XCTUnwrap(links.first { $0.name == hostEnd })
        XCTAssertEqual(vethLink.kind, "veth")
        XCTAssertEqual(vethLink.masterIndex, bridgeLink.index)
        XCTAssertEqual(vethLink.mtu, 1400)
        XCTAssertEqual(vethLink.mac, mac)
        XCTAssertTrue(vethLink.isUp)
        let shown = try sandbox.run(in: nil, "ip -o link show dev \(hostEnd)").stdout
        XCTAssertTrue(shown.contains("master \(bridge)"), shown)
        XCTAssertTrue(shown.contains("mtu 1400"), shown)
        XCTAssertTrue(shown.contains("02:42:0a:01:02:03"), shown)

        // Rename, then move into a namespace by fd; a client opened inside sees it there.
        try netlink.rename(peer, to: renamed)
        let ns = try sandbox.namespace("n")
        let fd = try ns.open()
        defer { fd.close() }
        try netlink.moveToNamespace(renamed, fd)
        XCTAssertFalse(try netlink.linkExists(renamed))
        let inside = try RouteNetlink(namespace: ns)
        XCTAssertEqual(Set(try inside.links().map(\.name)), ["lo", renamed])
        try inside.addAddress(ip("10.254.1.2"), prefixLength: 24, to: renamed)
        try inside.setUp(renamed)
        try inside.addRoute(via: ip("10.254.1.1"), device: renamed)
        XCTAssertTrue(try inside.addresses().contains { $0.address == ip("10.254.1.2") && $0.prefixLength == 24 })
        XCTAssertTrue(try inside.routes().contains { $0.isDefault && $0.gateway == ip("10.254.1.1") })
        let insideRoutes = try sandbox.run(in: ns, "ip route").stdout
        XCTAssertTrue(insideRoutes.contains("default via 10.254.1.1 dev \(renamed)"), insideRoutes)
        XCTAssertTrue(try sandbox.run(in: ns, "ip -o addr show dev \(renamed)").stdout.contains("10.254.1.2/24"))
        try inside.deleteAddress(ip("10.254.1.2"), prefixLength: 24, from: renamed)
        XCTAssertFalse(try inside.addresses().contains { $0.address == ip("10.254.1.2") })

        // Addresses and routes in the host namespace, on the test bridge.
        let subnet = try sandbox.freeSubnet()
        try netlink.addAddress(subnet.defaultGateway, prefixLength: subnet.prefixLength, to: bridge)
        XCTAssertTrue(try netlink.addresses().contains { $0.address == subnet.defaultGateway && $0.linkIndex == bridgeLink.index })
        XCTAssertTrue(try netlink.routes().contains { $0.destination == subnet && $0.outputIndex == bridgeLink.index })

        // Deleting the host end removes the peer inside the namespace too.
        try netlink.deleteLink(hostEnd)
        XCTAssertEqual(Set(try inside.links().map(\.name)), ["lo"])
        try netlink.deleteLink(bridge)
        XCTAssertFalse(try netlink.links().contains { $0.name == bridge })
        XCTAssertFalse(try sandbox.run(in: nil, "ip -o link").stdout.contains(sandbox.tag))
    }

    func testErrorsNameTheOperationAndTheObject() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let netlink = try RouteNetlink()
        let missing = sandbox.name("x")
        XCTAssertThrowsError(try netlink.deleteLink(missing)) { error in
            let e = error as! NetworkError
            XCTAssertEqual(e.code, .notFound)
            XCTAssertTrue(e.message.contains("delete link \"\(missing)\""), e.message)
            XCTAssertEqual(e.errno, ENODEV)
        }
        let bridge = sandbox.name("b")
        sandbox.onTeardown { try? netlink.deleteLink(bridge) }
        try netlink.createBridge(bridge)
        XCTAssertThrowsError(try netlink.createBridge(bridge)) { error in
            let e = error as! NetworkError
            XCTAssertEqual(e.errno, EEXIST)
            XCTAssertTrue(e.message.hasPrefix("create bridge \"\(bridge)\": file exists (EEXIST)"), e.message)
        }
        XCTAssertThrowsError(try netlink.createBridge("this-name-is-far-too-long")) { error in
            XCTAssertEqual((error as! NetworkError).code, .invalidArgument)
        }
    }

    func testNamespaceIsBindMountedAndDeletedWithoutTrace() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let ns = try sandbox.namespace("n")
        let mounts = try mountTable()
        XCTAssertTrue(mounts.contains(ns.path), mounts)
        // A fresh namespace: only lo, down; not the host's namespace.
        XCTAssertEqual(try RouteNetlink(namespace: ns).links().map(\.name), ["lo"])
        let hostInode = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        let nsInode = try sandbox.run(in: ns, "readlink /proc/self/ns/net").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNotEqual(hostInode, nsInode)
        XCTAssertThrowsError(try NetworkNamespace.create(named: sandbox.name("n"), in: sandbox.netnsDirectory))
        try ns.delete()
        XCTAssertFalse(FileManager.default.fileExists(atPath: ns.path))
        XCTAssertFalse(try mountTable().contains(ns.path))
        try ns.delete()  // already gone: no error
        // The directory is a shared mount (as /run/netns is) until released.
        XCTAssertTrue(try mountTable().split(separator: "\n").contains { $0.contains(" \(sandbox.netnsDirectory) ") && $0.contains("shared:") })
        try NetworkNamespace.releaseDirectory(sandbox.netnsDirectory)
        XCTAssertFalse(try mountTable().contains(sandbox.netnsDirectory))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.netnsDirectory))
    }

    func testStaleNamespacesAreRemovedAndTheirVethsGoWithThem() throws {
        try TestEnvironment.requireRoot()
        let sandbox = try NetworkSandbox(self)
        let keep = try sandbox.namespace("k"), stale = try sandbox.namespace("s")
        let netlink = try RouteNetlink()
        let hostEnd = sandbox.name("v")
        sandbox.onTeardown { try? netlink.deleteLink(hostEnd) }
        let fd = try stale.open()
        try netlink.createVethPair(hostEnd, peer: "eth0", peerNamespace: fd)
        fd.close()
        XCTAssertEqual(try NetworkNamespace.list(in: sandbox.netnsDirectory), [keep, stale])
        let removed = try NetworkNamespace.removeStale(in: sandbox.netnsDirectory, keeping: [sandbox.name("k")])
        XCTAssertEqual(removed, [stale.path])
        XCTAssertEqual(try NetworkNamespace.list(in: sandbox.netnsDirectory), [keep])
        XCTAssertEqual(try NetworkNamespace.list(in: "/nonexistent-\(sandbox.tag)"), [])
        // The kernel removes the pair when the namespace goes (in its own time: bounded wait).
        var tries = 0
        while try netlink.linkExists(hostEnd), tries < 500 { usleep(10_000); tries += 1 }
        XCTAssertFalse(try netlink.linkExists(hostEnd), "the veth outlived its namespace")
    }
}
