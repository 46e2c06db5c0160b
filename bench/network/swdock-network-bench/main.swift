// bench/network: what the bridge driver costs a container start, and what the bridge costs
// TCP. Needs root; touches only a bridge, namespaces and an nftables table of its own
// (`swb<random>`), removed at the end; traffic only to 127.0.0.1 and to its own namespace.
import Foundation
import SwdockNetwork
import SwdockOS

let arguments = CommandLine.arguments
let runs = arguments.firstIndex(of: "--runs").map { Int(arguments[$0 + 1])! } ?? 30
let seconds = arguments.firstIndex(of: "--seconds").map { Int(arguments[$0 + 1])! } ?? 5
let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
let directory = "/tmp/swb-netns-\(tag)"

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 }
func median(_ values: [UInt64]) -> Double { let s = values.sorted(); return ms(s[s.count / 2]) }
func p90(_ values: [UInt64]) -> Double { let s = values.sorted(); return ms(s[min(s.count - 1, s.count * 9 / 10)]) }
func report(_ name: String, _ values: [UInt64]) {
    let padded = name.padding(toLength: 46, withPad: " ", startingAt: 0)
    print(padded + String(format: " median %7.3f ms   p90 %7.3f ms   (n=%d)", median(values), p90(values), values.count))
}

@discardableResult
func run(_ executable: String, _ args: [String], wait: Bool = true) throws -> (Process, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    if wait { process.waitUntilExit() }
    return (process, pipe)
}

/// iperf3 client for `seconds`; the received rate in Gbit/s.
func iperf(_ prefix: [String], host: String, port: UInt16) throws -> Double {
    var lastError = "no attempt"
    for _ in 0..<50 {
        let (process, pipe) = try run(prefix.first!, Array(prefix.dropFirst()) + ["iperf3", "-c", host, "-p", "\(port)", "-t", "\(seconds)", "-J"])
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        if process.terminationStatus == 0,
           let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
           let end = json["end"] as? [String: Any], let received = end["sum_received"] as? [String: Any],
           let bps = received["bits_per_second"] as? Double {
            return bps / 1e9
        }
        lastError = String(decoding: data.prefix(300), as: UTF8.self)
        usleep(100_000)  // the server may not listen yet
    }
    throw NetworkError(.system, "iperf3 to \(host):\(port) failed: \(lastError)")
}

let netlink = try RouteNetlink()
let pool = try AddressPool(base: IPv4Subnet("10.200.0.0/13")!, size: 24)
let subnet = try SubnetSelector.select(from: [pool], inUse: [], netlink: netlink)
let network = BridgeNetwork(try BridgeConfiguration(bridgeName: "swb\(tag)", subnet: subnet), netlink: netlink,
                            firewall: try makeBridgeFirewall())
var servers: [Process] = []
var namespaces: [NetworkNamespace] = []
@MainActor func cleanup() {
    for server in servers where server.isRunning { server.terminate(); server.waitUntilExit() }
    try? network.teardown()
    for ns in namespaces { try? ns.delete() }
    try? NetworkNamespace.releaseDirectory(directory)
}
defer { cleanup() }

do {
    let ensureStart = now()
    try network.ensure()
    print("bridge swb\(tag) \(subnet): ensure (bridge, address, sysctls, nft table) \(String(format: "%.3f", ms(now() - ensureStart))) ms")

    var create: [UInt64] = [], attach: [UInt64] = [], detach: [UInt64] = [], delete: [UInt64] = []
    var publish: [UInt64] = [], unpublish: [UInt64] = []
    let allocator = try IPAddressAllocator(network: "bench", subnet: subnet, store: InMemoryLeaseStore())
    for i in 0..<(runs + 3) {  // the first 3 warm up and are not counted
        let t0 = now()
        let ns = try NetworkNamespace.create(named: "c\(i)", in: directory)
        let t1 = now()
        let address = try allocator.allocate(owner: "c\(i)")
        let attachment = try network.attach(endpointID: "bench-\(tag)-\(i)", namespace: ns, address: address)
        let t2 = now()
        let ports = [PortMapping(proto: .tcp, hostIP: nil, hostPort: 30000 + UInt16(i), containerAddress: address, containerPort: 80)]
        try network.publish(ports)
        let t3 = now()
        try network.unpublish(ports)
        let t4 = now()
        try network.detach(attachment)
        try allocator.release(address)
        let t5 = now()
        try ns.delete()
        let t6 = now()
        if i >= 3 {
            create.append(t1 - t0); attach.append(t2 - t1); publish.append(t3 - t2); unpublish.append(t4 - t3)
            detach.append(t5 - t4); delete.append(t6 - t5)
        }
    }
    report("netns create (bind-mounted)", create)
    report("IP lease + attach (veth, eth0, route)", attach)
    report("detach + release", detach)
    report("netns delete", delete)
    report("attach + detach", zip(attach, detach).map { $0 + $1 })
    report("netns + attach + detach + delete", (0..<runs).map { create[$0] + attach[$0] + detach[$0] + delete[$0] })
    // Removal without detach: deleting the namespace is enough, the kernel removes the veth
    // pair in its own netns cleanup work instead of making the caller wait for it.
    var nsOnly: [UInt64] = [], gone: [UInt64] = []
    for i in 0..<runs {
        let ns = try NetworkNamespace.create(named: "d\(i)", in: directory)
        let address = try allocator.allocate(owner: "d\(i)")
        let attachment = try network.attach(endpointID: "bench-\(tag)-d\(i)", namespace: ns, address: address)
        let t0 = now()
        try ns.delete()
        try allocator.release(address)
        let t1 = now()
        while try netlink.linkExists(attachment.hostInterface) { usleep(200) }
        nsOnly.append(t1 - t0)
        gone.append(now() - t0)
    }
    report("netns delete + release, attached (no detach)", nsOnly)
    report("  ... until the kernel has removed the veth", gone)
    report("publish 1 port (nft transaction)", publish)
    report("unpublish 1 port (nft transaction)", unpublish)

    // TCP throughput with iperf3: namespace → host over the bridge, host → namespace through a
    // published port on 127.0.0.1 (DNAT in OUTPUT), and host loopback as the baseline.
    guard FileManager.default.fileExists(atPath: "/usr/bin/iperf3") else {
        print("iperf3 not installed (apt-get install iperf3): throughput skipped")
        exit(0)
    }
    let ns = try NetworkNamespace.create(named: "tput", in: directory)
    namespaces.append(ns)
    let address = try allocator.allocate(owner: "tput")
    _ = try network.attach(endpointID: "bench-\(tag)-tput", namespace: ns, address: address)
    let gateway = IPv4Subnet.format(network.configuration.gateway)
    let hostServerPort: UInt16 = 25201, nsServerPort: UInt16 = 25202, publishedPort: UInt16 = 25203, loopPort: UInt16 = 25204
    servers.append(try run("/usr/bin/iperf3", ["-s", "-B", gateway, "-p", "\(hostServerPort)"], wait: false).0)
    servers.append(try run("/usr/bin/nsenter", ["--net=\(ns.path)", "iperf3", "-s", "-B", IPv4Subnet.format(address), "-p", "\(nsServerPort)"], wait: false).0)
    servers.append(try run("/usr/bin/iperf3", ["-s", "-B", "127.0.0.1", "-p", "\(loopPort)"], wait: false).0)
    try network.publish([PortMapping(proto: .tcp, hostPort: publishedPort, containerAddress: address, containerPort: nsServerPort)])
    let bridgeRate = try iperf(["/usr/bin/nsenter", "--net=\(ns.path)"], host: gateway, port: hostServerPort)
    let publishedRate = try iperf(["/usr/bin/env"], host: "127.0.0.1", port: publishedPort)
    let loopbackRate = try iperf(["/usr/bin/env"], host: "127.0.0.1", port: loopPort)
    print(String(format: "TCP netns -> host over the bridge        %6.2f Gbit/s", bridgeRate))
    print(String(format: "TCP host -> 127.0.0.1 published port     %6.2f Gbit/s", publishedRate))
    print(String(format: "TCP host loopback (baseline)             %6.2f Gbit/s", loopbackRate))
} catch {
    print("bench failed: \(error)")
    cleanup()
    exit(1)
}
