import CSeccomp

/// The names the OCI runtime-spec uses for seccomp actions, operators, architectures and
/// flags, and what each one means to libseccomp. `swdock-runtime features` lists these.
extension SeccompCompiler {
    /// Every `SCMP_ACT_*` name of the runtime-spec, sorted.
    public static let knownActions: [String] = [
        "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
    ]

    /// Every `SCMP_CMP_*` name of the runtime-spec, sorted.
    public static let knownOperators: [String] = operators.keys.sorted()

    /// Every `SCMP_ARCH_*` name of the runtime-spec, sorted (the linked libseccomp may lack some:
    /// see `supportedArchitectures`).
    public static let knownArchitectures: [String] = architectureNames.keys.sorted()

    /// The architectures of `knownArchitectures` the linked libseccomp can add to a filter.
    public static var supportedArchitectures: [String] {
        knownArchitectures.filter { name in
            guard let libName = architectureNames[name] else { return false }
            return seccomp_arch_resolve_name(libName) != 0
        }
    }

    /// Filter flags this compiler accepts (`SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` needs a
    /// notify listener, which swdock does not offer).
    public static let knownFlags: [String] = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                              "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]

    static let operators: [String: scmp_compare] = [
        "SCMP_CMP_NE": SCMP_CMP_NE, "SCMP_CMP_LT": SCMP_CMP_LT, "SCMP_CMP_LE": SCMP_CMP_LE,
        "SCMP_CMP_EQ": SCMP_CMP_EQ, "SCMP_CMP_GE": SCMP_CMP_GE, "SCMP_CMP_GT": SCMP_CMP_GT,
        "SCMP_CMP_MASKED_EQ": SCMP_CMP_MASKED_EQ,
    ]

    /// Runtime-spec name → libseccomp's own name for `seccomp_arch_resolve_name`.
    static let architectureNames: [String: String] = [
        "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X32": "x32",
        "SCMP_ARCH_ARM": "arm", "SCMP_ARCH_AARCH64": "aarch64",
        "SCMP_ARCH_MIPS": "mips", "SCMP_ARCH_MIPS64": "mips64", "SCMP_ARCH_MIPS64N32": "mips64n32",
        "SCMP_ARCH_MIPSEL": "mipsel", "SCMP_ARCH_MIPSEL64": "mipsel64", "SCMP_ARCH_MIPSEL64N32": "mipsel64n32",
        "SCMP_ARCH_PPC": "ppc", "SCMP_ARCH_PPC64": "ppc64", "SCMP_ARCH_PPC64LE": "ppc64le",
        "SCMP_ARCH_S390": "s390", "SCMP_ARCH_S390X": "s390x",
        "SCMP_ARCH_PARISC": "parisc", "SCMP_ARCH_PARISC64": "parisc64",
        "SCMP_ARCH_RISCV64": "riscv64", "SCMP_ARCH_LOONGARCH64": "loongarch64",
        "SCMP_ARCH_M68K": "m68k", "SCMP_ARCH_SH": "sh", "SCMP_ARCH_SHEB": "sheb",
    ]

    /// The libseccomp action value for an OCI action name. `errnoRet` is used by ERRNO and
    /// TRACE only (EPERM when absent, as runc), and ignored by the others as runc does.
    static func action(_ name: String, errnoRet: UInt32?, context: String) throws(SeccompError) -> UInt32 {
        func code() throws(SeccompError) -> UInt16 {
            guard let errnoRet else { return 1 /* EPERM */ }
            guard errnoRet <= UInt32(UInt16.max) else {
                throw SeccompError(.invalidProfile, "\(context): errnoRet \(errnoRet) does not fit the 16-bit SECCOMP_RET_DATA")
            }
            return UInt16(errnoRet)
        }
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return SCMP_ACT_KILL_THREAD
        case "SCMP_ACT_KILL_PROCESS": return SCMP_ACT_KILL_PROCESS
        case "SCMP_ACT_TRAP": return SCMP_ACT_TRAP
        case "SCMP_ACT_ERRNO": return swdock_scmp_act_errno(try code())
        case "SCMP_ACT_TRACE": return swdock_scmp_act_trace(try code())
        case "SCMP_ACT_ALLOW": return SCMP_ACT_ALLOW
        case "SCMP_ACT_LOG": return SCMP_ACT_LOG
        case "SCMP_ACT_NOTIFY":
            throw SeccompError(.notSupported, "SCMP_ACT_NOTIFY (no listener support) in \(context)")
        default:
            throw SeccompError(.invalidProfile, "\(context): unknown action \"\(name)\"")
        }
    }
}
