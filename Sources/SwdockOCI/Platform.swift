/// An image platform: `os/architecture[/variant]` with GOOS/GOARCH names (OCI `platform`).
///
/// Parsing, normalisation and matching follow containerd's `platforms` package, which is what
/// Docker uses to pick a manifest from an index.
public struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    public var os: String
    public var architecture: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    public init(os: String, architecture: String, variant: String? = nil, osVersion: String? = nil,
                osFeatures: [String]? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = (variant?.isEmpty ?? true) ? nil : variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
    }

    enum CodingKeys: String, CodingKey {
        case os, architecture, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// `os/arch` or `os/arch/variant`.
    public var description: String {
        var text = "\(os)/\(architecture)"
        if let variant { text += "/\(variant)" }
        return text
    }

    /// The platform of this host, as Docker's default for pulls (`linux/amd64`, `linux/arm64/v8`, …).
    public static var host: Platform {
        #if arch(x86_64)
        return Platform(os: hostOS, architecture: "amd64")
        #elseif arch(arm64)
        return Platform(os: hostOS, architecture: "arm64", variant: "v8")
        #elseif arch(arm)
        return Platform(os: hostOS, architecture: "arm", variant: "v7")
        #elseif arch(i386)
        return Platform(os: hostOS, architecture: "386")
        #elseif arch(powerpc64le)
        return Platform(os: hostOS, architecture: "ppc64le")
        #elseif arch(s390x)
        return Platform(os: hostOS, architecture: "s390x")
        #elseif arch(riscv64)
        return Platform(os: hostOS, architecture: "riscv64")
        #else
        return Platform(os: hostOS, architecture: "unknown")
        #endif
    }

    private static var hostOS: String {
        #if os(Linux)
        return "linux"
        #elseif os(macOS)
        return "darwin"
        #else
        return "unknown"
        #endif
    }

    /// Parses a platform specifier as `docker pull --platform` accepts it: `os`, `arch`,
    /// `os/arch` or `os/arch/variant` (a lone known OS takes the host's architecture, a lone
    /// architecture the host's OS). The result is normalised except that an explicit arm64 `v8`
    /// is kept for display.
    public init(parsing specifier: String) throws(PlatformError) {
        let parts = specifier.split(separator: "/", omittingEmptySubsequences: false).map { String($0).lowercased() }
        for part in parts where part.isEmpty || !part.utf8.allSatisfy(Platform.isSpecifierByte) {
            throw .invalid(specifier, "\"\(part)\" is an invalid component of \"\(specifier)\": platform specifier component must match \"^[A-Za-z0-9_-]+$\"")
        }
        switch parts.count {
        case 1:
            let word = parts[0]
            if Platform.knownOS.contains(Platform.normalizeOS(word)) {
                self.init(os: Platform.normalizeOS(word), architecture: Platform.host.architecture,
                          variant: Platform.host.variant)
            } else if Platform.knownArchitectures.contains(Platform.normalizeArchitecture(word, nil).0) {
                let (arch, variant) = Platform.normalizeArchitecture(word, nil)
                self.init(os: Platform.host.os, architecture: arch, variant: variant)
            } else {
                throw .invalid(specifier, "\"\(specifier)\": unknown operating system or architecture")
            }
        case 2, 3:
            let os = Platform.normalizeOS(parts[0])
            let rawVariant = parts.count == 3 ? parts[2] : nil
            var (arch, variant) = Platform.normalizeArchitecture(parts[1], rawVariant)
            if arch == "arm64", variant == nil, let rawVariant, ["8", "v8", "v8.0"].contains(rawVariant) {
                variant = "v8"  // kept as written; normalized drops it for matching
            }
            self.init(os: os, architecture: arch, variant: variant)
        default:
            throw .invalid(specifier, "\"\(specifier)\": cannot parse platform specifier")
        }
    }

    private static func isSpecifierByte(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 95 || byte == 45
    }

    static let knownOS: Set<String> = ["aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos",
                                       "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris",
                                       "windows", "zos"]
    static let knownArchitectures: Set<String> = ["386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be",
                                                  "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64",
                                                  "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv",
                                                  "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm"]

    static func normalizeOS(_ os: String) -> String {
        let lower = os.lowercased()
        return lower == "macos" ? "darwin" : lower
    }

    /// containerd's `normalizeArch`: canonical GOARCH names and variants.
    static func normalizeArchitecture(_ architecture: String, _ variant: String?) -> (String, String?) {
        let arch = architecture.lowercased()
        let variant = variant?.lowercased() ?? ""
        func v(_ text: String) -> String? { text.isEmpty ? nil : text }
        switch arch {
        case "i386": return ("386", nil)
        case "x86_64", "x86-64", "amd64": return ("amd64", variant == "v1" ? nil : v(variant))
        case "aarch64", "arm64": return ("arm64", ["8", "v8", "v8.0"].contains(variant) ? nil : v(variant))
        case "armhf": return ("arm", "v7")
        case "armel": return ("arm", "v6")
        case "arm":
            switch variant {
            case "", "7": return ("arm", "v7")
            case "5", "6", "8": return ("arm", "v" + variant)
            default: return ("arm", variant)
            }
        default: return (arch, v(variant))
        }
    }

    /// The platform in containerd's canonical form, used for comparisons (`linux/arm64/v8` → `linux/arm64`).
    public var normalized: Platform {
        let (arch, variant) = Platform.normalizeArchitecture(architecture, variant)
        return Platform(os: Platform.normalizeOS(os), architecture: arch, variant: variant, osVersion: osVersion,
                        osFeatures: osFeatures)
    }
}

/// Decides which platforms an image may be run on, and which is best: containerd's
/// `platforms.Only` (the requested platform, then what it can also run, e.g. `arm64` runs `arm/v8…v5`).
public struct PlatformMatcher: Sendable {
    /// Acceptable platforms (normalised), most preferred first.
    public let preference: [Platform]

    /// Matches `platform` and what it can run, preferring `platform` itself.
    public static func only(_ platform: Platform) -> PlatformMatcher {
        PlatformMatcher(preference: vector(platform.normalized))
    }

    /// Matches exactly `platform` (after normalisation).
    public static func exactly(_ platform: Platform) -> PlatformMatcher {
        PlatformMatcher(preference: [platform.normalized])
    }

    private static func vector(_ platform: Platform) -> [Platform] {
        var vector = [platform]
        func variantNumber(_ variant: String?) -> Int? { variant.flatMap { Int($0.dropFirst($0.hasPrefix("v") ? 1 : 0)) } }
        switch platform.architecture {
        case "amd64":
            if let level = variantNumber(platform.variant), level > 1 {
                for lower in stride(from: level - 1, through: 1, by: -1) {
                    vector.append(Platform(os: platform.os, architecture: "amd64", variant: lower == 1 ? nil : "v\(lower)"))
                }
            }
            vector.append(Platform(os: platform.os, architecture: "386"))
        case "arm":
            if let version = variantNumber(platform.variant), version > 5 {
                for lower in stride(from: version - 1, through: 5, by: -1) {
                    vector.append(Platform(os: platform.os, architecture: "arm", variant: "v\(lower)"))
                }
            }
        case "arm64":
            vector += self.vector(Platform(os: platform.os, architecture: "arm", variant: platform.variant ?? "v8"))
        default:
            break
        }
        return vector
    }

    private static func same(_ a: Platform, _ b: Platform) -> Bool {
        a.os == b.os && a.architecture == b.architecture && a.variant == b.variant
    }

    /// Whether an image for `platform` is acceptable.
    public func matches(_ platform: Platform) -> Bool { rank(platform) < Int.max }

    /// Position in the preference order (lower is better); `Int.max` when not acceptable.
    public func rank(_ platform: Platform) -> Int {
        let normalized = platform.normalized
        return preference.firstIndex { PlatformMatcher.same($0, normalized) } ?? Int.max
    }
}

/// Why a platform specifier was refused.
public enum PlatformError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalid(String, String)
    public var description: String {
        switch self {
        case .invalid(_, let message): return message
        }
    }
}
