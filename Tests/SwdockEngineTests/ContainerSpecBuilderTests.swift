import XCTest
import SwdockOCI
@testable import SwdockEngine

final class ContainerSpecBuilderTests: XCTestCase {
    // ── Entrypoint / Cmd ─────────────────────────────────────────────────
    func testEntrypointAndCmdMerging() throws {
        let image = ContainerConfig(entrypoint: ["/bin/sh", "-c"], cmd: ["echo hi"])
        let cases: [(String, [String]?, [String]?, [String])] = [
            ("image entrypoint + image cmd", nil, nil, ["/bin/sh", "-c", "echo hi"]),
            ("request cmd replaces image cmd", nil, ["ls"], ["/bin/sh", "-c", "ls"]),
            ("request entrypoint drops image cmd", ["/bin/echo"], nil, ["/bin/echo"]),
            ("request entrypoint + request cmd", ["/bin/echo"], ["a", "b"], ["/bin/echo", "a", "b"]),
            ("empty-string entrypoint clears both", [""], ["/bin/true"], ["/bin/true"]),
            ("empty entrypoint list keeps image cmd", [], nil, ["echo hi"]),
        ]
        for (name, entrypoint, cmd, expected) in cases {
            let plan = try build(ContainerConfiguration(cmd: cmd, entrypoint: entrypoint), context: context(image: image))
            XCTAssertEqual(plan.spec.process?.args, expected, name)
            XCTAssertEqual(plan.path, expected[0], name)
            XCTAssertEqual(plan.args, Array(expected.dropFirst()), name)
        }
    }

    func testNoCommandIsAnError() {
        assertEngineError(.invalidArgument, "No command specified") {
            _ = try build(ContainerConfiguration(), context: context(image: ContainerConfig()))
        }
        assertEngineError(.invalidArgument, "No command specified") {
            _ = try build(ContainerConfiguration(entrypoint: [""]), context: context(image: busyboxImage))
        }
    }

    // ── Env ──────────────────────────────────────────────────────────────
    func testEnvironment() throws {
        let image = ContainerConfig(env: ["PATH=/usr/bin:/bin", "FOO=bar", "KEEP=1"], cmd: ["sh"])
        let cases: [(String, [String]?, Bool, [String])] = [
            ("image env after PATH and HOSTNAME", nil, false,
             ["PATH=/usr/bin:/bin", "HOSTNAME=5ce77132f934", "FOO=bar", "KEEP=1"]),
            ("request replaces same key", ["FOO=baz", "NEW=1"], false,
             ["PATH=/usr/bin:/bin", "HOSTNAME=5ce77132f934", "FOO=baz", "NEW=1", "KEEP=1"]),
            ("tty adds TERM", nil, true,
             ["PATH=/usr/bin:/bin", "HOSTNAME=5ce77132f934", "TERM=xterm", "FOO=bar", "KEEP=1"]),
            ("bare name unsets a default", ["HOSTNAME"], false, ["PATH=/usr/bin:/bin", "FOO=bar", "KEEP=1"]),
        ]
        for (name, env, tty, expected) in cases {
            let plan = try build(ContainerConfiguration(tty: tty, env: env), context: context(image: image))
            XCTAssertEqual(plan.spec.process?.env, expected, name)
        }
        let plain = try build(ContainerConfiguration(cmd: ["true"]), context: context(image: nil))
        XCTAssertEqual(plain.spec.process?.env, [ContainerSpecBuilder.defaultPath, "HOSTNAME=5ce77132f934"])
    }

    func testMergedConfigAsInspectShowsIt() throws {
        let image = ContainerConfig(exposedPorts: ["80/tcp": EmptyObject()], env: ["A=1"], cmd: ["sh"],
                                    volumes: ["/data": EmptyObject()], workingDir: "/w", labels: ["x": "y", "k": "image"],
                                    stopSignal: "SIGQUIT")
        let request = ContainerConfiguration(exposedPorts: ["443/tcp"], env: ["B=2"], labels: ["k": "request"])
        let plan = try build(request, context: context(image: image))
        XCTAssertEqual(plan.config.exposedPorts, ["443/tcp", "80/tcp"])
        XCTAssertEqual(plan.config.env, ["B=2", "A=1"])
        XCTAssertEqual(plan.config.labels, ["x": "y", "k": "request"])
        XCTAssertEqual(plan.config.stopSignal, "SIGQUIT")
        XCTAssertEqual(plan.config.workingDir, "/w")
        XCTAssertEqual(plan.config.cmd, ["sh"])
        XCTAssertEqual(plan.config.hostname, "5ce77132f934")
        XCTAssertEqual(plan.anonymousVolumes, ["/data"])
        XCTAssertEqual(plan.spec.process?.cwd, "/w")
        let own = try build(ContainerConfiguration(cmd: ["true"], stopSignal: "SIGUSR1"), context: context(image: image))
        XCTAssertEqual(own.config.stopSignal, "SIGUSR1")
    }

    func testStopSignal() throws {
        for name in ["SIGTERM", "term", "9", "SIGRTMIN+3", "RTMAX-1"] {
            XCTAssertEqual(try build(ContainerConfiguration(cmd: ["true"], stopSignal: name)).config.stopSignal, name)
        }
        XCTAssertEqual(try SignalName.parse("SIGRTMIN+3"), 37)
        for name in ["SIGFOO", "0", "65", "RTMIN+31"] {
            assertEngineError(.invalidArgument, "Invalid signal: \(name)") {
                _ = try build(ContainerConfiguration(cmd: ["true"], stopSignal: name))
            }
        }
    }

    // ── WorkingDir, hostname ─────────────────────────────────────────────
    func testWorkingDirectory() throws {
        XCTAssertEqual(try build().spec.process?.cwd, "/")
        XCTAssertEqual(try build(ContainerConfiguration(cmd: ["true"], workingDir: "/a/../b/")).spec.process?.cwd, "/b")
        assertEngineError(.invalidArgument, "the working directory 'rel' is invalid, it needs to be an absolute path") {
            _ = try build(ContainerConfiguration(cmd: ["true"], workingDir: "rel"))
        }
    }

    func testHostname() throws {
        XCTAssertEqual(try build().spec.hostname, "5ce77132f934")
        XCTAssertEqual(try build(ContainerConfiguration(hostname: "web", cmd: ["true"])).spec.hostname, "web")
        var hc = HostConfiguration()
        hc.networkMode = "host"
        let host = try build(ContainerConfiguration(cmd: ["true"]), hc)
        XCTAssertEqual(host.spec.hostname, "vm")
        XCTAssertTrue(host.spec.process!.env!.contains("HOSTNAME=vm"))
        hc = HostConfiguration()
        hc.utsMode = "host"
        XCTAssertNil(try build(ContainerConfiguration(cmd: ["true"]), hc).spec.hostname)
        assertEngineError(.invalidArgument, "Conflicting options: hostname and the UTS mode") {
            _ = try build(ContainerConfiguration(hostname: "x", cmd: ["true"]), hc)
        }
        let domain = try build(ContainerConfiguration(domainname: "example.com", cmd: ["true"]))
        XCTAssertEqual(domain.spec.linux?.sysctl?["kernel.domainname"], "example.com")
    }

    // ── User ─────────────────────────────────────────────────────────────
    func testUserFromPasswd() throws {
        var hc = HostConfiguration()
        hc.groupAdd = ["extra", "3000"]
        let plan = try build(ContainerConfiguration(user: "app", cmd: ["true"]), hc)
        let user = try XCTUnwrap(plan.spec.process?.user)
        XCTAssertEqual(user.uid, 1000)
        XCTAssertEqual(user.gid, 1000)
        XCTAssertEqual(user.additionalGids, [1000, 2000, 3000])
        // A non-root user keeps only the bounding set, as Docker ≥ 20.10.14.
        XCTAssertEqual(plan.spec.process?.capabilities?.bounding, DefaultCapabilities.names)
        XCTAssertNil(plan.spec.process?.capabilities?.effective)
        XCTAssertNil(plan.spec.process?.capabilities?.permitted)
        XCTAssertNil(plan.spec.process?.capabilities?.inheritable)
        XCTAssertNil(plan.spec.process?.capabilities?.ambient)
        let root = try build().spec.process!
        XCTAssertEqual(root.user.additionalGids, [0])
        XCTAssertEqual(root.capabilities?.effective, DefaultCapabilities.names)
        XCTAssertEqual(root.capabilities?.permitted, DefaultCapabilities.names)
    }

    func testUserErrors() {
        assertEngineError(.notFound, "unable to find user nobody: no matching entries in passwd file") {
            _ = try build(ContainerConfiguration(user: "nobody", cmd: ["true"]))
        }
        assertEngineError(.notFound, "unable to find group nogroup: no matching entries in group file") {
            _ = try build(ContainerConfiguration(user: "app:nogroup", cmd: ["true"]))
        }
        var hc = HostConfiguration()
        hc.groupAdd = ["wheel"]
        assertEngineError(.notFound, "Unable to find group wheel") {
            _ = try build(ContainerConfiguration(cmd: ["true"]), hc)
        }
    }

    // ── Capabilities ─────────────────────────────────────────────────────
    func testCapabilities() throws {
        let cases: [(String, [String], [String], [String])] = [
            ("defaults", [], [], DefaultCapabilities.names),
            ("drop ALL add NET_ADMIN", ["NET_ADMIN"], ["ALL"], ["CAP_NET_ADMIN"]),
            ("lower case without prefix", ["sys_time"], ["chown"],
             DefaultCapabilities.names.filter { $0 != "CAP_CHOWN" } + ["CAP_SYS_TIME"]),
            ("add an existing one", ["CAP_KILL"], [], DefaultCapabilities.names),
            ("add ALL drop NET_RAW", ["ALL"], ["NET_RAW"], DefaultCapabilities.known.filter { $0 != "CAP_NET_RAW" }),
        ]
        for (name, add, drop, expected) in cases {
            var hc = HostConfiguration()
            hc.capAdd = add
            hc.capDrop = drop
            let caps = try build(ContainerConfiguration(cmd: ["true"]), hc).spec.process?.capabilities
            XCTAssertEqual(caps?.bounding, expected, name)
            XCTAssertEqual(caps?.effective, expected, name)
        }
        var hc = HostConfiguration()
        hc.capAdd = ["CAP_NOPE"]
        assertEngineError(.invalidArgument, "unknown capability: \"CAP_NOPE\"") {
            _ = try build(ContainerConfiguration(cmd: ["true"]), hc)
        }
        XCTAssertEqual(DefaultCapabilities.all(lastCapability: 37).last, "CAP_AUDIT_READ")
        XCTAssertEqual(DefaultCapabilities.all(lastCapability: 40).count, 41)
    }

    // ── Security ─────────────────────────────────────────────────────────
    func testPrivileged() throws {
        var hc = HostConfiguration()
        hc.privileged = true
        let device = RuntimeSpec.Device(type: "c", path: "/dev/kvm", major: 10, minor: 232, fileMode: 0o600, uid: 0, gid: 0)
        let spec = try build(ContainerConfiguration(cmd: ["true"]), hc, host: fakeHost(devices: [device])).spec
        XCTAssertNil(spec.linux?.seccomp)
        XCTAssertNil(spec.linux?.maskedPaths)
        XCTAssertNil(spec.linux?.readonlyPaths)
        XCTAssertEqual(spec.process?.capabilities?.bounding, DefaultCapabilities.known)
        XCTAssertEqual(spec.linux?.devices, [device])
        XCTAssertEqual(spec.linux?.resources?.devices, [RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")])
        XCTAssertEqual(spec.mounts?.first { $0.destination == "/sys" }?.options, ["nosuid", "noexec", "nodev"])
        XCTAssertEqual(spec.mounts?.first { $0.destination == "/sys/fs/cgroup" }?.options, ["nosuid", "noexec", "nodev"])
    }

    func testDefaultSecurity() throws {
        let spec = try build().spec
        XCTAssertEqual(spec.linux?.maskedPaths, ContainerSpecBuilder.maskedPaths)
        XCTAssertEqual(spec.linux?.readonlyPaths, ContainerSpecBuilder.readonlyPaths)
        XCTAssertNil(spec.process?.noNewPrivileges)
        XCTAssertNil(spec.process?.rlimits)
        XCTAssertEqual(spec.linux?.namespaces?.map(\.type), ["mount", "network", "uts", "pid", "ipc", "cgroup"])
        XCTAssertEqual(spec.linux?.cgroupsPath, "/swdock/\(testID)")
        XCTAssertEqual(spec.linux?.resources?.devices, ContainerSpecBuilder.defaultDeviceRules)
        let seccomp = try XCTUnwrap(spec.linux?.seccomp)
        XCTAssertEqual(seccomp, DefaultSeccompTestReference.resolved(capabilities: DefaultCapabilities.names))
        // CAP_SYS_ADMIN unlocks the rules the profile keys on it (mount, unshare, …).
        var hc = HostConfiguration()
        hc.capAdd = ["SYS_ADMIN"]
        let admin = try XCTUnwrap(try build(ContainerConfiguration(cmd: ["true"]), hc).spec.linux?.seccomp)
        XCTAssertTrue(admin.syscalls!.contains { $0.names.contains("mount") && $0.action == "SCMP_ACT_ALLOW" })
        XCTAssertFalse(seccomp.syscalls!.contains { $0.names.contains("mount") && $0.action == "SCMP_ACT_ALLOW" })
    }

    func testSecurityOptions() throws {
        func spec(_ options: [String]) throws -> ContainerSpecPlan {
            var hc = HostConfiguration()
            hc.securityOpt = options
            return try build(ContainerConfiguration(cmd: ["true"]), hc)
        }
        XCTAssertNil(try spec(["seccomp=unconfined"]).spec.linux?.seccomp)
        XCTAssertNil(try spec(["seccomp:unconfined"]).spec.linux?.seccomp)
        XCTAssertEqual(try spec(["no-new-privileges"]).spec.process?.noNewPrivileges, true)
        XCTAssertEqual(try spec(["no-new-privileges:true"]).spec.process?.noNewPrivileges, true)
        XCTAssertNil(try spec(["no-new-privileges=false"]).spec.process?.noNewPrivileges)
        XCTAssertNotNil(try spec(["apparmor=unconfined"]).spec.linux?.seccomp)
        let label = try spec(["label=disable"])
        XCTAssertEqual(label.warnings, ["security option \"label=disable\" ignored: SELinux is not supported by swdock"])
        let custom = try spec([#"seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]}"#])
        XCTAssertEqual(custom.spec.linux?.seccomp,
                       RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [.init(names: ["chmod"], action: "SCMP_ACT_ERRNO")]))

        assertEngineError(.notSupported, "AppArmor profile \"docker-default\": swdock does not load AppArmor profiles (use apparmor=unconfined)") {
            _ = try spec(["apparmor=docker-default"])
        }
        assertEngineError(.invalidArgument, "invalid --security-opt 1: \"bogus\"") { _ = try spec(["bogus"]) }
        assertEngineError(.invalidArgument, "invalid --security-opt 2: \"foo=bar\"") { _ = try spec(["foo=bar"]) }
        assertEngineError(.invalidArgument, "invalid --security-opt 2: \"no-new-privileges=maybe\"") {
            _ = try spec(["no-new-privileges=maybe"])
        }
        do {
            _ = try spec(["seccomp={not json"])
            XCTFail("expected an error")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .invalidArgument)
            XCTAssertTrue(error.message.hasPrefix("Error loading seccomp profile: decoding seccomp profile"), error.message)
        }
    }

    // ── Sysctls ──────────────────────────────────────────────────────────
    func testSysctls() throws {
        func sysctls(_ values: [String: String], network: String = "none", ipc: String = "") throws -> [String: String]? {
            var hc = HostConfiguration()
            hc.sysctls = values
            hc.networkMode = network
            hc.ipcMode = ipc
            return try build(ContainerConfiguration(cmd: ["true"]), hc).spec.linux?.sysctl
        }
        XCTAssertEqual(try sysctls([:]), ["net.ipv4.ip_unprivileged_port_start": "0", "net.ipv4.ping_group_range": "0 2147483647"])
        XCTAssertNil(try sysctls([:], network: "host"))
        XCTAssertEqual(try sysctls(["net.ipv4.ip_unprivileged_port_start": "1024", "kernel.msgmax": "65536",
                                    "fs.mqueue.msg_max": "20"]),
                       ["net.ipv4.ip_unprivileged_port_start": "1024", "net.ipv4.ping_group_range": "0 2147483647",
                        "kernel.msgmax": "65536", "fs.mqueue.msg_max": "20"])
        assertEngineError(.invalidArgument, "sysctl 'vm.swappiness=1' is not whitelisted") { _ = try sysctls(["vm.swappiness": "1"]) }
        assertEngineError(.invalidArgument, "sysctl 'kernel.pid_max=100' is not whitelisted") { _ = try sysctls(["kernel.pid_max": "100"]) }
        assertEngineError(.invalidArgument, "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace") {
            _ = try sysctls(["net.ipv4.ip_forward": "1"], network: "host")
        }
        assertEngineError(.invalidArgument, "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace") {
            _ = try sysctls(["kernel.shmmax": "1"], ipc: "host")
        }
    }

    // ── Resources ────────────────────────────────────────────────────────
    func testMemoryAndCPU() throws {
        func resources(_ edit: (inout HostConfiguration) -> Void, host: HostFacts = fakeHost()) throws -> RuntimeSpec.Resources {
            var hc = HostConfiguration()
            edit(&hc)
            return try build(ContainerConfiguration(cmd: ["true"]), hc, host: host).spec.linux!.resources!
        }
        let memory = try resources { $0.memory = 64 << 20 }
        XCTAssertEqual(memory.memory?.limit, 67_108_864)
        XCTAssertEqual(memory.memory?.swap, 134_217_728)
        XCTAssertNil(try resources({ $0.memory = 64 << 20; $0.memorySwap = -1 }).memory?.swap)
        XCTAssertNil(try resources({ $0.memory = 64 << 20 }, host: fakeHost(swap: false)).memory?.swap)
        XCTAssertEqual(try resources { $0.memory = 64 << 20; $0.memorySwappiness = 0 }.memory?.swappiness, 0)
        XCTAssertNil(try resources { $0.memorySwappiness = -1 }.memory?.swappiness)
        let cpu = try resources { $0.nanoCpus = 1_500_000_000 }.cpu
        XCTAssertEqual(cpu?.quota, 150_000)
        XCTAssertEqual(cpu?.period, 100_000)
        XCTAssertEqual(cpu?.shares, 0)
        let explicit = try resources { $0.cpuQuota = 50_000; $0.cpuPeriod = 200_000; $0.cpuShares = 512; $0.cpusetCpus = "0-1"; $0.cpusetMems = "0" }.cpu
        XCTAssertEqual(explicit?.quota, 50_000)
        XCTAssertEqual(explicit?.period, 200_000)
        XCTAssertEqual(explicit?.shares, 512)
        XCTAssertEqual(explicit?.cpus, "0-1")
        XCTAssertEqual(explicit?.mems, "0")
        XCTAssertEqual(try resources { $0.pidsLimit = 100 }.pids?.limit, 100)
        XCTAssertNil(try resources { $0.pidsLimit = 0 }.pids)
        XCTAssertNil(try resources { $0.pidsLimit = -1 }.pids)
        XCTAssertEqual(try resources { $0.oomKillDisable = true }.memory?.disableOOMKiller, true)
        XCTAssertEqual(try resources { $0.deviceCgroupRules = ["c 1:3 rwm", "b 8:* r", "a *:* m"] }.devices?.suffix(3),
                       [.init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
                        .init(allow: true, type: "b", major: 8, minor: nil, access: "r"),
                        .init(allow: true, type: "a", major: nil, minor: nil, access: "m")])
    }

    func testResourceErrors() {
        let cases: [(String, (inout HostConfiguration) -> Void)] = [
            ("Minimum memory limit allowed is 6MB", { $0.memory = 1 << 20 }),
            ("You should always set the Memory limit when using Memoryswap limit, see usage", { $0.memorySwap = 100 << 20 }),
            ("Minimum memoryswap limit should be larger than memory limit, see usage", { $0.memory = 64 << 20; $0.memorySwap = 32 << 20 }),
            ("Invalid value: 101, valid memory swappiness range is 0-100", { $0.memorySwappiness = 101 }),
            ("Minimum memory reservation allowed is 6MB", { $0.memoryReservation = 1024 }),
            ("Minimum memory limit can not be less than memory reservation limit, see usage",
             { $0.memory = 32 << 20; $0.memoryReservation = 64 << 20 }),
            ("Conflicting options: Nano CPUs and CPU Quota cannot both be set", { $0.nanoCpus = 1_000_000_000; $0.cpuQuota = 50_000 }),
            ("Conflicting options: Nano CPUs and CPU Period cannot both be set", { $0.nanoCpus = 1_000_000_000; $0.cpuPeriod = 50_000 }),
            ("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", { $0.nanoCpus = 3_000_000_000 }),
            ("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)", { $0.cpuPeriod = 10 }),
            ("CPU cfs quota can not be less than 1ms (i.e. 1000)", { $0.cpuQuota = 10 }),
            ("Requested CPUs are not available - requested 0-3, available: 0-1", { $0.cpusetCpus = "0-3" }),
            ("Invalid value x for cpuset cpus", { $0.cpusetCpus = "x" }),
            ("Invalid value 1001, range for oom score adj is [-1000, 1000]", { $0.oomScoreAdj = 1001 }),
            ("SHM size can not be less than 0", { $0.shmSize = -1 }),
            ("invalid ulimit type: bogus", { $0.ulimits = [.init(name: "bogus", soft: 1, hard: 1)] }),
            ("ulimit soft limit must be less than or equal to hard limit: 20 > 10", { $0.ulimits = [.init(name: "nofile", soft: 20, hard: 10)] }),
            ("invalid device cgroup format 'c 1:3 rwx'", { $0.deviceCgroupRules = ["c 1:3 rwx"] }),
            ("maximum retry count cannot be used with restart policy 'always'", { $0.restartPolicy = .init(name: "always", maximumRetryCount: 3) }),
            ("invalid restart policy 'sometimes'", { $0.restartPolicy = .init(name: "sometimes") }),
            ("can't create 'AutoRemove' container with restart policy", { $0.autoRemove = true; $0.restartPolicy = .init(name: "always") }),
            ("Unknown runtime specified kata", { $0.runtime = "kata" }),
            ("unknown log opt 'max-bogus' for json-file log driver", { $0.logConfig = .init(type: "json-file", config: ["max-bogus": "1"]) }),
            ("invalid IPC mode: weird", { $0.ipcMode = "weird" }),
            ("invalid PID mode: weird", { $0.pidMode = "weird" }),
            ("invalid UTS mode: weird", { $0.utsMode = "weird" }),
            ("invalid cgroup namespace mode: weird", { $0.cgroupnsMode = "weird" }),
        ]
        for (message, edit) in cases {
            var hc = HostConfiguration()
            edit(&hc)
            assertEngineError(.invalidArgument, message) { _ = try build(ContainerConfiguration(cmd: ["true"]), hc) }
        }
    }

    /// The engine's networking makes the namespace; the spec joins it by path (any mode but
    /// host: the default bridge, a user network, none, another container's).
    func testNetworkNamespaceIsJoinedByPath() throws {
        var ctx = context()
        ctx.networkNamespacePath = "/run/swdock/netns/\(testID)"
        for mode in ["default", "bridge", "mynet", "none", "container:abc"] {
            var hc = HostConfiguration()
            hc.networkMode = mode
            let spec = try build(ContainerConfiguration(cmd: ["true"]), hc, context: ctx).spec
            XCTAssertEqual(spec.linux?.namespaces?.first { $0.type == "network" }?.path, ctx.networkNamespacePath, mode)
        }
        var host = HostConfiguration()
        host.networkMode = "host"
        XCTAssertNil(try build(ContainerConfiguration(cmd: ["true"]), host, context: ctx).spec.linux?.namespaces?.first { $0.type == "network" })
        XCTAssertNil(try build().spec.linux?.namespaces?.first { $0.type == "network" }?.path, "no path: the runtime makes one")
    }

    func testNotSupported() {
        let cases: [(String, (inout HostConfiguration) -> Void)] = [
            ("--pid container:abc: joining another container's PID namespace", { $0.pidMode = "container:abc" }),
            ("--userns private: user namespaces", { $0.usernsMode = "private" }),
            ("log driver \"syslog\" (swdock has json-file and none)", { $0.logConfig = .init(type: "syslog") }),
            ("--device /dev/kvm: device mappings are not implemented yet",
             { $0.devices = [.init(pathOnHost: "/dev/kvm", pathInContainer: "/dev/kvm", cgroupPermissions: "rwm")] }),
            ("volume \"data\" in \"data:/data\": named volumes are not implemented yet", { $0.binds = ["data:/data"] }),
            ("--init: the init binary /usr/libexec/swdock/swdock-init is not installed", { $0.initProcess = true }),
        ]
        for (message, edit) in cases {
            var hc = HostConfiguration()
            edit(&hc)
            assertEngineError(.notSupported, message) { _ = try build(ContainerConfiguration(cmd: ["true"]), hc) }
        }
    }

    // ── Rlimits, OOM, init, runtime ──────────────────────────────────────
    func testUlimitsInitAndPassThrough() throws {
        var hc = HostConfiguration()
        hc.ulimits = [.init(name: "nofile", soft: 1024, hard: 2048), .init(name: "core", soft: -1, hard: -1)]
        hc.oomScoreAdj = -500
        hc.initProcess = true
        hc.runtime = "runc"
        hc.autoRemove = true
        hc.restartPolicy = .init(name: "no")
        hc.logConfig = .init(type: "", config: ["max-size": "10m", "max-file": "3"])
        let defaults = SpecDefaults(initBinary: "/opt/init")
        let plan = try build(ContainerConfiguration(cmd: ["sleep", "1"]), hc, host: fakeHost(existing: ["/opt/init"]),
                             defaults: defaults)
        XCTAssertEqual(plan.spec.process?.rlimits, [.init(type: "RLIMIT_NOFILE", hard: 2048, soft: 1024),
                                                    .init(type: "RLIMIT_CORE", hard: UInt64.max, soft: UInt64.max)])
        XCTAssertEqual(plan.spec.process?.oomScoreAdj, -500)
        XCTAssertEqual(plan.spec.process?.args, ["/sbin/docker-init", "--", "sleep", "1"])
        XCTAssertEqual(plan.path, "sleep")
        XCTAssertEqual(plan.spec.mounts?.first { $0.destination == "/sbin/docker-init" },
                       .init(destination: "/sbin/docker-init", type: "bind", source: "/opt/init", options: ["bind", "ro"]))
        XCTAssertEqual(plan.runtime, "runc")
        XCTAssertTrue(plan.hostConfig.autoRemove)
        XCTAssertEqual(plan.hostConfig.logConfig, .init(type: "json-file", config: ["max-size": "10m", "max-file": "3"]))
        XCTAssertEqual(try build().runtime, "swdock-runtime")
    }

    // ── Namespaces ───────────────────────────────────────────────────────
    func testNamespaceModes() throws {
        func namespaces(_ edit: (inout HostConfiguration) -> Void) throws -> [String] {
            var hc = HostConfiguration()
            edit(&hc)
            return try build(ContainerConfiguration(cmd: ["true"]), hc).spec.linux!.namespaces!.map(\.type)
        }
        XCTAssertEqual(try namespaces { $0.networkMode = "default" }, ["mount", "network", "uts", "pid", "ipc", "cgroup"])
        XCTAssertEqual(try namespaces { $0.networkMode = "host" }, ["mount", "uts", "pid", "ipc", "cgroup"])
        XCTAssertEqual(try namespaces { $0.pidMode = "host"; $0.ipcMode = "host"; $0.utsMode = "host" }, ["mount", "network", "cgroup"])
        XCTAssertEqual(try namespaces { $0.cgroupnsMode = "host" }, ["mount", "network", "uts", "pid", "ipc"])
        let hostDefault = try build(ContainerConfiguration(cmd: ["true"]), defaults: SpecDefaults(cgroupnsMode: .host))
        XCTAssertEqual(hostDefault.spec.linux?.namespaces?.last?.type, "ipc")
        XCTAssertEqual(hostDefault.hostConfig.cgroupnsMode, "host")
    }
}

/// The default profile as SwdockSeccomp resolves it, for comparing.
import SwdockSeccomp
enum DefaultSeccompTestReference {
    static func resolved(capabilities: [String]) -> RuntimeSpec.Seccomp {
        DefaultSeccompProfile.resolve(capabilities: capabilities, arch: "amd64", kernel: (6, 1))
    }
}
