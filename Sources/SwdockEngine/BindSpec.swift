import SwdockOS

/// One `-v`/`Binds` entry parsed with moby's Linux rules (volume/mounts/linux_parser.go):
/// `src:dst[:mode]` where mode is a comma list of at most one each of `rw|ro`, `z|Z`, a
/// propagation, `nocopy` and a consistency. An absolute `src` is a bind; anything else names a
/// volume; a single path is an anonymous volume.
public struct BindSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case bind, namedVolume, anonymousVolume }

    public var kind: Kind
    /// Cleaned host path (bind) or the volume name.
    public var source: String
    /// Cleaned container path.
    public var destination: String
    public var readOnly: Bool
    /// `rprivate` unless the mode names one.
    public var propagation: String
    public var mode: String

    static let propagations: Set<String> = ["private", "rprivate", "slave", "rslave", "shared", "rshared"]

    public static func parse(_ raw: String) throws(EngineError) -> BindSpec {
        let invalidSpec = "invalid volume specification: '\(raw)'"
        let parts = raw.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty else { throw EngineError(.invalidArgument, invalidSpec) }
        var source = "", target = "", mode = ""
        switch parts.count {
        case 1:
            target = parts[0]
        case 2:
            // `/foo:rw` is a destination with a mode, which a volume cannot have.
            if validMode(parts[1]) { throw EngineError(.invalidArgument, invalidSpec) }
            source = parts[0]; target = parts[1]
        case 3:
            source = parts[0]; target = parts[1]; mode = parts[2]
        default:
            throw EngineError(.invalidArgument, invalidSpec)
        }
        guard validMode(mode) else { throw EngineError(.invalidArgument, "invalid mode: \(mode)") }
        let options = mode.split(separator: ",").map(String.init)
        let kind: Kind = source.hasPrefix("/") ? .bind : (source.isEmpty ? .anonymousVolume : .namedVolume)
        let typeName = kind == .bind ? "bind" : "volume"
        func configError(_ text: String) -> EngineError {
            EngineError(.invalidArgument, "\(invalidSpec): invalid mount config for type \"\(typeName)\": \(text)")
        }
        if PathText.clean(target) == "/" { throw configError("invalid specification: destination can't be '/'") }
        if !target.hasPrefix("/") { throw configError("invalid mount path: '\(target)' mount path must be absolute") }
        if kind == .namedVolume {
            try checkVolumeName(source)
        }
        return BindSpec(kind: kind, source: kind == .bind ? PathText.clean(source) : source,
                        destination: PathText.clean(target), readOnly: options.contains("ro"),
                        propagation: options.first(where: propagations.contains) ?? "rprivate", mode: mode)
    }

    /// Docker's local volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`; a path-like name is the usual
    /// mistake of a relative host path.
    static func checkVolumeName(_ name: String) throws(EngineError) {
        let isAlnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let valid = name.count >= 2 && isAlnum(name.first!)
            && name.dropFirst().allSatisfy { isAlnum($0) || $0 == "_" || $0 == "." || $0 == "-" }
        guard valid else {
            throw EngineError(.invalidArgument, "create \(name): \"\(name)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")
        }
    }

    /// moby's linuxValidMountMode.
    static func validMode(_ mode: String) -> Bool {
        guard !mode.isEmpty else { return true }
        var counts = [0, 0, 0, 0, 0]
        for option in mode.split(separator: ",", omittingEmptySubsequences: false) {
            switch option {
            case "rw", "ro": counts[0] += 1
            case "z", "Z": counts[1] += 1
            case _ where propagations.contains(String(option)): counts[2] += 1
            case "nocopy": counts[3] += 1
            case "consistent", "cached", "delegated": counts[4] += 1
            default: return false
            }
        }
        return counts.allSatisfy { $0 <= 1 }
    }
}
