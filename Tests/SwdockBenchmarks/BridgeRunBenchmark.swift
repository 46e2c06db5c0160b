import Foundation
import SwdockNetwork
import SwdockTestSupport
import XCTest

/// Not a test: the networking issue's end-to-end figure, `run --rm IMG true` on each engine's
/// default bridge network against `--network none`, swdock (its CLI, swdockd with a bridge and
/// nftables NAT of its own) and a private dockerd (its CLI, `--bridge` on a bridge this
/// benchmark makes), alternating inside each round, medians.
///
/// dockerd runs with `--iptables=false` as every private dockerd of the tests does (its rules
/// would stay in the host's tables after it stops); with no published port its per-container
/// bridge work is the same, so this if anything flatters docker.
///
/// Runs only with SWDOCK_BENCH=1 (`bench/engine/run.sh` runs it); asserts only that commands
/// succeed. Rounds: SWDOCK_BENCH_RUNS (default 10).
final class BridgeRunBenchmark: XCTestCase {
    func testBenchRunRemoveOnTheDefaultBridge() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SWDOCK_BENCH"] == "1" else { throw XCTSkip("benchmark: run with SWDOCK_BENCH=1") }
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let rounds = Int(environment["SWDOCK_BENCH_RUNS"] ?? "") ?? 10
        let image = "\(registry)/swdock-fixtures/busybox:latest"

        let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        let ourBridge = "swb\(tag)s", dockersBridge = "swb\(tag)d"
        let ourSubnet = try TestSubnets.free(), dockersSubnet = try TestSubnets.free(excluding: [ourSubnet])
        defer {
            _ = try? runCommand("/bin/sh", ["-c", "ip link del \(ourBridge); ip link del \(dockersBridge); "
                + "nft delete table ip \(NftablesBridgeFirewall.tableName(bridge: ourBridge))"])
        }
        try Self.makeBridge(dockersBridge, gateway: "\(IPv4Subnet.format(dockersSubnet.network + 1))/\(dockersSubnet.prefixLength)")

        let swdock = try BenchEngine.swdock(config: #"{"bridge": "\#(ourBridge)", "bip": "\#(IPv4Subnet.format(ourSubnet.network + 1))/24"}"#)
        defer { swdock.stop() }
        let docker = try BenchEngine.docker(bridge: dockersBridge)
        defer { docker.stop() }
        let engines = [swdock, docker]
        for engine in engines { try engine.pull(image) }
        // What is measured is a container on the bridge: its eth0 has an address of the subnet.
        for (engine, subnet) in [(swdock, ourSubnet), (docker, dockersSubnet)] {
            let address = try engine.timed(["run", "--rm", image, "ip", "-4", "-o", "addr", "show", "eth0"]).output
            let prefix = IPv4Subnet.format(subnet.network).split(separator: ".").prefix(3).joined(separator: ".") + "."
            guard address.contains("inet " + prefix) else { throw FixtureError("\(engine.name) on its bridge", "eth0: \(address)") }
        }

        var results = BenchResults(engines: engines.map(\.name))
        for round in 0..<rounds {
            let order = round % 2 == 0 ? engines : engines.reversed()
            for engine in order {
                results.add("run --rm IMG true (default bridge)", engine.name, try engine.timed(["run", "--rm", image, "true"]))
                results.add("run --rm --network none IMG true", engine.name,
                            try engine.timed(["run", "--rm", "--network", "none", image, "true"]))
            }
        }
        print(results.table())
    }

    /// Makes bridge `name` with the address `gateway` (CIDR), up.
    static func makeBridge(_ name: String, gateway: String) throws {
        let result = try runCommand("/bin/sh", ["-c", "ip link add \(name) type bridge && ip addr add \(gateway) dev \(name) && ip link set \(name) up"])
        guard result.status == 0 else { throw FixtureError("make bridge \(name)", result.stderr) }
    }
}
