#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS
import SwdockSnapshot

/// Reads files of a container's root filesystem straight from its snapshot's layer
/// directories, without mounting it: an overlay is looked up top layer first as overlayfs
/// would (a whiteout hides the path, an opaque directory hides the layers below it), a bind
/// mount is its source directory.
///
/// Why: `create` needs the image's /etc/passwd and /etc/group, and a mount plus unmount of the
/// container's overlay costs tens of milliseconds here (the unmount waits for an RCU grace
/// period). Only the plain case is served: `servable` is false when a component of the path
/// is a symlink in some layer or a file is not a regular one, and the caller then mounts and
/// reads through `RootfsFiles`, which resolves symlinks inside the root.
public struct LayeredRootfsFiles: ContainerFileReader {
    /// Layer roots, top first (an overlay's upper dir, then its lower dirs).
    public let layers: [String]
    public let limit: Int

    /// The layers of `mounts` when they are one overlay or one bind mount; nil otherwise.
    public init?(mounts: [Mount], limit: Int = 16 << 20) {
        guard mounts.count == 1, let mount = mounts.first else { return nil }
        switch mount.type {
        case "bind":
            layers = [mount.source]
        case "overlay":
            var upper: [String] = []
            var lowers: [String] = []
            for option in mount.options {
                if option.hasPrefix("upperdir=") { upper = [String(option.dropFirst("upperdir=".count))] }
                if option.hasPrefix("lowerdir=") {
                    lowers = option.dropFirst("lowerdir=".count).split(separator: ":").map(String.init)
                }
                if option.hasPrefix("lowerdir+=") { lowers.append(String(option.dropFirst("lowerdir+=".count))) }
            }
            guard !lowers.isEmpty, lowers.allSatisfy({ $0.hasPrefix("/") && !$0.contains("\\") }) else { return nil }
            layers = upper + lowers
        default:
            return nil
        }
        self.limit = limit
    }

    /// Where `path` is, as overlayfs would find it.
    enum Lookup: Equatable {
        case absent
        case file(String)
        /// A symlink or another kind of entry on the way: needs the mounted root.
        case unsupported
    }

    func lookup(_ path: String) -> Lookup {
        let components = path.split(separator: "/").map(String.init)
        guard !components.isEmpty, !components.contains(".."), !components.contains(".") else { return .unsupported }
        for layer in layers {
            var directory = layer
            // An opaque directory on the path in this layer hides the layers below it.
            var opaque = false
            for (index, component) in components.enumerated() {
                let entry = directory + "/" + component
                var info = stat()
                guard lstat(entry, &info) == 0 else { break }  // not in this layer
                let kind = info.st_mode & S_IFMT
                if kind == S_IFCHR && info.st_rdev == 0 { return .absent }  // a whiteout
                if index == components.count - 1 {
                    return kind == S_IFREG ? .file(entry) : .unsupported
                }
                if kind == S_IFLNK { return .unsupported }
                guard kind == S_IFDIR else { return .absent }
                if Self.isOpaque(entry) { opaque = true }
                directory = entry
            }
            if opaque { return .absent }
        }
        return .absent
    }

    /// True when every path can be read this way.
    public func servable(_ paths: [String]) -> Bool { paths.allSatisfy { lookup($0) != .unsupported } }

    public func contents(of path: String) throws(EngineError) -> String? {
        switch lookup(path) {
        case .absent:
            return nil
        case .unsupported:
            throw EngineError(.invalidArgument, "read \(path) of the container: not a plain file in its layers")
        case .file(let location):
            let file: FileDescriptor
            do { file = try FileDescriptor.open(location, O_RDONLY | O_NOFOLLOW) } catch {
                throw EngineError(.system, "read \(path) of the container", cause: error)
            }
            defer { file.close() }
            return try RootfsFiles.readText(file, path: path, limit: limit)
        }
    }

    static func isOpaque(_ directory: String) -> Bool {
        var value = [UInt8](repeating: 0, count: 2)
        let count = lgetxattr(directory, "trusted.overlay.opaque", &value, value.count)
        return count == 1 && value[0] == UInt8(ascii: "y")
    }
}
