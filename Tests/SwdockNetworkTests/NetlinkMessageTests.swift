@testable import SwdockNetwork
import XCTest

/// The wire format without a kernel: lengths, alignment, nesting, parsing.
final class NetlinkMessageTests: XCTestCase {
    func testHeaderAttributesAndNestingAreAlignedAndSized() {
        var request = NetlinkRequest(type: 16 /* RTM_NEWLINK */, flags: 0x4 /* ACK */)
        request.appendInterfaceInfo(index: 7, flags: 1, change: 1)
        request.attribute(3 /* IFLA_IFNAME */, string: "br0")  // 4 + 4 bytes: "br0\0"
        request.beginNested(18 /* IFLA_LINKINFO */)
        request.attribute(1 /* IFLA_INFO_KIND */, string: "veth")  // 4 + 5, padded to 12
        request.endNested()
        let bytes = request.finished(sequence: 42)
        XCTAssertEqual(bytes.count, 16 + 16 + 8 + 4 + 12)
        XCTAssertEqual(Array(bytes[0..<4]), [UInt8(bytes.count), 0, 0, 0])
        XCTAssertEqual(Array(bytes[4..<8]), [16, 0, 0x05, 0])  // type, flags = ACK | REQUEST
        XCTAssertEqual(Array(bytes[8..<12]), [42, 0, 0, 0])
        XCTAssertEqual(Array(bytes[20..<24]), [7, 0, 0, 0])  // ifi_index
        XCTAssertEqual(Array(bytes[32..<40]), [8, 0, 3, 0, 0x62, 0x72, 0x30, 0])
        XCTAssertEqual(Array(bytes[40..<44]), [16, 0, 18, 0])  // nest length covers its padded child
        XCTAssertEqual(Array(bytes[44..<56]), [9, 0, 1, 0, 0x76, 0x65, 0x74, 0x68, 0, 0, 0, 0])
    }

    func testRepliesAndAttributesParse() {
        var reply = NetlinkRequest(type: 20 /* RTM_NEWADDR */, flags: 0)
        reply.appendAddressInfo(prefixLength: 24, index: 3)
        reply.attribute(2 /* IFA_LOCAL */, ipv4: IPv4Subnet.parseAddress("10.1.2.3")!)
        reply.beginNested(0x8000 | 9)  // NLA_F_NESTED is masked off when parsing
        reply.attribute(1, uint32: 1500)
        reply.endNested()
        let one = reply.finished(sequence: 5)
        var done = NetlinkRequest(type: 3 /* NLMSG_DONE */, flags: 0)
        done.attribute(0, uint32: 0)
        let datagram = one + done.finished(sequence: 5)

        let messages = NetlinkReply.split(datagram)
        XCTAssertEqual(messages.map(\.type), [20, 3])
        XCTAssertEqual(messages[0].sequence, 5)
        let attributes = NetlinkAttributes(messages[0].payload.dropFirst(8))
        XCTAssertEqual(attributes.ipv4(2).map(IPv4Subnet.format), "10.1.2.3")
        XCTAssertEqual(attributes.nested(9)?.uint32(1), 1500)
        XCTAssertNil(attributes.string(77))
        // A truncated datagram yields the whole messages only.
        XCTAssertEqual(NetlinkReply.split(Array(datagram.dropLast(3))).count, 1)
    }

    func testSubnetArithmetic() {
        let subnet = IPv4Subnet("172.17.0.0/16")!
        XCTAssertEqual(IPv4Subnet.format(subnet.broadcast), "172.17.255.255")
        XCTAssertEqual(IPv4Subnet.format(subnet.defaultGateway), "172.17.0.1")
        XCTAssertTrue(subnet.overlaps(IPv4Subnet("172.17.3.0/24")!))
        XCTAssertTrue(IPv4Subnet("172.0.0.0/8")!.overlaps(subnet))
        XCTAssertFalse(subnet.overlaps(IPv4Subnet("172.18.0.0/16")!))
        XCTAssertEqual(IPv4Subnet(containing: IPv4Subnet.parseAddress("10.9.8.7")!, prefixLength: 30).description, "10.9.8.4/30")
        XCTAssertNil(IPv4Subnet("10.0.0.1/24"))
    }

    func testFirewallTableNamesItsBridgeAndInternalHasNoMasquerade() {
        let open = NftablesBridgeFirewall.definition(BridgeFirewallRules(bridgeName: "swdock0", subnet: IPv4Subnet("172.17.0.0/16")!, isInternal: false))
        XCTAssertTrue(open.hasPrefix("table ip swdock-swdock0 {"))
        XCTAssertTrue(open.contains("ip saddr 172.17.0.0/16 oifname != \"swdock0\" masquerade"))
        XCTAssertTrue(open.contains("oifname \"swdock0\" ct status dnat accept"))
        XCTAssertFalse(open.contains("iifname \"swdock0\" drop"))
        let closed = NftablesBridgeFirewall.definition(BridgeFirewallRules(bridgeName: "n1", subnet: IPv4Subnet("10.5.0.0/24")!, isInternal: true))
        XCTAssertFalse(closed.contains("oifname != \"n1\" masquerade"))
        XCTAssertTrue(closed.contains("iifname \"n1\" drop"))
        let elements = NftablesBridgeFirewall.elements("delete", [
            PortMapping(proto: .udp, hostIP: IPv4Subnet.parseAddress("127.0.0.1"), hostPort: 53, containerAddress: 1, containerPort: 53),
        ], table: "swdock-n1")
        XCTAssertEqual(elements, "delete element ip swdock-n1 udp_ports_ip { 127.0.0.1 . 53 }\n")
    }
}
