import Foundation
import XCTest
import SwdockOCI
@testable import SwdockEngine

/// The spec for a request against the config.json dockerd 20.10.24 wrote for the same
/// `docker run` (the CLI's request body for each flag set is written out here).
///
/// Known, intended differences, removed before comparing and each checked on its own:
/// - `hooks` (libnetwork's prestart hook; swdock has no libnetwork) and `ociVersion`.
/// - `maskedPaths`: swdock also masks /sys/devices/virtual/powercap (moby added it after 20.10).
/// - `linux.seccomp`: swdock embeds a newer moby profile (checked in `testDefaultSeccomp…`).
/// - `--network host`: Docker joins its host sandbox by netns path; swdock leaves the network
///   namespace out, which is the same namespace.
final class DockerGoldenTests: XCTestCase {
    /// Docker 20.10 on cgroup v1 keeps the host cgroup namespace and uses its own paths.
    static func dockerDefaults() -> SpecDefaults {
        SpecDefaults(cgroupParent: "/swdock-capture", cgroupnsMode: .host, initBinary: "/usr/bin/docker-init")
    }

    func compare(_ fixture: String, config: ContainerConfiguration, hostConfig: HostConfiguration = HostConfiguration(),
                 image: ContainerConfig? = busyboxImage, lastCapability: Int = 40,
                 devices: [RuntimeSpec.Device] = [], sortUserMounts: Bool = false,
                 file: StaticString = #filePath, line: UInt = #line) throws {
        var expected = try DockerFixture.spec(fixture)
        let id = String(expected.linux!.cgroupsPath!.split(separator: "/").last!)
        let ctx = ContainerSpecContext(id: id, image: image, rootfs: expected.root!.path, rootfsFiles: fixtureFiles,
                                       containerDirectory: "/tmp/spec-capture/state/data/containers/\(id)")
        var hc = hostConfig
        if hc.networkMode.isEmpty { hc.networkMode = "none" }
        let host = fakeHost(lastCapability: lastCapability,
                            existing: ["/usr/bin/docker-init", "/tmp/spec-capture-src"], devices: devices)
        var actual = try ContainerSpecBuilder(defaults: Self.dockerDefaults(), host: host)
            .build(config: config, hostConfig: hc, context: ctx).spec

        if !hc.privileged {
            XCTAssertEqual(actual.linux?.maskedPaths?.last, "/sys/devices/virtual/powercap", file: file, line: line)
        }
        actual.linux?.maskedPaths?.removeAll { $0 == "/sys/devices/virtual/powercap" }
        if actual.linux?.maskedPaths?.isEmpty == true { actual.linux?.maskedPaths = nil }
        expected.hooks = nil
        expected.ociVersion = actual.ociVersion
        expected.linux?.namespaces?.removeAll { $0.type == "network" && $0.path != nil }
        let expectedSeccomp = expected.linux?.seccomp
        expected.linux?.seccomp = nil
        let actualSeccomp = actual.linux?.seccomp
        actual.linux?.seccomp = nil
        if fixture == "default" {
            XCTAssertEqual(actualSeccomp?.defaultAction, expectedSeccomp?.defaultAction, file: file, line: line)
            XCTAssertEqual(actualSeccomp?.architectures, expectedSeccomp?.architectures, file: file, line: line)
        } else if fixture == "seccompjson" {
            XCTAssertEqual(actualSeccomp, expectedSeccomp, file: file, line: line)
        }
        if sortUserMounts {
            actual.mounts?.sort { $0.destination < $1.destination }
            expected.mounts?.sort { $0.destination < $1.destination }
        }

        XCTAssertEqual(actual.process, expected.process, "process", file: file, line: line)
        XCTAssertEqual(actual.root, expected.root, "root", file: file, line: line)
        XCTAssertEqual(actual.hostname, expected.hostname, "hostname", file: file, line: line)
        XCTAssertEqual(actual.mounts, expected.mounts, "mounts", file: file, line: line)
        XCTAssertEqual(actual.linux?.namespaces, expected.linux?.namespaces, "namespaces", file: file, line: line)
        XCTAssertEqual(actual.linux?.resources, expected.linux?.resources, "resources", file: file, line: line)
        XCTAssertEqual(actual.linux?.sysctl, expected.linux?.sysctl, "sysctl", file: file, line: line)
        XCTAssertEqual(actual.linux?.devices, expected.linux?.devices, "devices", file: file, line: line)
        XCTAssertEqual(actual, expected, "whole spec", file: file, line: line)
    }

    func testDockerRunBusyboxDefaults() throws {
        try compare("default", config: ContainerConfiguration(cmd: ["true"]))
    }

    func testDefaultSeccompProfileAgainstDocker2010() throws {
        let expected = try XCTUnwrap(try DockerFixture.spec("default").linux?.seccomp)
        let actual = try XCTUnwrap(try build().spec.linux?.seccomp)
        func allowed(_ s: RuntimeSpec.Seccomp, unconditionally: Bool) -> Set<String> {
            Set((s.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" && (!unconditionally || $0.args == nil) }.flatMap(\.names))
        }
        // Everything 20.10 allowed, the newer profile allows too; only socket(2) gained argument
        // rules (AF_VSOCK is refused since moby 25).
        let missing = allowed(expected, unconditionally: true).subtracting(allowed(actual, unconditionally: false))
        XCTAssertEqual(missing, [], "syscalls dockerd 20.10 allows that swdock's profile does not")
        XCTAssertEqual(allowed(expected, unconditionally: true).subtracting(allowed(actual, unconditionally: true)), ["socket"])
        XCTAssertEqual(actual.defaultAction, "SCMP_ACT_ERRNO")
        XCTAssertEqual(actual.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
    }

    func testPrivileged() throws {
        var hc = HostConfiguration()
        hc.privileged = true
        let devices = try DockerFixture.spec("privileged").linux?.devices ?? []
        // dockerd 20.10's capability library stops at CAP_AUDIT_READ (37).
        try compare("privileged", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc, lastCapability: 37,
                    devices: devices)
    }

    func testCapabilityChanges() throws {
        var hc = HostConfiguration()
        hc.capDrop = ["ALL"]
        hc.capAdd = ["NET_ADMIN", "CAP_SYS_TIME"]
        try compare("caps", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc.capDrop = ["chown", "CAP_KILL"]
        hc.capAdd = []
        try compare("capdrop", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
    }

    func testUsers() throws {
        var hc = HostConfiguration()
        hc.groupAdd = ["3000"]
        try compare("user", config: ContainerConfiguration(user: "app", cmd: ["true"]), hostConfig: hc)
        try compare("uidgid", config: ContainerConfiguration(user: "1234:5678", cmd: ["true"]))
        try compare("uidonly", config: ContainerConfiguration(user: "1000", cmd: ["true"]))
        try compare("uidunknown", config: ContainerConfiguration(user: "4242", cmd: ["true"]))
        try compare("usergroup", config: ContainerConfiguration(user: "app:extra", cmd: ["true"]))
    }

    func testResources() throws {
        var hc = HostConfiguration()
        hc.memory = 64 << 20
        hc.nanoCpus = 1_500_000_000
        hc.cpuShares = 512
        hc.cpusetCpus = "0"
        hc.pidsLimit = 100
        hc.memoryReservation = 32 << 20
        hc.oomScoreAdj = 100
        hc.memorySwappiness = -1
        try compare("resources", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)

        hc = HostConfiguration()
        hc.memory = 64 << 20
        hc.memorySwap = 100 << 20
        hc.memorySwappiness = 10
        try compare("swap", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc.memorySwap = -1
        hc.memorySwappiness = -1
        try compare("swapunl", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc.memorySwap = 0
        try compare("memonly", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)

        hc = HostConfiguration()
        hc.nanoCpus = 500_000_000
        try compare("cpusonly", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.cpuQuota = 50000
        hc.cpuPeriod = 200_000
        hc.pidsLimit = -1
        try compare("quota", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.pidsLimit = 0
        try compare("pidszero", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.oomKillDisable = true
        hc.memory = 64 << 20
        hc.memorySwap = 64 << 20
        try compare("oomkill", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.ulimits = [.init(name: "nofile", soft: 1024, hard: 2048), .init(name: "nproc", soft: 100, hard: 100)]
        try compare("ulimit", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
    }

    func testInitReadonlyAndTmpfs() throws {
        var hc = HostConfiguration()
        hc.initProcess = true
        try compare("init", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.readonlyRootfs = true
        hc.tmpfs = ["/run": "size=1m,mode=700", "/scratch": ""]
        // Both tmpfs have depth 1; Docker's order between them comes from a Go map.
        try compare("readonly", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc, sortUserMounts: true)
    }

    func testBindsMountsAndTmpfs() throws {
        var hc = HostConfiguration()
        let src = "/tmp/spec-capture-src"
        hc.binds = ["\(src):/mnt/ro:ro", "\(src):/mnt/rw", "\(src):/mnt/z:z", "\(src)/:/mnt/trail/"]
        hc.mounts = [
            .init(type: "bind", source: src, target: "/mnt/m", readOnly: true),
            .init(type: "bind", source: src, target: "/mnt/p", bindOptions: .init(propagation: "rprivate")),
            .init(type: "tmpfs", target: "/mnt/t", tmpfsOptions: .init(sizeBytes: 1_048_576, mode: 0o1770)),
        ]
        hc.tmpfs = ["/mnt/t2": "ro,size=2m"]
        try compare("binds2", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc, sortUserMounts: true)
    }

    func testSecurityOptions() throws {
        var hc = HostConfiguration()
        hc.securityOpt = ["seccomp=unconfined", "no-new-privileges"]
        try compare("unconfined", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        let profile = #"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}},{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]}"#
        hc.securityOpt = ["seccomp=\(profile)"]
        try compare("seccompjson", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
    }

    func testSysctlsAndNamespaces() throws {
        var hc = HostConfiguration()
        hc.sysctls = ["kernel.shm_rmid_forced": "1", "net.ipv4.ip_forward": "1"]
        try compare("sysctl", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.networkMode = "host"
        try compare("hostnet", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.shmSize = 1 << 30
        hc.ipcMode = "host"
        hc.pidMode = "host"
        hc.utsMode = "host"
        try compare("shm", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc = HostConfiguration()
        hc.cgroupnsMode = "private"
        try compare("cgroupnspriv", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
        hc.cgroupnsMode = "host"
        try compare("cgroupns", config: ContainerConfiguration(cmd: ["true"]), hostConfig: hc)
    }

    func testConfigFields() throws {
        let config = ContainerConfiguration(hostname: "h1", domainname: "example.com", env: ["A=1", "PATH=/x"],
                                            cmd: ["hi"], entrypoint: ["/bin/echo"], workingDir: "/tmp",
                                            labels: ["a": "b"], stopSignal: "SIGUSR1")
        try compare("env", config: config)
        try compare("tty", config: ContainerConfiguration(tty: true, cmd: ["true"]))
    }

    func testImageEntrypointCmdEnvWorkdirUser() throws {
        let image = ContainerConfig(user: "app", exposedPorts: ["80/tcp": EmptyObject()], env: ["FOO=bar", "PATH=/usr/bin:/bin"],
                                    entrypoint: ["/bin/sh", "-c"], cmd: ["echo hi"], workingDir: "/w", labels: ["x": "y"])
        try compare("image", config: ContainerConfiguration(), image: image)
        try compare("imagecmd", config: ContainerConfiguration(cmd: ["ls"]), image: image)
        try compare("imageep", config: ContainerConfiguration(cmd: ["/bin/true"], entrypoint: [""]), image: image)
        try compare("imageenv", config: ContainerConfiguration(user: "0", env: ["FOO=baz", "NEW=1"]), image: image)
    }

    /// The files Docker wrote for /etc/resolv.conf, /etc/hosts and /etc/hostname, with a host
    /// resolv.conf of `nameserver 127.0.0.53`, `::1`, `fe80::1`, `search example.com`, `options ndots:2 edns0`.
    func testNetworkFilesAgainstDocker() throws {
        let hostResolv = "nameserver 127.0.0.53\nnameserver ::1\nnameserver fe80::1\nsearch example.com\noptions ndots:2 edns0\n"
        var host = fakeHost()
        host.resolvConf = hostResolv
        func files(_ capture: String, config: ContainerConfiguration = ContainerConfiguration(cmd: ["true"]),
                   _ edit: (inout HostConfiguration) -> Void = { _ in }) throws {
            var hc = HostConfiguration()
            hc.networkMode = "none"
            edit(&hc)
            let plan = try build(config, hc, host: host)
            let expected = try DockerFixture.text("\(capture).files")
            let contents = Dictionary(uniqueKeysWithValues: plan.files.map { ($0.name, $0.contents) })
            // The capture printed each file after a `--- path` line.
            var rendered = ""
            for (name, path) in [("resolv.conf", "/etc/resolv.conf"), ("hosts", "/etc/hosts"), ("hostname", "/etc/hostname")] {
                rendered += "--- \(path)\n" + contents[name]!
            }
            let hostnameLine = plan.config.hostname
            let expectedText = expected.replacingOccurrences(of: try XCTUnwrap(expected.split(separator: "\n").last.map(String.init)),
                                                             with: hostnameLine)
            XCTAssertEqual(rendered, expectedText, capture)
        }
        try files("filesnone")
        try files("fileshostname", config: ContainerConfiguration(hostname: "h1", domainname: "example.com", cmd: ["true"]))
        try files("filesaddhost") { $0.extraHosts = ["db:10.0.0.5"]; $0.dnsSearch = ["foo.com"] }
        try files("filesdns") { $0.dns = ["1.1.1.1"]; $0.dnsOptions = ["ndots:3"] }
    }
}
