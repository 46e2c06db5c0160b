import Foundation
import SwdockOCI
import SwdockSeccomp
import SwdockTestSupport
import XCTest

/// Docker's default capability set (moby's oci/caps DefaultCapabilities).
let dockerDefaultCapabilities = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
    "CAP_AUDIT_WRITE",
]

final class DefaultSeccompProfileTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-seccomp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let dir = scratch!
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    }

    func testEmbeddedJSONIsTheContribFile() throws {
        let file = TestEnvironment.packageRoot.appendingPathComponent("contrib/seccomp/default.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertEqual(DefaultSeccompProfile.json, text, "run contrib/seccomp/generate-swift.sh after editing default.json")
    }

    func testProfileHasDockersShape() {
        let profile = DefaultSeccompProfile.profile
        XCTAssertEqual(profile.defaultAction, "SCMP_ACT_ERRNO")
        XCTAssertEqual(profile.defaultErrnoRet, 1)
        let all = profile.syscalls ?? []
        XCTAssertGreaterThan(all.first?.names?.count ?? 0, 300)
        XCTAssertTrue(all.contains { $0.names == ["socket"] && $0.args?.first?.value == 40 && $0.args?.first?.op == "SCMP_CMP_NE" },
                      "socket is allowed except AF_VSOCK")
        XCTAssertEqual(all.filter { $0.names == ["personality"] }.count, 5)
    }

    func names(_ seccomp: RuntimeSpec.Seccomp) -> Set<String> {
        Set((seccomp.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" && $0.args == nil }.flatMap(\.names))
    }

    func testResolveFollowsCapabilitiesArchitectureAndKernel() {
        let plain = DefaultSeccompProfile.resolve(capabilities: dockerDefaultCapabilities, arch: "amd64", kernel: (6, 1))
        XCTAssertEqual(plain.defaultAction, "SCMP_ACT_ERRNO")
        XCTAssertEqual(plain.defaultErrnoRet, 1)
        XCTAssertEqual(plain.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        let allowed = names(plain)
        XCTAssertTrue(allowed.isSuperset(of: ["read", "write", "execve", "arch_prctl", "modify_ldt", "chroot", "ptrace"]))
        XCTAssertTrue(allowed.isDisjoint(with: ["mount", "unshare", "setns", "keyctl", "reboot", "bpf", "s390_runtime_instr",
                                                "arm_fadvise64_64", "open_by_handle_at", "perf_event_open", "clock_settime"]))
        let syscalls = plain.syscalls ?? []
        XCTAssertTrue(syscalls.contains { $0.names == ["clone"] && $0.args?.first?.index == 0 && $0.args?.first?.op == "SCMP_CMP_MASKED_EQ" })
        XCTAssertFalse(syscalls.contains { $0.names == ["clone"] && $0.args?.first?.index == 1 }, "the s390 clone rule is s390-only")
        XCTAssertTrue(syscalls.contains { $0.names == ["clone3"] && $0.action == "SCMP_ACT_ERRNO" && $0.errnoRet == 38 })

        let admin = DefaultSeccompProfile.resolve(capabilities: dockerDefaultCapabilities + ["CAP_SYS_ADMIN"], arch: "amd64", kernel: (6, 1))
        XCTAssertTrue(names(admin).isSuperset(of: ["mount", "unshare", "setns", "clone", "clone3", "umount2"]))
        XCTAssertFalse((admin.syscalls ?? []).contains { $0.names == ["clone3"] && $0.action == "SCMP_ACT_ERRNO" },
                       "excluded when the container has CAP_SYS_ADMIN")
        XCTAssertFalse((admin.syscalls ?? []).contains { $0.names == ["clone"] && $0.args != nil })

        let oldKernel = DefaultSeccompProfile.resolve(capabilities: dockerDefaultCapabilities, arch: "amd64", kernel: (4, 4))
        XCTAssertFalse(names(oldKernel).contains("ptrace"), "ptrace needs kernel 4.8 without CAP_SYS_PTRACE")

        let arm = DefaultSeccompProfile.resolve(capabilities: [], arch: "arm64", kernel: (6, 1))
        XCTAssertEqual(arm.architectures, ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"])
        XCTAssertTrue(names(arm).contains("arm_fadvise64_64"))
        XCTAssertFalse(names(arm).contains("arch_prctl"))
        XCTAssertFalse(names(arm).contains("chroot"), "chroot needs CAP_SYS_CHROOT")
    }

    func testDockerFormatErrors() throws {
        let both = try DockerSeccompProfile.decode(#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":null}]}"#)
        XCTAssertThrowsError(try both.resolve(capabilities: []))
        let nameAndNames = try DockerSeccompProfile.decode(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ERRNO"}]}"#)
        XCTAssertThrowsError(try nameAndNames.resolve(capabilities: []))
        let single = try DockerSeccompProfile.decode(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"read","action":"SCMP_ACT_ERRNO"}]}"#)
        XCTAssertEqual(try single.resolve(capabilities: [])?.syscalls?.first?.names, ["read"])
        let off = try DockerSeccompProfile.decode(#"{"defaultAction":""}"#)
        XCTAssertNil(try off.resolve(capabilities: []), "no default action and no rules: seccomp off, as in moby")
        XCTAssertThrowsError(try DockerSeccompProfile.decode("{not json"))
    }

    func testResolvedDefaultProfileCompiles() throws {
        for caps in [dockerDefaultCapabilities, dockerDefaultCapabilities + ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF"]] {
            let program = try SeccompCompiler.compile(DefaultSeccompProfile.resolve(capabilities: caps))
            XCTAssertGreaterThan(program.instructionCount, 100)
            XCTAssertEqual(program.filterFlags, 0)
        }
    }

    func testDefaultProfileDeniesUnshareMountKeyctlInAChild() throws {
        let helper = try SeccompProbe.build(in: scratch)
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.resolve(capabilities: dockerDefaultCapabilities))
        let run = try SeccompProbe.run(program, probes: [
            "unshare:0", "mount", "keyctl:0:-100", "clone-newns", "clone3", "socket:40", "socket:1", "fork",
            "getpid", "getppid", "personality:0xffffffff", "personality:0x0040000",
        ], helper: helper, directory: scratch)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outcomes["unshare:0"], SeccompProbe.denied(EPERM))
        XCTAssertEqual(run.outcomes["mount"], SeccompProbe.denied(EPERM))
        XCTAssertEqual(run.outcomes["keyctl:0:-100"], SeccompProbe.denied(EPERM))
        XCTAssertEqual(run.outcomes["clone-newns"], SeccompProbe.denied(EPERM), "clone with namespace flags is masked out")
        XCTAssertEqual(run.outcomes["clone3"], SeccompProbe.denied(ENOSYS), "clone3 fails with ENOSYS so libc falls back to clone")
        XCTAssertEqual(run.outcomes["socket:40"], SeccompProbe.denied(EPERM), "AF_VSOCK")
        XCTAssertEqual(run.outcomes["socket:1"], SeccompProbe.allowed(), "AF_UNIX")
        XCTAssertEqual(run.outcomes["fork"], SeccompProbe.allowed())
        XCTAssertEqual(run.outcomes["getpid"], SeccompProbe.allowed())
        XCTAssertEqual(run.outcomes["getppid"], SeccompProbe.allowed())
        XCTAssertNotEqual(run.outcomes["personality:0xffffffff"]?.result, -1, "querying the personality is allowed")
        XCTAssertEqual(run.outcomes["personality:0x0040000"], SeccompProbe.denied(EPERM), "ADDR_NO_RANDOMIZE is not")

        // With CAP_SYS_ADMIN the same calls reach the kernel.
        let admin = try SeccompCompiler.compile(DefaultSeccompProfile.resolve(capabilities: dockerDefaultCapabilities + ["CAP_SYS_ADMIN"]))
        let adminRun = try SeccompProbe.run(admin, probes: ["unshare:0", "mount", "clone3"], helper: helper, directory: scratch)
        XCTAssertEqual(adminRun.outcomes["unshare:0"], SeccompProbe.allowed())
        XCTAssertNotEqual(adminRun.outcomes["mount"]?.errno, EPERM)
        XCTAssertEqual(adminRun.outcomes["clone3"]?.errno, EINVAL)
    }

    func testDefaultProfileRunsABusyboxShell() throws {
        let busybox = "/bin/busybox"
        guard FileManager.default.isExecutableFile(atPath: busybox) else {
            return try TestEnvironment.missing("busybox-static is needed")
        }
        let helper = try SeccompProbe.build(in: scratch)
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.resolve(capabilities: dockerDefaultCapabilities))
        let dir = scratch.appendingPathComponent("work").path
        let script = """
            set -e
            echo hello
            grep Seccomp: /proc/self/status
            mkdir -p \(dir) && cd \(dir)
            echo data > f && cat f && cp f g && mv g h && ls | sort | tr '\\n' ' ' && echo
            ln -s f link && readlink link
            chmod 600 f && stat -c %a f
            sh -c 'exit 3' || echo "child exit $?"
            (sleep 0.01; echo subshell) & wait
            date +%Y >/dev/null && id -u >/dev/null && uname -s
            echo abc | sed s/b/x/ | awk '{print toupper($0)}'
            head -c 100 /dev/urandom | wc -c
            rm -r \(dir)
            if busybox unshare -n true 2>/dev/null; then echo unshare-allowed; else echo unshare-denied; fi
            """
        let run = try SeccompProbe.run(program, probes: ["exec", busybox, "sh", "-c", script], helper: helper, directory: scratch)
        XCTAssertEqual(run.status, 0, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["hello", "Seccomp:\t2", "data", "f h ", "f", "600", "child exit 3", "subshell",
                               "Linux", "AXC", "100", "unshare-denied"], run.stderr)
    }
}
