import Foundation
import SwdockOCI
import SwdockSeccomp
import SwdockTestSupport
import XCTest

final class SeccompCompilerTests: XCTestCase {
    typealias Seccomp = RuntimeSpec.Seccomp
    typealias Syscall = RuntimeSpec.Syscall
    typealias Arg = RuntimeSpec.SyscallArg

    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-seccomp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let dir = scratch!
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    }

    func compileError(_ spec: Seccomp) -> SeccompError? {
        do {
            _ = try SeccompCompiler.compile(spec)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - compile-time checks

    func testUnknownActionOperatorArchitectureAndFlagAreErrorsNamingThem() {
        let badDefault = compileError(Seccomp(defaultAction: "SCMP_ACT_BOGUS"))
        XCTAssertEqual(badDefault?.code, .invalidProfile)
        XCTAssertTrue(badDefault?.description.contains("SCMP_ACT_BOGUS") == true, "\(String(describing: badDefault))")

        let badRule = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                           syscalls: [Syscall(names: ["getppid"], action: "SCMP_ACT_NOPE")]))
        XCTAssertEqual(badRule?.code, .invalidProfile)
        XCTAssertTrue(badRule?.description.contains("SCMP_ACT_NOPE") == true)
        XCTAssertTrue(badRule?.description.contains("getppid") == true)

        let badOp = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["personality"], action: "SCMP_ACT_ERRNO", args: [Arg(index: 0, value: 1, op: "SCMP_CMP_ALMOST")])]))
        XCTAssertEqual(badOp?.code, .invalidProfile)
        XCTAssertTrue(badOp?.description.contains("SCMP_CMP_ALMOST") == true)

        let badIndex = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["personality"], action: "SCMP_ACT_ERRNO", args: [Arg(index: 6, value: 1, op: "SCMP_CMP_EQ")])]))
        XCTAssertEqual(badIndex?.code, .invalidProfile)

        let badArch = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_VAX"]))
        XCTAssertEqual(badArch?.code, .invalidProfile)
        XCTAssertTrue(badArch?.description.contains("SCMP_ARCH_VAX") == true)

        let badFlag = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_BOGUS"]))
        XCTAssertEqual(badFlag?.code, .invalidProfile)
        XCTAssertTrue(badFlag?.description.contains("SECCOMP_FILTER_FLAG_BOGUS") == true)

        let badErrno = compileError(Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 70000))
        XCTAssertEqual(badErrno?.code, .invalidProfile)
    }

    func testNotifyAndListenerAndWaitKillableAreNotSupported() {
        let notify = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                          syscalls: [Syscall(names: ["mkdir"], action: "SCMP_ACT_NOTIFY")]))
        XCTAssertEqual(notify?.code, .notSupported)
        XCTAssertTrue(notify?.description.contains("not supported: SCMP_ACT_NOTIFY (no listener support)") == true,
                      "\(String(describing: notify))")
        var listener = Seccomp(defaultAction: "SCMP_ACT_ALLOW")
        listener.listenerPath = "/run/agent.sock"
        XCTAssertEqual(compileError(listener)?.code, .notSupported)
        let waitKillable = compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                                flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]))
        XCTAssertEqual(waitKillable?.code, .notSupported)
    }

    func testUnknownSyscallNamesAreSkippedAndReported() throws {
        let program = try SeccompCompiler.compile(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["swdock_no_such_syscall", "getppid"], action: "SCMP_ACT_ERRNO")]))
        XCTAssertEqual(program.skippedSyscalls, ["swdock_no_such_syscall"])
        XCTAssertGreaterThan(program.instructionCount, 3)
    }

    func testFlagsBecomeFilterFlagBits() throws {
        let program = try SeccompCompiler.compile(Seccomp(
            defaultAction: "SCMP_ACT_ALLOW",
            flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]))
        XCTAssertEqual(program.filterFlags, SeccompFilterFlag.tsync | SeccompFilterFlag.log | SeccompFilterFlag.specAllow)
        XCTAssertEqual(try SeccompCompiler.compile(Seccomp(defaultAction: "SCMP_ACT_ALLOW")).filterFlags, 0)
    }

    func testEveryActionCompilesAndKillIsKillThread() throws {
        var programs: [String: SeccompProgram] = [:]
        for action in ["SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
                       "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG"] {
            programs[action] = try SeccompCompiler.compile(Seccomp(
                defaultAction: "SCMP_ACT_ALLOW", syscalls: [Syscall(names: ["getppid"], action: action, errnoRet: 5)]))
        }
        XCTAssertEqual(programs["SCMP_ACT_KILL"], programs["SCMP_ACT_KILL_THREAD"])
        XCTAssertNotEqual(programs["SCMP_ACT_KILL_PROCESS"], programs["SCMP_ACT_KILL_THREAD"])
        XCTAssertNotEqual(programs["SCMP_ACT_ERRNO"], programs["SCMP_ACT_TRACE"])
        // A rule repeating the default action changes nothing (libseccomp would refuse it).
        let plain = try SeccompCompiler.compile(Seccomp(defaultAction: "SCMP_ACT_ALLOW"))
        let redundant = try SeccompCompiler.compile(Seccomp(
            defaultAction: "SCMP_ACT_ALLOW", syscalls: [Syscall(names: ["getppid"], action: "SCMP_ACT_ALLOW")]))
        XCTAssertEqual(plain, redundant)
    }

    func testArchitecturesAddToTheNativeOne() throws {
        let native = try SeccompCompiler.compile(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
            syscalls: [Syscall(names: ["getppid"], action: "SCMP_ACT_ERRNO")]))
        let multi = try SeccompCompiler.compile(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
            architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
            syscalls: [Syscall(names: ["getppid"], action: "SCMP_ACT_ERRNO")]))
        XCTAssertGreaterThan(multi.instructionCount, native.instructionCount)
        for arch in SeccompCompiler.supportedArchitectures {
            XCTAssertNoThrow(try SeccompCompiler.compile(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: [arch])), arch)
        }
        // Architectures the runtime-spec names but libseccomp 2.5 lacks are "not supported".
        for arch in SeccompCompiler.knownArchitectures where !SeccompCompiler.supportedArchitectures.contains(arch) {
            XCTAssertEqual(compileError(Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: [arch]))?.code, .notSupported, arch)
        }
        XCTAssertTrue(SeccompCompiler.supportedArchitectures.contains("SCMP_ARCH_X86_64"))
    }

    // MARK: - filters loaded in a child process

    func probe(_ spec: Seccomp, _ probes: [String]) throws -> SeccompProbe.Run {
        let helper = try SeccompProbe.build(in: scratch)
        return try SeccompProbe.run(try SeccompCompiler.compile(spec), probes: probes, helper: helper, directory: scratch)
    }

    func testErrnoRulesReturnTheirErrnoInAChild() throws {
        let run = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 13),
            Syscall(names: ["unshare"], action: "SCMP_ACT_ERRNO"),
        ]), ["getppid", "unshare", "getpid"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outcomes["getppid"], SeccompProbe.denied(13))
        XCTAssertEqual(run.outcomes["unshare"], SeccompProbe.denied(EPERM), "ERRNO without errnoRet is EPERM, as in runc")
        XCTAssertEqual(run.outcomes["getpid"], SeccompProbe.allowed())
    }

    func testDefaultErrnoRetAppliesToTheDefaultAction() throws {
        // Everything the probe itself needs is allowed; the rest fails with ENOTSUP (95).
        let needs = ["write", "exit_group", "fstat", "newfstatat", "brk", "mmap", "munmap", "getpid"]
        let run = try probe(Seccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 95,
                                    syscalls: [Syscall(names: needs, action: "SCMP_ACT_ALLOW")]),
                            ["getpid", "getppid", "unshare:0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outcomes["getpid"], SeccompProbe.allowed())
        XCTAssertEqual(run.outcomes["getppid"], SeccompProbe.denied(95))
        XCTAssertEqual(run.outcomes["unshare:0"], SeccompProbe.denied(95))
    }

    func testArgumentConditionsWithEveryOperator() throws {
        // getpriority(which, who): `who` is compared; PRIO_PROCESS (0) with who 0 is the caller.
        func rule(_ op: String, _ value: UInt64, errno: UInt32, valueTwo: UInt64? = nil) -> Syscall {
            Syscall(names: ["getpriority"], action: "SCMP_ACT_ERRNO", errnoRet: errno,
                    args: [Arg(index: 1, value: value, valueTwo: valueTwo, op: op)])
        }
        let cases: [(Syscall, denied: [String], allowed: [String])] = [
            (rule("SCMP_CMP_EQ", 4242, errno: 71), ["getpriority:0:4242"], ["getpriority:0:0"]),
            (rule("SCMP_CMP_NE", 0, errno: 72), ["getpriority:0:1"], ["getpriority:0:0"]),
            (rule("SCMP_CMP_GT", 100_000, errno: 73), ["getpriority:0:200000"], ["getpriority:0:0"]),
            (rule("SCMP_CMP_GE", 100_000, errno: 74), ["getpriority:0:100000"], ["getpriority:0:0"]),
            (rule("SCMP_CMP_LT", 1, errno: 75), ["getpriority:0:0"], []),
            (rule("SCMP_CMP_LE", 7, errno: 76), ["getpriority:0:7", "getpriority:0:0"], []),
            // value is the mask, valueTwo the expected masked value.
            (rule("SCMP_CMP_MASKED_EQ", 0xF000, errno: 77, valueTwo: 0x3000), ["getpriority:0:0x3abc"], ["getpriority:0:0x4abc", "getpriority:0:0"]),
        ]
        for (rule, denied, allowed) in cases {
            let run = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [rule]), denied + allowed)
            XCTAssertEqual(run.status, 0, run.stderr)
            let op = rule.args![0].op
            for label in denied {
                XCTAssertEqual(run.outcomes[label], SeccompProbe.denied(Int32(rule.errnoRet!)), "\(op) \(label)")
            }
            for label in allowed {
                // Reached the kernel: the caller's priority, or ESRCH for a pid that does not exist.
                let outcome = run.outcomes[label]
                XCTAssertNotNil(outcome, "\(op) \(label)")
                XCTAssertNotEqual(outcome?.errno, Int32(rule.errnoRet!), "\(op) \(label): \(String(describing: outcome))")
            }
        }
    }

    func testConditionsOnDifferentArgumentsAreANDedAndOnTheSameArgumentBecomeSeparateRules() throws {
        let and = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["getpriority"], action: "SCMP_ACT_ERRNO", errnoRet: 81, args: [
                Arg(index: 0, value: 0, op: "SCMP_CMP_EQ"), Arg(index: 1, value: 4242, op: "SCMP_CMP_EQ")])]),
            ["getpriority:0:4242", "getpriority:1:4242", "getpriority:0:0"])
        XCTAssertEqual(and.outcomes["getpriority:0:4242"], SeccompProbe.denied(81))
        XCTAssertNotNil(and.outcomes["getpriority:1:4242"])
        XCTAssertNotEqual(and.outcomes["getpriority:1:4242"]?.errno, 81, "only one condition holds: the kernel runs it")
        XCTAssertEqual(and.outcomes["getpriority:0:0"]?.errno, 0)

        // Two conditions on `who`: runc turns each into its own rule, so either one matches.
        let or = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["getpriority"], action: "SCMP_ACT_ERRNO", errnoRet: 82, args: [
                Arg(index: 1, value: 4242, op: "SCMP_CMP_EQ"), Arg(index: 1, value: 4343, op: "SCMP_CMP_EQ")])]),
            ["getpriority:0:4242", "getpriority:0:4343", "getpriority:0:0"])
        XCTAssertEqual(or.outcomes["getpriority:0:4242"], SeccompProbe.denied(82))
        XCTAssertEqual(or.outcomes["getpriority:0:4343"], SeccompProbe.denied(82))
        XCTAssertEqual(or.outcomes["getpriority:0:0"]?.errno, 0)
    }

    func testKillProcessTrapTraceAndLogActionsInAChild() throws {
        let kill = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["getppid"], action: "SCMP_ACT_KILL_PROCESS")]), ["trap-handler", "getppid"])
        XCTAssertTrue(kill.signaled, "KILL_PROCESS ends the process")
        XCTAssertEqual(kill.status, SIGSYS)
        XCTAssertFalse(kill.stdout.contains("SIGSYS"), "no handler runs for a kill")

        let trap = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["getppid"], action: "SCMP_ACT_TRAP")]), ["trap-handler", "getppid"])
        XCTAssertFalse(trap.signaled)
        XCTAssertEqual(trap.status, 42, "the SIGSYS handler ran: \(trap.stdout) \(trap.stderr)")
        XCTAssertTrue(trap.stdout.contains("SIGSYS"))

        // Without a tracer attached, the kernel fails a TRACE'd syscall with ENOSYS.
        let trace = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            Syscall(names: ["getppid"], action: "SCMP_ACT_TRACE", errnoRet: 3)]), ["getppid"])
        XCTAssertEqual(trace.outcomes["getppid"], SeccompProbe.denied(ENOSYS))

        let log = try probe(Seccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            Syscall(names: ["write", "exit_group", "fstat", "newfstatat", "brk", "mmap", "munmap"], action: "SCMP_ACT_ALLOW"),
            Syscall(names: ["getppid"], action: "SCMP_ACT_LOG")]), ["getppid", "getpid"])
        XCTAssertEqual(log.outcomes["getppid"], SeccompProbe.allowed(), "LOG lets the call through")
        XCTAssertEqual(log.outcomes["getpid"], SeccompProbe.denied(EPERM))
    }

    func testFilterFlagsAreAcceptedByTheKernel() throws {
        let run = try probe(Seccomp(defaultAction: "SCMP_ACT_ALLOW",
                                    flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                                    syscalls: [Syscall(names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 9)]),
                            ["getppid"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.outcomes["getppid"], SeccompProbe.denied(9))
    }
}
