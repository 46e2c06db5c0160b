@testable import SwdockCommands
import Foundation
import SwdockAPI
import XCTest

/// Flags → create body, by docker's parsing rules (values as docker CLI 28 sends them).
final class CreateRequestTests: XCTestCase {
    func request(_ flags: [String], command: [String] = [], environment: [String: String] = [:]) throws -> ContainerCreateRequest {
        try ContainerCreateOptions.parse(flags).request(image: "busybox", command: command, attach: true, autoRemove: false,
                                                        environment: environment)
    }

    func testResourcesAndUnits() throws {
        let host = try XCTUnwrap(try request(["--memory", "64m", "--memory-swap", "-1", "--cpus", "1.5", "--cpu-shares", "512",
                                              "--cpuset-cpus", "0-1", "--pids-limit", "100", "--shm-size", "1g",
                                              "--oom-score-adj", "100"]).hostConfig)
        XCTAssertEqual(host.memory, 64 * 1024 * 1024)
        XCTAssertEqual(host.memorySwap, -1)
        XCTAssertEqual(host.nanoCpus, 1_500_000_000)
        XCTAssertEqual(host.cpuShares, 512)
        XCTAssertEqual(host.cpusetCpus, "0-1")
        XCTAssertEqual(host.pidsLimit, 100)
        XCTAssertEqual(host.shmSize, 1 << 30)
        XCTAssertEqual(host.oomScoreAdj, 100)
        XCTAssertEqual(try FlagParsing.ramInBytes("1.5GiB"), 1_610_612_736)
        XCTAssertEqual(try FlagParsing.ramInBytes("512"), 512)
        XCTAssertEqual(try FlagParsing.ramInBytes("10kb"), 10240)
        XCTAssertThrowsError(try FlagParsing.ramInBytes("12x"))
        XCTAssertThrowsError(try FlagParsing.nanoCPUs("0.0000000001"))
        XCTAssertEqual(try FlagParsing.nanoCPUs(".5"), 500_000_000)
    }

    /// `-p`/`-P`/`--expose`/`--ip`/`--network-alias` as go-connections' nat package and docker's
    /// `run` build them: bindings per `port/proto`, exposed ports implied, ranges one to one.
    func testPortsAndNetworkFlags() throws {
        let created = try request(["-p", "8080:80", "-p", "127.0.0.1:9000-9001:7000-7001/udp", "-p", "53", "-p", "127.0.0.1::443",
                                   "-p", "8000-8010:22", "--expose", "3000-3001", "-P", "--network", "n1", "--ip", "10.7.0.9",
                                   "--network-alias", "web", "--dns-search", "example.test", "--dns-option", "ndots:2"])
        let host = try XCTUnwrap(created.hostConfig)
        func binding(_ port: String) -> [String] {
            (host.portBindings?[port] ?? nil)?.map { "\($0.hostIP ?? ""):\($0.hostPort ?? "")" } ?? []
        }
        XCTAssertEqual(binding("80/tcp"), [":8080"])
        XCTAssertEqual(binding("7000/udp"), ["127.0.0.1:9000"])
        XCTAssertEqual(binding("7001/udp"), ["127.0.0.1:9001"])
        XCTAssertEqual(binding("53/tcp"), [":"])
        XCTAssertEqual(binding("443/tcp"), ["127.0.0.1:"])
        XCTAssertEqual(binding("22/tcp"), [":8000-8010"], "a host range onto one port is left to the daemon")
        XCTAssertEqual(Set(created.exposedPorts?.keys.map { $0 } ?? []),
                       ["80/tcp", "7000/udp", "7001/udp", "53/tcp", "443/tcp", "22/tcp", "3000/tcp", "3001/tcp"])
        XCTAssertEqual(host.publishAllPorts, true)
        XCTAssertEqual(host.networkMode, "n1")
        XCTAssertEqual(host.dnsSearch, ["example.test"])
        XCTAssertEqual(host.dnsOptions, ["ndots:2"])
        let endpoint = try XCTUnwrap(created.networkingConfig?.endpointsConfig?["n1"] ?? nil)
        XCTAssertEqual(endpoint.ipamConfig?.ipv4Address, "10.7.0.9")
        XCTAssertEqual(endpoint.aliases, ["web"])
        XCTAssertThrowsError(try request(["-p", "1:2:3:4"]))
        XCTAssertThrowsError(try request(["-p", "80/xyz"]))
        XCTAssertThrowsError(try request(["-p", "9000-9001:80-82"]))
        XCTAssertThrowsError(try request(["-p", "70000"]))
    }

    func testEnvironmentFromFlagsFileAndHost() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-env-\(UUID().uuidString)")
        try "# comment\n\n  FILE_A=1\nFROM_HOST\nUNSET_IN_HOST\nSPACED= kept \n".write(to: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let env = try request(["--env-file", file.path, "-e", "A=x=y", "-e", "FROM_HOST", "-e", "UNSET"],
                              environment: ["FROM_HOST": "h"]).env
        XCTAssertEqual(env, ["FILE_A=1", "FROM_HOST=h", "SPACED= kept ", "A=x=y", "FROM_HOST=h", "UNSET"])
        XCTAssertNil(try request([]).env, "docker sends Env null without -e")
    }

    func testMountsVolumesTmpfs() throws {
        let create = try request(["-v", "/tmp:/data:ro", "-v", "/anon", "--mount", "type=bind,source=/tmp,target=/b,readonly",
                                  "--mount", "type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770", "--tmpfs", "/run:rw,size=1m",
                                  "--read-only"])
        let host = try XCTUnwrap(create.hostConfig)
        XCTAssertEqual(host.binds, ["/tmp:/data:ro"])
        XCTAssertEqual(create.volumes?.keys.sorted(), ["/anon"])
        XCTAssertEqual(host.mounts?.count, 2)
        XCTAssertEqual(host.mounts?[0].type, "bind")
        XCTAssertEqual(host.mounts?[0].readOnly, true)
        XCTAssertEqual(host.mounts?[1].tmpfsOptions?.sizeBytes, 64 << 20)
        XCTAssertEqual(host.mounts?[1].tmpfsOptions?.mode, 0o1770)
        XCTAssertEqual(host.tmpfs, ["/run": "rw,size=1m"])
        XCTAssertEqual(host.readonlyRootfs, true)
        XCTAssertThrowsError(try request(["-v", "relative:/x:bogus"]))
        XCTAssertThrowsError(try request(["--mount", "type=bind,source=/tmp"])) { XCTAssertTrue("\($0)".contains("target is required")) }
    }

    func testSecurityLimitsAndProcess() throws {
        let create = try request(["--ulimit", "nofile=1024:2048", "--ulimit", "nproc=10", "--cap-add", "net_admin", "--cap-drop",
                                  "CHOWN", "--cap-drop", "NET_ADMIN", "--security-opt", "no-new-privileges", "--sysctl",
                                  "net.ipv4.ip_forward=1", "--init", "--stop-signal", "SIGUSR1", "--stop-timeout", "5",
                                  "--network", "none", "--entrypoint", "/bin/sh", "-u", "1000:1000", "-w", "/tmp", "-h", "h1",
                                  "-l", "a=b", "-l", "flag", "--log-opt", "max-size=1m", "--runtime", "runc", "--privileged"],
                                 command: ["-c", "true"])
        let host = try XCTUnwrap(create.hostConfig)
        XCTAssertEqual(host.ulimits, [.init(name: "nofile", soft: 1024, hard: 2048), .init(name: "nproc", soft: 10, hard: 10)])
        XCTAssertEqual(host.capAdd, ["CAP_NET_ADMIN"])
        XCTAssertEqual(host.capDrop, ["CAP_CHOWN"], "adding wins over dropping the same capability")
        XCTAssertEqual(host.securityOpt, ["no-new-privileges"])
        XCTAssertEqual(host.sysctls, ["net.ipv4.ip_forward": "1"])
        XCTAssertEqual(host.initProcess, true)
        XCTAssertEqual(host.networkMode, "none")
        XCTAssertEqual(host.logConfig?.config, ["max-size": "1m"])
        XCTAssertEqual(host.runtime, "runc")
        XCTAssertEqual(host.privileged, true)
        XCTAssertEqual(create.stopSignal, "SIGUSR1")
        XCTAssertEqual(create.stopTimeout, 5)
        XCTAssertEqual(create.entrypoint, ["/bin/sh"])
        XCTAssertEqual(create.cmd, ["-c", "true"])
        XCTAssertEqual(create.user, "1000:1000")
        XCTAssertEqual(create.workingDir, "/tmp")
        XCTAssertEqual(create.hostname, "h1")
        XCTAssertEqual(create.labels, ["a": "b", "flag": ""])
        XCTAssertThrowsError(try request(["--ulimit", "bogus=1"]))
        XCTAssertThrowsError(try request(["--ulimit", "nofile=10:5"]))
    }

    func testBadValuesAreClear() throws {
        XCTAssertEqual(try request(["-t"]).tty, true)
        XCTAssertThrowsError(try request(["--pull", "sometimes"])) { XCTAssertTrue("\($0)".contains("invalid pull option")) }
    }
}
