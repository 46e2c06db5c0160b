import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// swdock-runtime as root on real busybox bundles; every check is made from inside the container.
final class RuntimeLifecycleTests: XCTestCase {
    func testRunReturnsTheContainersExitCodeAndOutput() throws {
        let bundle = try RuntimeBundle(self)
        let result = try bundle.run(["sh", "-c", "echo hello; exit 7"])
        XCTAssertEqual(result.status, 7, result.stderr)
        XCTAssertEqual(result.stdout, "hello\n")
        // Not pid 1 of its own pid namespace (which would ignore the signal), sh dies of it.
        bundle.spec.linux?.namespaces?.removeAll { $0.type == "pid" }
        let killed = try bundle.run(["sh", "-c", "kill -9 $$"])
        XCTAssertEqual(killed.status, 137, killed.stderr)
    }

    func testCreateStartStateKillDelete() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.process?.args = ["sleep", "1000"]
        let id = bundle.newID()
        let pidFile = bundle.directory.appendingPathComponent("pid").path
        let create = try bundle.runtimeDetached(["create", "--pid-file", pidFile, id])
        XCTAssertEqual(create.status, 0, create.stderr)
        let created = try bundle.runtime(["state", id])
        let state = try JSONDecoder().decode(RuntimeState.self, from: Data(created.stdout.utf8))
        XCTAssertEqual(state.status, "created")
        XCTAssertEqual(state.id, id)
        XCTAssertEqual(try String(contentsOfFile: pidFile, encoding: .utf8), "\(state.pid ?? -1)")
        // The init waits on the fifo, it has not exec'd sleep yet.
        let comm = try String(contentsOfFile: "/proc/\(state.pid!)/cmdline", encoding: .utf8)
        XCTAssertFalse(comm.hasPrefix("sleep"))
        XCTAssertEqual(try bundle.runtime(["start", id]).status, 0)
        let running = try JSONDecoder().decode(RuntimeState.self, from: Data(try bundle.runtime(["state", id]).stdout.utf8))
        XCTAssertEqual(running.status, "running")
        let list = try bundle.runtime(["list", "--format", "json"])
        XCTAssertTrue(list.stdout.contains("\"id\":\"\(id)\""), list.stdout)
        let refused = try bundle.runtime(["delete", id])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cannot delete container \(id) that is not stopped: running"), refused.stderr)
        XCTAssertEqual(try bundle.runtime(["kill", id, "KILL"]).status, 0)
        var stopped = ""
        for _ in 0..<200 {
            stopped = try bundle.runtime(["state", id]).stdout
            if stopped.contains("\"stopped\"") { break }
            usleep(10_000)
        }
        XCTAssertTrue(stopped.contains("\"status\": \"stopped\""), stopped)
        XCTAssertEqual(try bundle.runtime(["delete", id]).status, 0)
        let gone = try bundle.runtime(["state", id])
        XCTAssertEqual(gone.status, 1)
        XCTAssertTrue(gone.stderr.contains("container does not exist"), gone.stderr)
    }

    func testMissingBinaryIsReportedLikeRunc() throws {
        let bundle = try RuntimeBundle(self)
        let log = bundle.directory.appendingPathComponent("log.json").path
        let result = try bundle.run(["no-such-binary"], global: ["--log", log, "--log-format", "json"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "container init: exec: \"no-such-binary\": executable file not found in $PATH\n")
        let line = try String(contentsOfFile: log, encoding: .utf8)
        let entry = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        XCTAssertEqual(entry?["level"], "error")
        XCTAssertEqual(entry?["msg"], "container init: exec: \"no-such-binary\": executable file not found in $PATH")
        XCTAssertNotNil(entry?["time"])
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: bundle.root).isEmpty, "no state left after a failed create")
    }

    func testBadMountIsReportedWithTheMountAndErrno() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.mounts?.append(.init(destination: "/mnt/x", type: "nosuchfs", source: "whatever"))
        let result = try bundle.run(["true"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "container init: mount \"whatever\" on \"/mnt/x\": no such device\n")
    }

    func testOnlyStdioIsOpenInTheContainer() throws {
        let bundle = try RuntimeBundle(self)
        // A host fd the runtime inherits without CLOEXEC must not reach the container.
        let leak = open("/etc/hostname", O_RDONLY)
        defer { close(leak) }
        let result = try bundle.run(["ls", "/proc/self/fd"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n"), ["0", "1", "2", "3"])
        let cwd = try bundle.run(["sh", "-c", "readlink /proc/self/cwd; ls /proc/1/fd | wc -l"])
        XCTAssertEqual(cwd.stdout.split(separator: "\n").first, "/")
    }

    func testCapabilitiesNoNewPrivsAndUser() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.process?.user = .init(uid: 1000, gid: 1001, umask: 0o027, additionalGids: [20, 30])
        bundle.spec.process?.capabilities = .init(bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"], effective: ["CAP_KILL"],
                                                  inheritable: ["CAP_KILL"], permitted: ["CAP_KILL", "CAP_CHOWN"], ambient: ["CAP_KILL"])
        let result = try bundle.run(["sh", "-c", "grep -E '^(Cap|NoNewPrivs|Groups)' /proc/self/status; id -u; id -g; umask"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
        })
        // CAP_CHOWN = 0, CAP_KILL = 5, CAP_NET_RAW = 13.
        XCTAssertEqual(lines["CapBnd"], "0000000000002021")
        // A non-root execve keeps only the ambient caps in the permitted set.
        XCTAssertEqual(lines["CapPrm"], "0000000000000020")
        XCTAssertEqual(lines["CapEff"], "0000000000000020")
        XCTAssertEqual(lines["CapInh"], "0000000000000020")
        XCTAssertEqual(lines["CapAmb"], "0000000000000020")
        XCTAssertEqual(lines["NoNewPrivs"], "1")
        XCTAssertEqual(lines["Groups"], "20 30")
        let tail = result.stdout.split(separator: "\n").suffix(3)
        XCTAssertEqual(Array(tail), ["1000", "1001", "0027"])
    }

    func testHostnameRlimitsOomScoreSysctl() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.hostname = "box-1"
        bundle.spec.domainname = "example.test"
        bundle.spec.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: 4096, soft: 333), .init(type: "RLIMIT_NPROC", hard: 200, soft: 100)]
        bundle.spec.process?.oomScoreAdj = 345
        bundle.spec.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        let result = try bundle.run(["sh", "-c", "hostname; cat /proc/sys/kernel/domainname; ulimit -n; ulimit -Hn; ulimit -u; cat /proc/self/oom_score_adj; cat /proc/sys/net/ipv4/ip_forward"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n"), ["box-1", "example.test", "333", "4096", "100", "345", "1"])
    }

    func testMountsHaveTheirFlagsAndPathsAreMaskedAndReadOnly() throws {
        let bundle = try RuntimeBundle(self)
        let shared = bundle.directory.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try "data\n".write(to: shared.appendingPathComponent("file"), atomically: false, encoding: .utf8)
        bundle.spec.mounts?.append(.init(destination: "/data", type: "bind", source: shared.path, options: ["rbind", "ro", "nosuid", "nodev", "rprivate"]))
        bundle.spec.mounts?.append(.init(destination: "/file", type: "bind", source: shared.appendingPathComponent("file").path, options: ["bind", "noexec"]))
        bundle.spec.mounts?.append(.init(destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=700", "noexec"]))
        let script = """
        grep -E ' /(data|file|scratch|sys|) ' /proc/self/mountinfo | awk '{print $5, $6}'
        cat /file; touch /data/x 2>/dev/null && echo data-writable; touch /x 2>/dev/null && echo root-writable
        cat /proc/kcore 2>&1 | wc -c; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo sys-writable
        stat -c %a /scratch; ls -l /dev/null /dev/ptmx | awk '{print $1, $NF}'
        """
        let result = try bundle.run(["sh", "-c", script])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        var options: [String: Set<String>] = [:]
        for line in lines {
            let parts = line.split(separator: " ")
            if parts.count == 2 { options[String(parts[0])] = Set(parts[1].split(separator: ",").map(String.init)) }
        }
        XCTAssertTrue(options["/"]?.contains("ro") == true, result.stdout)
        XCTAssertTrue(options["/data"]?.isSuperset(of: ["ro", "nosuid", "nodev"]) == true, result.stdout)
        XCTAssertTrue(options["/file"]?.isSuperset(of: ["rw", "noexec"]) == true, result.stdout)
        XCTAssertTrue(options["/scratch"]?.isSuperset(of: ["rw", "noexec"]) == true, result.stdout)
        XCTAssertTrue(options["/sys"]?.isSuperset(of: ["ro", "nosuid", "nodev", "noexec"]) == true, result.stdout)
        XCTAssertTrue(lines.contains("data"))
        XCTAssertFalse(lines.contains("data-writable"))
        XCTAssertFalse(lines.contains("root-writable"))
        XCTAssertFalse(lines.contains("sys-writable"))
        XCTAssertTrue(lines.contains("0"), "masked /proc/kcore reads as empty: \(result.stdout)")
        XCTAssertTrue(lines.contains("700"))
        XCTAssertTrue(lines.contains("crw-rw-rw- /dev/null"), result.stdout)
        XCTAssertTrue(lines.contains("lrwxrwxrwx pts/ptmx"), result.stdout)
    }

    func testSymlinkInRootfsCannotRedirectAMountToTheHost() throws {
        let bundle = try RuntimeBundle(self)
        let hostDir = bundle.directory.appendingPathComponent("host-target")
        try FileManager.default.createDirectory(at: hostDir, withIntermediateDirectories: true)
        // rootfs/evil → <absolute host path>: a runtime that follows it on the host would
        // create (and mount on) host-target/sub.
        try FileManager.default.createSymbolicLink(atPath: bundle.directory.appendingPathComponent("rootfs/evil").path,
                                                   withDestinationPath: hostDir.path)
        bundle.spec.mounts?.append(.init(destination: "/evil/sub", type: "tmpfs", source: "tmpfs"))
        let result = try bundle.run(["sh", "-c", "grep -c ' \(hostDir.path)/sub ' /proc/self/mountinfo"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "1\n", "the mount is at the symlink's target inside the rootfs")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: hostDir.path), [], "nothing made on the host")
        XCTAssertTrue(FileManager.default.fileExists(atPath: bundle.directory.appendingPathComponent("rootfs\(hostDir.path)/sub").path))
    }

    func testUserNamespaceMapsAndCgroupNamespace() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.linux?.namespaces?.append(.init(type: "user"))
        bundle.spec.linux?.namespaces?.append(.init(type: "cgroup"))
        bundle.spec.linux?.uidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        bundle.spec.linux?.gidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        bundle.spec.root?.readonly = false
        // The rootfs must be reachable by the mapped root.
        _ = try runCommand("/bin/chown", ["-R", "100000:100000", bundle.directory.appendingPathComponent("rootfs").path])
        chmod(bundle.directory.path, 0o755)
        let result = try bundle.run(["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; cat /proc/self/cgroup | head -1; ls /dev/null"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        XCTAssertEqual(Array(lines.prefix(3)), ["0 100000 65536", "0 100000 65536", "0"])
        XCTAssertTrue(lines[3].hasSuffix(":/"), "own cgroup namespace: \(lines[3])")
        XCTAssertEqual(lines.last, "/dev/null")
    }

    func testJoinsANetworkNamespaceByPath() throws {
        let bundle = try RuntimeBundle(self)
        let name = "swdockrt\(UInt32.random(in: 0..<1_000_000))"
        XCTAssertEqual(try runCommand("/usr/sbin/ip", ["netns", "add", name]).status, 0)
        bundle.cleanups.append { _ = try? runCommand("/usr/sbin/ip", ["netns", "delete", name]) }
        var host = stat()
        XCTAssertEqual(stat("/var/run/netns/\(name)", &host), 0)
        let joined = (bundle.spec.linux?.namespaces ?? []).map { ns in
            ns.type == "network" ? RuntimeSpec.Namespace(type: "network", path: "/var/run/netns/\(name)") : ns
        }
        bundle.spec.linux?.namespaces = joined
        let result = try bundle.run(["readlink", "/proc/self/ns/net"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "net:[\(host.st_ino)]\n")
    }
}
