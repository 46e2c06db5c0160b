#if canImport(Glibc)
import Glibc
#endif
import CSeccomp
import SwdockOCI
import SwdockOS

/// Turns the OCI `linux.seccomp` section into a BPF program with libseccomp, following runc's
/// rules so a profile means the same under swdock-runtime as under runc:
/// - `SCMP_ACT_KILL` is KILL_THREAD; ERRNO and TRACE return `errnoRet` (EPERM when absent);
/// - a rule whose action equals the default action is dropped (libseccomp refuses it);
/// - syscall names this libseccomp does not know are skipped and reported in `skippedSyscalls`;
/// - conditions go into one rule, unless two name the same argument index: then each condition
///   becomes a rule of its own (libseccomp cannot AND two conditions on one argument);
/// - the native architecture is always in the filter; `architectures` add to it.
/// An unknown action, operator, architecture or flag is an error naming it.
public enum SeccompCompiler {
    /// Linux system calls have at most six arguments.
    static let maxArguments: UInt = 6

    /// Compiles an OCI seccomp section with libseccomp (seccomp_init, seccomp_arch_add,
    /// seccomp_rule_add_array, seccomp_export_bpf to a memfd).
    public static func compile(_ spec: RuntimeSpec.Seccomp) throws(SeccompError) -> SeccompProgram {
        if let listener = spec.listenerPath, !listener.isEmpty {
            throw SeccompError(.notSupported, "seccomp listenerPath \"\(listener)\" (SCMP_ACT_NOTIFY has no listener support)")
        }
        let flags = try filterFlags(spec.flags ?? [])
        let defaultAction = try action(spec.defaultAction, errnoRet: spec.defaultErrnoRet, context: "defaultAction")

        guard let ctx = seccomp_init(defaultAction) else {
            throw SeccompError(.library, "seccomp_init with default action \(spec.defaultAction) failed")
        }
        defer { seccomp_release(ctx) }

        // The runtime sets no_new_privs itself (process.noNewPrivileges) before loading.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)
        for name in spec.architectures ?? [] {
            try addArchitecture(name, to: ctx)
        }
        let syscalls = spec.syscalls ?? []
        if syscalls.count > 32 {
            // A binary tree of syscall numbers instead of a linear scan, as runc does for long
            // profiles (libseccomp 2.5 misbehaves with the tree and no rules, hence the threshold).
            _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        }

        var skipped: [String] = []
        for (position, rule) in syscalls.enumerated() {
            try addRule(rule, position: position, defaultAction: defaultAction, to: ctx, skipped: &skipped)
        }
        return SeccompProgram(filter: try export(ctx), filterFlags: flags, skippedSyscalls: skipped)
    }

    static func filterFlags(_ names: [String]) throws(SeccompError) -> UInt32 {
        var flags: UInt32 = 0
        for name in names {
            switch name {
            case "SECCOMP_FILTER_FLAG_TSYNC": flags |= SeccompFilterFlag.tsync
            case "SECCOMP_FILTER_FLAG_LOG": flags |= SeccompFilterFlag.log
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": flags |= SeccompFilterFlag.specAllow
            case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV":
                // The kernel accepts it only together with NEW_LISTENER, i.e. a notify listener.
                throw SeccompError(.notSupported, "seccomp flag \(name) (needs SCMP_ACT_NOTIFY, which has no listener support)")
            default:
                throw SeccompError(.invalidProfile, "seccomp flag \"\(name)\" is not known")
            }
        }
        return flags
    }

    static func addArchitecture(_ name: String, to ctx: scmp_filter_ctx) throws(SeccompError) {
        guard let libName = architectureNames[name] else {
            throw SeccompError(.invalidProfile, "unknown seccomp architecture \"\(name)\"")
        }
        let token = seccomp_arch_resolve_name(libName)
        guard token != 0 else {
            throw SeccompError(.notSupported, "seccomp architecture \(name) (unknown to libseccomp \(SeccompLibrary.version))")
        }
        let rc = seccomp_arch_add(ctx, token)
        // The native architecture is in every new filter already.
        if rc != 0 && rc != -EEXIST {
            throw SeccompError(.library, "seccomp_arch_add \(name): \(Errno.message(-rc))")
        }
    }

    static func addRule(_ rule: RuntimeSpec.Syscall, position: Int, defaultAction: UInt32,
                        to ctx: scmp_filter_ctx, skipped: inout [String]) throws(SeccompError) {
        let context = "syscalls[\(position)] (\(rule.names.joined(separator: ",")))"
        let ruleAction = try action(rule.action, errnoRet: rule.errnoRet, context: context)
        let conditions = try self.conditions(rule.args ?? [], context: context)
        // libseccomp refuses a rule that repeats the default action; it would change nothing.
        if ruleAction == defaultAction { return }

        var perIndex = [Int](repeating: 0, count: Int(maxArguments))
        for condition in conditions { perIndex[Int(condition.arg)] += 1 }
        // Conditions on the same argument cannot be ANDed by libseccomp: runc adds each as its own rule.
        let groups: [[scmp_arg_cmp]] = perIndex.contains { $0 > 1 } ? conditions.map { [$0] } : [conditions]

        for name in rule.names {
            guard !name.isEmpty else {
                throw SeccompError(.invalidProfile, "\(context): empty syscall name")
            }
            let number = seccomp_syscall_resolve_name(name)
            if number == __NR_SCMP_ERROR {
                skipped.append(name)
                continue
            }
            for group in groups {
                var group = group
                let rc = group.withUnsafeMutableBufferPointer { buffer in
                    seccomp_rule_add_array(ctx, ruleAction, number, UInt32(buffer.count), buffer.baseAddress)
                }
                if rc != 0 {
                    throw SeccompError(.library, "seccomp_rule_add for syscall \(name) action \(rule.action) in \(context): \(Errno.message(-rc))")
                }
            }
        }
    }

    static func conditions(_ args: [RuntimeSpec.SyscallArg], context: String) throws(SeccompError) -> [scmp_arg_cmp] {
        var result: [scmp_arg_cmp] = []
        for arg in args {
            guard let op = operators[arg.op] else {
                throw SeccompError(.invalidProfile, "\(context): unknown operator \"\(arg.op)\"")
            }
            guard arg.index < maxArguments else {
                throw SeccompError(.invalidProfile, "\(context): argument index \(arg.index) is not below \(maxArguments)")
            }
            // For SCMP_CMP_MASKED_EQ `value` is the mask and `valueTwo` the expected result.
            result.append(scmp_arg_cmp(arg: UInt32(arg.index), op: op, datum_a: arg.value, datum_b: arg.valueTwo ?? 0))
        }
        return result
    }

    static func export(_ ctx: scmp_filter_ctx) throws(SeccompError) -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = FileDescriptor(rawValue: try sys("memfd_create", "\"swdock-seccomp\"") { swdock_seccomp_memfd("swdock-seccomp") })
        } catch {
            throw SeccompError(.system, "exporting the seccomp program", cause: error)
        }
        defer { fd.close() }
        let rc = seccomp_export_bpf(ctx, fd.rawValue)
        if rc != 0 {
            throw SeccompError(.library, "seccomp_export_bpf: \(Errno.message(-rc))")
        }
        do {
            try sys("lseek", "memfd") { Glibc.lseek(fd.rawValue, 0, SEEK_SET) }
            let bytes = try fd.readAll()
            guard !bytes.isEmpty, bytes.count % 8 == 0 else {
                throw SeccompError(.library, "seccomp_export_bpf wrote \(bytes.count) bytes, not whole sock_filter instructions")
            }
            return bytes
        } catch let error as OSError {
            throw SeccompError(.system, "reading the exported seccomp program", cause: error)
        } catch {
            throw error as! SeccompError
        }
    }
}
