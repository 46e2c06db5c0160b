#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// What a process inside a container sees: Docker's default security and the request's
/// settings, observed from inside, as root with the real runtime (swdock-runtime by default).
final class SecurityObservationTests: XCTestCase {
    func sh(_ rig: ContainerRig, _ script: String, host: HostConfiguration = HostConfiguration(),
            configure: (inout ContainerConfiguration) -> Void = { _ in }) async throws -> (out: String, err: String, code: Int64) {
        var config = ContainerConfiguration(attachStdout: true, attachStderr: true, cmd: ["sh", "-c", script], image: "busybox")
        configure(&config)
        let created = try await rig.service.create(name: nil, config: config, hostConfig: host)
        let output = try await rig.service.attach(created.id, stdout: true, stderr: true, logs: false, stream: true)
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        _ = try await rig.service.start(created.id)
        let (out, err) = await collect(output)
        let waited = await waiter.result()
        let result = try XCTUnwrap(waited)
        return (out, err, result.statusCode)
    }

    func testDefaultCapabilitiesSeccompAndMaskedPaths() async throws {
        let rig = try ContainerRig(test: self)
        let caps = try await sh(rig, "grep -E '^(CapEff|CapPrm|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status")
        // Docker's 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE
        // NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
        XCTAssertEqual(caps.out, "NoNewPrivs:\t0\nSeccomp:\t2\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n"
                       .split(separator: "\n").sorted(by: { order($0) < order($1) }).joined(separator: "\n") + "\n", caps.err)
        let unshare = try await sh(rig, "unshare -U true")
        XCTAssertNotEqual(unshare.code, 0)
        XCTAssertTrue(unshare.err.contains("Operation not permitted"), "seccomp denies unshare with EPERM: \(unshare.err)")
        // This kernel has no /proc/kcore; /proc/timer_list and /proc/keys (masked with /dev/null)
        // are non-empty on the host.
        let masked = try await sh(rig, "echo timer_list=$(wc -c < /proc/timer_list); echo firmware=$(ls -A /sys/firmware | wc -l); echo keys=$(cat /proc/keys | wc -c); echo 1 > /proc/sys/kernel/ns_last_pid || echo ro")
        XCTAssertEqual(masked.out, "timer_list=0\nfirmware=0\nkeys=0\nro\n", masked.err)
        XCTAssertTrue(masked.err.contains("Read-only file system"), masked.err)
    }

    func order(_ line: Substring) -> Int {
        ["CapPrm", "CapEff", "CapBnd", "NoNewPrivs", "Seccomp"].firstIndex { line.hasPrefix($0) } ?? 9
    }

    func testEnvUserWorkingDirHostnameAndFiles() async throws {
        let rig = try ContainerRig(test: self)
        let result = try await sh(rig, "echo $FOO; id -u; id -g; pwd; echo $HOSTNAME; hostname; cat /etc/hostname; grep -c localhost /etc/hosts") { config in
            config.env = ["FOO=bar"]
            config.user = "1000:1000"
            config.workingDir = "/tmp"
        }
        let lines = result.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 8, result.out + result.err)
        XCTAssertEqual(Array(lines.prefix(4)), ["bar", "1000", "1000", "/tmp"])
        XCTAssertEqual(lines[4].count, 12, "hostname is the short ID")
        XCTAssertEqual(lines[5], lines[4])
        XCTAssertEqual(lines[6], lines[4])
        XCTAssertEqual(lines[7], "2")
        let nobody = try await sh(rig, "id -un") { $0.user = "nobody" }
        XCTAssertEqual(nobody.out, "nobody\n", "a user name is looked up in the image's /etc/passwd: \(nobody.err)")
    }

    func testBindsReadOnlyRootfsAndMemoryLimit() async throws {
        let rig = try ContainerRig(test: self)
        let shared = rig.root + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try "from the host\n".write(toFile: shared + "/file", atomically: false, encoding: .utf8)
        var host = HostConfiguration()
        host.binds = ["\(shared):/data:ro", "\(shared):/rw"]
        host.readonlyRootfs = true
        host.memory = 64 << 20
        let result = try await sh(rig, """
            cat /data/file; touch /data/x 2>/dev/null || echo bind-ro; touch /rw/made && echo bind-rw; \
            touch /root-file 2>&1 | grep -o 'Read-only file system'; cat /sys/fs/cgroup/memory/memory.limit_in_bytes
            """, host: host)
        XCTAssertEqual(result.out, "from the host\nbind-ro\nbind-rw\nRead-only file system\n\(64 << 20)\n", result.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: shared + "/made"))
    }

    func testNetworkNoneByDefaultHostOnRequestAndCapabilityTweaks() async throws {
        let rig = try ContainerRig(test: self)
        // /proc/net/dev: two header lines, then one line per interface.
        let none = try await sh(rig, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")
        XCTAssertEqual(none.out, "lo\n", "no NetworkMode means none until the bridge lands: \(none.err)")
        var host = HostConfiguration()
        host.networkMode = "host"
        let hostNet = try await sh(rig, "tail -n +3 /proc/net/dev | wc -l; hostname", host: host)
        let hostInterfaces = try String(contentsOfFile: "/proc/net/dev", encoding: .utf8).split(separator: "\n").count - 2
        var hostName = [CChar](repeating: 0, count: 256)
        gethostname(&hostName, 255)
        XCTAssertEqual(hostNet.out, "\(hostInterfaces)\n\(String(cString: hostName))\n", hostNet.err)

        var dropped = HostConfiguration()
        dropped.capDrop = ["ALL"]
        dropped.capAdd = ["NET_BIND_SERVICE"]
        dropped.pidsLimit = 20
        let caps = try await sh(rig, "grep CapEff /proc/self/status; cat /sys/fs/cgroup/pids/pids.max", host: dropped)
        XCTAssertEqual(caps.out, "CapEff:\t0000000000000400\n20\n", caps.err)
    }
}
