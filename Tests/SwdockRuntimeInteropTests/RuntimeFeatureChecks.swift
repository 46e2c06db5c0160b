import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// Feature checks that run one busybox bundle under a runtime and look at the result from
/// inside the container. Every check expects the SAME output from every runtime: runc and crun
/// passing a check proves the check; swdock-runtime passing it proves the runtime.
///
/// Each `XCTestCase` subclass below (`RuncFeatureTests`, `CrunFeatureTests`,
/// `SwdockRuntimeFeatureTests`) calls each check with its runtime.
struct RuntimeFeatureChecks {
    let runtime: OCIRuntime

    /// What one container run gave, plus the bundle for host-side checks.
    struct Outcome {
        let result: CommandResult
        let bundle: BusyboxBundle
    }

    /// Makes a bundle running `sh -c script`, runs it with `run`, and cleans up the container,
    /// its state and (after `inspect`) the bundle, also when an assertion throws.
    func run(_ script: String, configure: (inout RuntimeSpec, URL) throws -> Void = { _, _ in },
             file: StaticString = #filePath, line: UInt = #line,
             inspect: (Outcome) throws -> Void) throws {
        try TestEnvironment.requireRoot(file: file, line: line)
        let id = "swdock-interop-\(runtime.name)-\(UUID().uuidString.prefix(8).lowercased())"
        let bundle = try BusyboxBundle(args: ["sh", "-c", script], configure: configure)
        defer {
            runtime.forceDelete(id: id)
            runtime.removeState()
            CgroupCleanup.removeLeftovers(of: bundle.spec)
            bundle.remove()
        }
        let result = try runtime.run(bundle: bundle, id: id)
        try inspect(Outcome(result: result, bundle: bundle))
    }

    /// Asserts exit 0 and the exact stdout, naming the runtime and showing stderr on failure.
    func expectOutput(_ outcome: Outcome, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(outcome.result.status, 0, "\(runtime) exit status; stderr: \(outcome.result.stderr)",
                       file: file, line: line)
        XCTAssertEqual(outcome.result.stdout, expected, "\(runtime) stdout; stderr: \(outcome.result.stderr)",
                       file: file, line: line)
    }

    // MARK: - checks

    func hostname() throws {
        try run("hostname; cat /proc/sys/kernel/hostname", configure: { spec, _ in
            spec.hostname = "swdock-interop"
        }) { expectOutput($0, "swdock-interop\nswdock-interop\n") }
    }

    /// Not run for runc 1.1 (Debian 12's), which ignores `domainname` (runc supports it from 1.2).
    func domainname() throws {
        try run("cat /proc/sys/kernel/domainname", configure: { spec, _ in
            spec.hostname = "swdock-interop"
            spec.domainname = "interop.test"
        }) { expectOutput($0, "interop.test\n") }
    }

    func exitCodePropagates() throws {
        try run("echo before; exit 42") { outcome in
            XCTAssertEqual(outcome.result.status, 42, "\(runtime): run must exit with the container's code; stderr: \(outcome.result.stderr)")
            XCTAssertEqual(outcome.result.stdout, "before\n")
        }
    }

    func signalDeathOfChildGives128PlusSignal() throws {
        // pid 1 ignores signals it has no handler for, even SIGKILL from inside, so a child dies instead.
        try run("sh -c 'kill -KILL $$'; echo child=$?; exit 3") { outcome in
            XCTAssertEqual(outcome.result.stdout, "child=137\n", "\(runtime); stderr: \(outcome.result.stderr)")
            XCTAssertEqual(outcome.result.status, 3, "\(runtime)")
        }
    }

    /// create → state created → start → state running → kill KILL → state stopped → delete.
    func lifecycleCreateStartKillDelete() throws {
        try TestEnvironment.requireRoot()
        let id = "swdock-interop-\(runtime.name)-\(UUID().uuidString.prefix(8).lowercased())"
        let bundle = try BusyboxBundle(args: ["sleep", "1000"])
        let output = bundle.directory.appendingPathComponent("container.out")
        defer {
            runtime.forceDelete(id: id)
            runtime.removeState()
            bundle.remove()
        }
        let created = try runtime.create(bundle: bundle, id: id, outputFile: output)
        XCTAssertEqual(created.status, 0, "\(runtime) create: \(created.stdout)")
        let afterCreate = try runtime.state(id: id)
        XCTAssertEqual(afterCreate.status, "created", "\(runtime)")
        XCTAssertEqual(afterCreate.id, id)
        XCTAssertEqual(afterCreate.bundle, bundle.directory.path, "\(runtime) state bundle")
        let pid = try XCTUnwrap(afterCreate.pid, "\(runtime): a created container has a pid")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/proc/\(pid)"), "\(runtime): init process \(pid) exists")

        let started = try runtime.invoke(["start", id])
        XCTAssertEqual(started.status, 0, "\(runtime) start: \(started.stderr)")
        XCTAssertEqual(try runtime.state(id: id).status, "running", "\(runtime)")
        let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(cmdline, "sleep\u{0}1000\u{0}", "\(runtime): after start the init pid runs the process")

        let killed = try runtime.invoke(["kill", id, "KILL"])
        XCTAssertEqual(killed.status, 0, "\(runtime) kill: \(killed.stderr)")
        var status = ""
        for _ in 0..<200 {
            status = try runtime.state(id: id).status
            if status == "stopped" { break }
            usleep(10_000)
        }
        XCTAssertEqual(status, "stopped", "\(runtime): after kill KILL")
        let deleted = try runtime.invoke(["delete", id])
        XCTAssertEqual(deleted.status, 0, "\(runtime) delete: \(deleted.stderr)")
        XCTAssertNotEqual(try runtime.invoke(["state", id]).status, 0, "\(runtime): state of a deleted container must fail")
    }

    func processIsPidOneOfNewPidNamespace() throws {
        try run("echo $$; readlink /proc/1/exe; echo /proc/[0-9]*") {
            // pid 1 is sh, and the shell's own glob (no child process) sees no pid but its own:
            // a pipeline such as `ls /proc | grep` would race on whether grep exists yet.
            expectOutput($0, "1\n/bin/busybox\n/proc/1\n")
        }
    }

    func stdoutAndStderrAreSeparate() throws {
        try run("echo to-stdout; echo to-stderr >&2") { outcome in
            XCTAssertEqual(outcome.result.status, 0)
            XCTAssertEqual(outcome.result.stdout, "to-stdout\n", "\(runtime)")
            XCTAssertEqual(outcome.result.stderr, "to-stderr\n", "\(runtime)")
        }
    }

    func envAndCwd() throws {
        try run("echo \"$FOO\"; pwd; echo \"$HOME\"", configure: { spec, _ in
            spec.process?.env = ["PATH=/bin:/usr/bin:/sbin:/usr/sbin", "FOO=bar baz", "HOME=/root"]
            spec.process?.cwd = "/tmp"
        }) { expectOutput($0, "bar baz\n/tmp\n/root\n") }
    }

    func userAndAdditionalGroups() throws {
        try run("id", configure: { spec, _ in
            spec.process?.user = RuntimeSpec.User(uid: 1000, gid: 1000, additionalGids: [10, 20])
        }) { expectOutput($0, "uid=1000 gid=1000 groups=10,20\n") }
    }

    func capabilitySetsOfRoot() throws {
        // CAP_KILL = 5, CAP_NET_BIND_SERVICE = 10: mask 0x420. Root after execve: P' = E' = bounding ∩ permitted.
        try run("grep ^Cap /proc/self/status", configure: { spec, _ in
            let caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
            spec.process?.capabilities = RuntimeSpec.Capabilities(bounding: caps, effective: caps, permitted: caps)
        }) {
            expectOutput($0, """
                CapInh:\t0000000000000000
                CapPrm:\t0000000000000420
                CapEff:\t0000000000000420
                CapBnd:\t0000000000000420
                CapAmb:\t0000000000000000

                """)
        }
    }

    func ambientCapabilitiesOfNonRoot() throws {
        // A non-root process keeps only ambient capabilities across execve (CAP_NET_BIND_SERVICE = bit 10).
        try run("grep ^Cap /proc/self/status", configure: { spec, _ in
            let caps = ["CAP_NET_BIND_SERVICE"]
            spec.process?.user = RuntimeSpec.User(uid: 1000, gid: 1000)
            spec.process?.capabilities = RuntimeSpec.Capabilities(bounding: caps, effective: caps, inheritable: caps,
                                                                  permitted: caps, ambient: caps)
        }) {
            expectOutput($0, """
                CapInh:\t0000000000000400
                CapPrm:\t0000000000000400
                CapEff:\t0000000000000400
                CapBnd:\t0000000000000400
                CapAmb:\t0000000000000400

                """)
        }
    }

    func noNewPrivileges() throws {
        try run("grep ^NoNewPrivs /proc/self/status") { expectOutput($0, "NoNewPrivs:\t1\n") }
    }

    func rlimits() throws {
        try run("ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu", configure: { spec, _ in
            spec.process?.rlimits = [RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: 2000, soft: 1000),
                                     RuntimeSpec.Rlimit(type: "RLIMIT_NPROC", hard: 600, soft: 500)]
        }) { expectOutput($0, "1000\n2000\n500\n600\n") }
    }

    func mountsWithTheirFlags() throws {
        let script = """
            awk '$5 == "/" || $5 == "/scratch" || $5 == "/data" || $5 == "/proc" || $5 == "/dev/shm" { print $5, $6 }' \
            /proc/self/mountinfo | sort
            """
        try run(script, configure: { spec, bundle in
            let host = bundle.appendingPathComponent("hostdata")
            try FileManager.default.createDirectory(at: host, withIntermediateDirectories: true)
            spec.mounts?.append(RuntimeSpec.Mount(destination: "/scratch", type: "tmpfs", source: "tmpfs",
                                                  options: ["nosuid", "nodev", "noexec", "ro", "size=1m"]))
            spec.mounts?.append(RuntimeSpec.Mount(destination: "/data", type: "bind", source: host.path,
                                                  options: ["rbind", "ro", "nosuid"]))
        }) {
            expectOutput($0, """
                / ro,relatime
                /data ro,nosuid,relatime
                /dev/shm rw,nosuid,nodev,noexec,relatime
                /proc rw,relatime
                /scratch ro,nosuid,nodev,noexec,relatime

                """)
        }
    }

    func maskedPathsHideContent() throws {
        let script = """
            cat /etc/secret; echo "[file read: $?]"
            ls -A /etc/secretdir | wc -l
            touch /etc/secretdir/x 2>/dev/null && echo dir-writable || echo dir-readonly
            """
        try run(script, configure: { spec, bundle in
            let rootfs = bundle.appendingPathComponent("rootfs")
            try "s3cret\n".write(to: rootfs.appendingPathComponent("etc/secret"), atomically: false, encoding: .utf8)
            let dir = rootfs.appendingPathComponent("etc/secretdir")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try "inside\n".write(to: dir.appendingPathComponent("file"), atomically: false, encoding: .utf8)
            spec.linux?.maskedPaths?.append(contentsOf: ["/etc/secret", "/etc/secretdir"])
        }) { expectOutput($0, "[file read: 0]\n0\ndir-readonly\n") }
    }

    func readonlyPathsRejectWrites() throws {
        let script = """
            touch /data/ok && echo rw-ok
            touch /data/ro/x 2>/dev/null && echo ro-written || echo ro-denied
            echo 1 > /proc/sys/kernel/printk_ratelimit 2>/dev/null && echo procsys-written || echo procsys-denied
            """
        try run(script, configure: { spec, bundle in
            let host = bundle.appendingPathComponent("hostdata")
            try FileManager.default.createDirectory(at: host.appendingPathComponent("ro"), withIntermediateDirectories: true)
            spec.mounts?.append(RuntimeSpec.Mount(destination: "/data", type: "bind", source: host.path,
                                                  options: ["rbind", "rw"]))
            spec.linux?.readonlyPaths?.append("/data/ro")
        }) { outcome in
            expectOutput(outcome, "rw-ok\nro-denied\nprocsys-denied\n")
            let host = outcome.bundle.directory.appendingPathComponent("hostdata")
            XCTAssertTrue(FileManager.default.fileExists(atPath: host.appendingPathComponent("ok").path),
                          "\(runtime): the rw bind mount must reach the host directory")
            XCTAssertFalse(FileManager.default.fileExists(atPath: host.appendingPathComponent("ro/x").path))
        }
    }

    func newNetworkNamespaceHasOnlyLoopback() throws {
        try run("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ls /sys/class/net") {
            expectOutput($0, "lo\nlo\n")
        }
    }

    func defaultDevices() throws {
        let script = """
            for d in null zero full random urandom tty; do test -c /dev/$d && echo "$d $(stat -c '%t,%T %a' /dev/$d)"; done
            for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done
            for m in /dev/pts /dev/shm /dev/mqueue; do grep -q " $m " /proc/self/mountinfo && echo "$m mounted"; done
            head -c 4 /dev/zero | wc -c
            """
        try run(script) {
            expectOutput($0, """
                null 1,3 666
                zero 1,5 666
                full 1,7 666
                random 1,8 666
                urandom 1,9 666
                tty 5,0 666
                ptmx -> pts/ptmx
                fd -> /proc/self/fd
                stdin -> /proc/self/fd/0
                stdout -> /proc/self/fd/1
                stderr -> /proc/self/fd/2
                /dev/pts mounted
                /dev/shm mounted
                /dev/mqueue mounted
                4

                """)
        }
    }

    func noHostFileDescriptorOrCwdLeaks() throws {
        // sh's own fds, then what ls sees in its own table (0-2 plus the directory it reads).
        try run("ls /proc/$$/fd; readlink /proc/$$/cwd; ls /proc/self/fd | wc -l") {
            expectOutput($0, "0\n1\n2\n/\n4\n")
        }
    }

    func seccompErrnoReturned() throws {
        try run("mkdir /dev/shm/denied; echo \"[$?]\"; test -d /dev/shm/denied && echo exists || echo absent",
                configure: { spec, _ in
            spec.linux?.seccomp = RuntimeSpec.Seccomp(
                defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [RuntimeSpec.Syscall(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95)])
        }) { outcome in
            XCTAssertEqual(outcome.result.stdout, "[1]\nabsent\n", "\(runtime); stderr: \(outcome.result.stderr)")
            XCTAssertTrue(outcome.result.stderr.contains("Operation not supported"),
                          "\(runtime): mkdir must fail with errnoRet 95 (EOPNOTSUPP): \(outcome.result.stderr)")
        }
    }

    /// As docker and podman configure it: noNewPrivileges false and no CAP_SYS_ADMIN in the
    /// container's sets, so the filter must be loaded while the runtime still holds the privilege.
    func seccompWithoutNoNewPrivileges() throws {
        try run("mkdir /dev/shm/denied; echo \"[$?]\"; grep ^NoNewPrivs /proc/self/status", configure: { spec, _ in
            spec.process?.noNewPrivileges = false
            let caps = ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_SETGID"]
            spec.process?.capabilities = RuntimeSpec.Capabilities(bounding: caps, effective: caps, permitted: caps)
            spec.linux?.seccomp = RuntimeSpec.Seccomp(
                defaultAction: "SCMP_ACT_ALLOW",
                syscalls: [RuntimeSpec.Syscall(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 95)])
        }) { outcome in
            XCTAssertEqual(outcome.result.status, 0, "\(runtime); stderr: \(outcome.result.stderr)")
            XCTAssertEqual(outcome.result.stdout, "[1]\nNoNewPrivs:\t0\n", "\(runtime); stderr: \(outcome.result.stderr)")
            XCTAssertTrue(outcome.result.stderr.contains("Operation not supported"), "\(runtime): \(outcome.result.stderr)")
        }
    }

    func cgroupLimitsApplied() throws {
        try run("cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes", configure: { spec, _ in
            spec.linux?.cgroupsPath = "/swdock-interop-\(UUID().uuidString.prefix(8).lowercased())"
            spec.linux?.resources?.pids = RuntimeSpec.Pids(limit: 32)
            var memory = RuntimeSpec.Memory()
            memory.limit = 64 << 20
            spec.linux?.resources?.memory = memory
        }) { outcome in
            expectOutput(outcome, "32\n67108864\n")
            if let path = outcome.bundle.spec.linux?.cgroupsPath {
                XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids" + path),
                               "\(runtime): run must remove the container's cgroup when it exits")
            }
        }
    }

    func hooksRunInOrderWithState() throws {
        let log = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("swdock-hooks-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: log, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: log) }
        func hook(_ name: String, _ path: String) -> RuntimeSpec.Hook {
            // Each hook appends "<name> <state JSON>" as one line; $1 checks args are passed.
            RuntimeSpec.Hook(path: "/bin/sh", args: ["sh", "-c", "{ printf '%s %s ' \"$1\" \"$HOOKENV\"; cat; echo; } >> \(path)", "sh", name],
                             env: ["HOOKENV=env-\(name)"])
        }
        try run("echo ran", configure: { spec, _ in
            var hooks = RuntimeSpec.Hooks()
            let order = log.appendingPathComponent("order").path
            hooks.prestart = [hook("prestart", order)]
            hooks.createRuntime = [hook("createRuntime", order)]
            hooks.poststart = [hook("poststart", order)]
            hooks.poststop = [hook("poststop", order)]
            // startContainer runs inside the container: /bin/sh is the container's, the log is bind-mounted.
            hooks.startContainer = [hook("startContainer", "/hooklog/start")]
            spec.hooks = hooks
            spec.mounts?.append(RuntimeSpec.Mount(destination: "/hooklog", type: "bind", source: log.path,
                                                  options: ["rbind", "rw"]))
        }) { outcome in
            expectOutput(outcome, "ran\n")
            let order = (try? String(contentsOf: log.appendingPathComponent("order"), encoding: .utf8)) ?? ""
            let entries = order.split(separator: "\n").map { line -> (String, String, RuntimeState?) in
                let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                let state = parts.count == 3 ? try? JSONDecoder().decode(RuntimeState.self, from: Data(parts[2].utf8)) : nil
                return (parts.first ?? "", parts.count > 1 ? parts[1] : "", state)
            }
            XCTAssertEqual(entries.map(\.0), ["prestart", "createRuntime", "poststart", "poststop"],
                           "\(runtime) hook order; log: \(order)")
            XCTAssertEqual(entries.map(\.1), ["env-prestart", "env-createRuntime", "env-poststart", "env-poststop"],
                           "\(runtime) hook env")
            // The peers disagree on the status before poststop (runc 1.1: creating, creating, created;
            // crun 1.8: created, created, running), so only what both give is required.
            let statuses = entries.map { $0.2?.status ?? "no state" }
            if statuses.count == 4 {
                XCTAssertTrue(["creating", "created"].contains(statuses[0]), "\(runtime) prestart status \(statuses[0])")
                XCTAssertTrue(["creating", "created"].contains(statuses[1]), "\(runtime) createRuntime status \(statuses[1])")
                XCTAssertTrue(["created", "running"].contains(statuses[2]), "\(runtime) poststart status \(statuses[2])")
                XCTAssertEqual(statuses[3], "stopped", "\(runtime) poststop status")
            }
            for entry in entries.prefix(3) {
                XCTAssertNotNil(entry.2?.pid, "\(runtime) \(entry.0): the state of a live container has its pid")
            }
            let bundlePath = outcome.bundle.directory.path
            for entry in entries {
                XCTAssertEqual(entry.2?.bundle, bundlePath, "\(runtime) \(entry.0) state bundle")
                XCTAssertEqual(entry.2?.id.hasPrefix("swdock-interop-"), true, "\(runtime) \(entry.0) state id")
            }
            let start = (try? String(contentsOf: log.appendingPathComponent("start"), encoding: .utf8)) ?? ""
            XCTAssertTrue(start.hasPrefix("startContainer env-startContainer {"),
                          "\(runtime): startContainer hook must run in the container with the state: \(start)")
        }
    }
}

/// Removes cgroup directories a failed run left behind for `spec.linux.cgroupsPath`.
enum CgroupCleanup {
    static func removeLeftovers(of spec: RuntimeSpec) {
        guard let path = spec.linux?.cgroupsPath, path.hasPrefix("/") else { return }
        let root = URL(fileURLWithPath: "/sys/fs/cgroup")
        let controllers = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for controller in controllers {
            let dir = root.appendingPathComponent(controller).path + path
            if FileManager.default.fileExists(atPath: dir) { rmdir(dir) }
        }
    }
}
