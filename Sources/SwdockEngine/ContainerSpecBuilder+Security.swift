import SwdockOCI
import SwdockSeccomp

/// `SecurityOpt` entries parsed as moby's parseSecurityOpt does.
struct SecurityOptions: Sendable, Equatable {
    var noNewPrivileges = false
    /// nil = the default profile; `unconfined`; or a profile's JSON text (the CLI sends the file's content).
    var seccomp: String?
    var apparmor: String?

    init(_ options: [String], warnings: inout [String]) throws(EngineError) {
        for option in options {
            if option == "no-new-privileges" { noNewPrivileges = true; continue }
            if option == "disable" {
                warnings.append("security option \"label=disable\" ignored: SELinux is not supported by swdock")
                continue
            }
            let separator: Character? = option.contains("=") ? "=" : (option.contains(":") ? ":" : nil)
            guard let separator,
                  let index = option.firstIndex(of: separator) else {
                throw EngineError(.invalidArgument, "invalid --security-opt 1: \"\(option)\"")
            }
            let key = String(option[..<index])
            let value = String(option[option.index(after: index)...])
            switch key {
            case "label":
                // As dockerd on a host without SELinux: accepted and without effect.
                warnings.append("security option \"label=\(value)\" ignored: SELinux is not supported by swdock")
            case "apparmor":
                guard value == "unconfined" else {
                    throw EngineError(.notSupported, "AppArmor profile \"\(value)\": swdock does not load AppArmor profiles (use apparmor=unconfined)")
                }
                apparmor = value
            case "seccomp":
                seccomp = value
            case "no-new-privileges":
                switch value.lowercased() {
                case "1", "t", "true": noNewPrivileges = true
                case "0", "f", "false": noNewPrivileges = false
                default: throw EngineError(.invalidArgument, "invalid --security-opt 2: \"\(option)\"")
                }
            default:
                throw EngineError(.invalidArgument, "invalid --security-opt 2: \"\(option)\"")
            }
        }
    }
}

extension ContainerSpecBuilder {
    /// Docker's masked paths (oci/defaults.go, with /sys/devices/virtual/powercap of moby ≥ 20.10.x).
    public static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// Docker's read-only paths.
    public static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// `linux.seccomp`: none for privileged or `seccomp=unconfined`; otherwise Docker's default
    /// profile or the given one, resolved for the container's bounding capabilities.
    func seccomp(_ security: SecurityOptions, privileged: Bool,
                 capabilities: [String]) throws(EngineError) -> RuntimeSpec.Seccomp? {
        if security.seccomp == "unconfined" || privileged { return nil }
        guard let text = security.seccomp, !text.isEmpty, text != "builtin" else {
            return DefaultSeccompProfile.resolve(capabilities: capabilities, arch: host.architecture, kernel: host.kernel)
        }
        do {
            let profile = try DockerSeccompProfile.decode(text)
            return try profile.resolve(capabilities: capabilities, arch: host.architecture, kernel: host.kernel)
        } catch {
            throw EngineError(.invalidArgument, "Error loading seccomp profile: \(error.message)", cause: error)
        }
    }
}
