#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockOCI

/// A seccomp profile in Docker's JSON format (moby's profiles/seccomp): the OCI section plus
/// `archMap` and per-rule `includes`/`excludes` (by capability, architecture, minimum kernel)
/// that the engine resolves into an OCI `linux.seccomp` when it creates a container.
public struct DockerSeccompProfile: Codable, Sendable, Equatable {
    public var defaultAction: String
    public var defaultErrnoRet: UInt32?
    public var architectures: [String]?
    public var archMap: [ArchMap]?
    public var flags: [String]?
    public var listenerPath: String?
    public var listenerMetadata: String?
    public var syscalls: [Rule]?

    public struct ArchMap: Codable, Sendable, Equatable {
        public var architecture: String
        public var subArchitectures: [String]?
    }

    public struct Rule: Codable, Sendable, Equatable {
        /// The old single-name form; a rule has `name` or `names`, not both.
        public var name: String?
        public var names: [String]?
        public var action: String
        public var errnoRet: UInt32?
        public var args: [RuntimeSpec.SyscallArg]?
        public var comment: String?
        public var includes: Filter?
        public var excludes: Filter?
    }

    /// A rule applies when every `includes` condition holds and no `excludes` condition does.
    public struct Filter: Codable, Sendable, Equatable {
        /// Capabilities of the container's bounding set (`CAP_SYS_ADMIN`).
        public var caps: [String]?
        /// Go architecture names (`amd64`, `arm64`, `s390x`, `x86`).
        public var arches: [String]?
        /// `major.minor` of the running kernel.
        public var minKernel: String?
    }

    /// Decodes a profile from Docker's JSON.
    public static func decode(_ json: String) throws(SeccompError) -> DockerSeccompProfile {
        do {
            return try JSONDecoder().decode(DockerSeccompProfile.self, from: Data(json.utf8))
        } catch {
            throw SeccompError(.invalidProfile, "decoding seccomp profile: \(error)")
        }
    }

    /// Resolves the profile for one container as moby's setupSeccomp does: architectures from
    /// `archMap` for the host architecture, and only the rules whose includes/excludes match
    /// the container's bounding capabilities, the architecture and the kernel. `nil` when the
    /// profile has neither a default action nor rules (seccomp off).
    ///
    /// - Parameters:
    ///   - capabilities: the container's bounding set.
    ///   - arch: a Go architecture name (`amd64`); the host's by default.
    ///   - kernel: `(major, minor)` of the kernel; the running one by default.
    public func resolve(capabilities: [String], arch: String = DockerSeccompProfile.hostArchitecture,
                        kernel: (Int, Int)? = nil) throws(SeccompError) -> RuntimeSpec.Seccomp? {
        if defaultAction.isEmpty && (syscalls ?? []).isEmpty { return nil }
        if !(architectures ?? []).isEmpty && !(archMap ?? []).isEmpty {
            throw SeccompError(.invalidProfile, "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'")
        }
        let kernelVersion = kernel ?? Self.runningKernel
        var result = RuntimeSpec.Seccomp(defaultAction: defaultAction, defaultErrnoRet: defaultErrnoRet)
        var arches = architectures ?? []
        if let native = Self.seccompArchitecture[arch] {
            for entry in archMap ?? [] where entry.architecture == native {
                arches.append(entry.architecture)
                arches.append(contentsOf: entry.subArchitectures ?? [])
                break
            }
        }
        result.architectures = arches.isEmpty ? nil : arches
        result.flags = flags
        result.listenerPath = listenerPath
        result.listenerMetadata = listenerMetadata

        var rules: [RuntimeSpec.Syscall] = []
        for (position, rule) in (syscalls ?? []).enumerated() {
            if let excludes = rule.excludes {
                if let list = excludes.arches, list.contains(arch) { continue }
                if let list = excludes.caps, list.contains(where: capabilities.contains) { continue }
                if let min = excludes.minKernel, try Self.kernel(kernelVersion, atLeast: min, position: position) { continue }
            }
            if let includes = rule.includes {
                if let list = includes.arches, !list.isEmpty, !list.contains(arch) { continue }
                if let list = includes.caps, !list.allSatisfy(capabilities.contains) { continue }
                if let min = includes.minKernel, try !Self.kernel(kernelVersion, atLeast: min, position: position) { continue }
            }
            if let name = rule.name, !name.isEmpty, !(rule.names ?? []).isEmpty {
                throw SeccompError(.invalidProfile, "syscalls[\(position)]: 'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'")
            }
            let names = rule.names ?? (rule.name.map { [$0] } ?? [])
            rules.append(RuntimeSpec.Syscall(names: names, action: rule.action, errnoRet: rule.errnoRet, args: rule.args))
        }
        result.syscalls = rules
        return result
    }

    /// GOARCH of this build, the name Docker's `arches` filters use.
    public static var hostArchitecture: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #elseif arch(arm)
        return "arm"
        #elseif arch(i386)
        return "x86"
        #elseif arch(s390x)
        return "s390x"
        #elseif arch(powerpc64le)
        return "ppc64le"
        #elseif arch(riscv64)
        return "riscv64"
        #else
        return "unknown"
        #endif
    }

    /// Go architecture → the SCMP_ARCH_* an archMap entry names (moby's nativeToSeccomp).
    static let seccompArchitecture: [String: String] = [
        "x86": "SCMP_ARCH_X86", "amd64": "SCMP_ARCH_X86_64", "arm": "SCMP_ARCH_ARM", "arm64": "SCMP_ARCH_AARCH64",
        "mips64": "SCMP_ARCH_MIPS64", "mips64n32": "SCMP_ARCH_MIPS64N32", "mipsel64": "SCMP_ARCH_MIPSEL64",
        "mipsel64n32": "SCMP_ARCH_MIPSEL64N32", "mipsle": "SCMP_ARCH_MIPSEL", "ppc": "SCMP_ARCH_PPC",
        "ppc64": "SCMP_ARCH_PPC64", "ppc64le": "SCMP_ARCH_PPC64LE", "s390": "SCMP_ARCH_S390",
        "s390x": "SCMP_ARCH_S390X", "riscv64": "SCMP_ARCH_RISCV64",
    ]

    /// `(major, minor)` of the running kernel from uname(2).
    static var runningKernel: (Int, Int) {
        var name = utsname()
        guard uname(&name) == 0 else { return (0, 0) }
        let release = withUnsafePointer(to: name.release) {
            $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
        }
        return parseKernel(release) ?? (0, 0)
    }

    /// `5.10.0-21-amd64` → (5, 10): only kernel and major revision count, as in moby.
    static func parseKernel(_ text: String) -> (Int, Int)? {
        let parts = text.split(whereSeparator: { !$0.isNumber }).prefix(2)
        guard parts.count == 2, let major = Int(parts[parts.startIndex]), let minor = Int(parts[parts.startIndex + 1]) else {
            return nil
        }
        return (major, minor)
    }

    static func kernel(_ running: (Int, Int), atLeast text: String, position: Int) throws(SeccompError) -> Bool {
        guard let min = parseKernel(text) else {
            throw SeccompError(.invalidProfile, "syscalls[\(position)]: minKernel \"\(text)\" is not major.minor")
        }
        return running.0 > min.0 || (running.0 == min.0 && running.1 >= min.1)
    }
}

/// Docker's default seccomp profile (moby's profiles/seccomp/default.json), kept in
/// contrib/seccomp/default.json and embedded here by contrib/seccomp/generate-swift.sh.
public enum DefaultSeccompProfile {
    /// The profile in Docker's format, decoded once (every container create resolves it).
    // The embedded JSON is checked by a test; failing to decode it is a build defect.
    public static let profile: DockerSeccompProfile = try! DockerSeccompProfile.decode(json)

    /// The default profile resolved for a container with these bounding capabilities on
    /// `arch` (a Go architecture name, the host's by default).
    public static func resolve(capabilities: [String], arch: String = DockerSeccompProfile.hostArchitecture,
                               kernel: (Int, Int)? = nil) -> RuntimeSpec.Seccomp {
        // The default profile has a default action, so it never resolves to "seccomp off", and
        // it has no name/names or minKernel errors (checked by its tests).
        try! profile.resolve(capabilities: capabilities, arch: arch, kernel: kernel)!
    }
}
