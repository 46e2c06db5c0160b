#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// One change of a container's writable layer against its image, as `docker diff` shows it.
public struct LayerChange: Sendable, Equatable, CustomStringConvertible {
    /// Docker's `archive.ChangeType` values (the API's `Kind`).
    public enum Kind: Int, Sendable {
        case modified = 0
        case added = 1
        case deleted = 2

        /// The letter `docker diff` prints.
        public var letter: String {
            switch self {
            case .modified: return "C"
            case .added: return "A"
            case .deleted: return "D"
            }
        }
    }

    /// Absolute path inside the container (`/etc/passwd`).
    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var description: String { "\(kind.letter) \(path)" }
}

/// The changes of a writable layer, computed as moby's `pkg/archive/changes.go` does, for the
/// two snapshot layouts:
///
/// - **overlay** (`overlay(upper:lowers:)`, moby's `OverlayChanges`): every entry of the upper
///   directory is a change. A 0:0 character device is a deletion, a directory with
///   `trusted.overlay.opaque=y` is reported deleted (and its entries as added or modified);
///   an entry that exists in a lower layer is modified, else added; a directory present in a
///   lower layer with the same size, mode and mtime is not reported by itself.
/// - **full trees** (`trees(new:old:)`, moby's `ChangesDirs`, used with the copying
///   snapshotter): the container's tree against the image's, comparing mode, owner, device
///   number, and for non-directories size and mtime, plus symlink targets and
///   `security.capability`.
///
/// In both, the parent directory of an added or deleted entry is reported modified, and the
/// result is in path order, component by component (`/a`, `/a/b`, `/a-b`), which is the order
/// of dockerd's walk. Paths in `excluding` (`/etc/hosts`: mount points of the engine's bind
/// mounts) are left out together with what is below them.
///
/// Paths in lower layers are resolved inside each layer (`openat2(RESOLVE_IN_ROOT)`), never on
/// the host. A lower layer's whiteout of the name ends the search (the name does not exist
/// below); opaque directories of lower layers are not considered (as in dockerd).
public enum LayerChanges {
    /// Changes in the overlay upper directory `upper` over `lowers` (topmost first).
    public static func overlay(upper: String, lowers: [String], excluding: Set<String> = []) throws(ArchiveError) -> [LayerChange] {
        do {
            let walker = try TreeWalk(root: upper)
            defer { walker.close() }
            var lowerRoots: [Int32] = []
            defer { for fd in lowerRoots { Glibc.close(fd) } }
            for lower in lowers {
                lowerRoots.append(try sys("open", "lower layer \"\(lower)\"") {
                    swdock_openat(AT_FDCWD, lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
                })
            }
            var changes: [LayerChange] = []
            var changedDirectories = Set<String>()
            // A directory above an excluded mount point (`/etc` for `/etc/hosts`) was touched by
            // the engine making that mount point: it is reported only with a change of its own
            // (mode, owner) or when something else below it changed.
            let holders = Set(excluding.flatMap { ancestors(of: $0) })
            var pending: [String] = []
            func record(_ change: LayerChange) {
                if let index = pending.firstIndex(where: { change.path.hasPrefix($0 + "/") }) {
                    let holder = pending.remove(at: index)
                    changes.append(LayerChange(path: holder, kind: .modified))
                }
                changes.append(change)
            }
            var unsupported: String?
            try walker.walk { entry throws(OSError) -> Bool in
                let path = "/" + entry.path
                if excluding.contains(path) || unsupported != nil { return false }
                if try TreeWalk.needsMergedView(entry) {
                    unsupported = entry.path
                    return false
                }
                var kind: LayerChange.Kind
                let isDirectory = entry.info.st_mode & S_IFMT == S_IFDIR
                let opaque = isDirectory ? try TreeWalk.isOpaque(entry.directory, entry.name) : false
                if TreeWalk.isWhiteout(entry.info) || opaque {
                    kind = .deleted
                } else {
                    kind = .added
                    for lower in lowerRoots {
                        guard let below = try TreeWalk.lookup(lower, entry.path) else { continue }
                        if TreeWalk.isWhiteout(below) { break }
                        if isDirectory && below.st_mode & S_IFMT == S_IFDIR && below.st_size == entry.info.st_size
                            && below.st_mode == entry.info.st_mode && sameTime(below.st_mtim, entry.info.st_mtim) {
                            return true  // the same directory: only its entries may be changes
                        }
                        if isDirectory && holders.contains(path) && below.st_mode == entry.info.st_mode
                            && below.st_uid == entry.info.st_uid && below.st_gid == entry.info.st_gid {
                            pending.append(path)
                            changedDirectories.insert(path)
                            return true
                        }
                        kind = .modified
                        break
                    }
                }
                if isDirectory { changedDirectories.insert(path) }
                if kind != .modified {
                    let parent = parentPath(path)
                    if parent != "/" && changedDirectories.insert(parent).inserted {
                        record(LayerChange(path: parent, kind: .modified))
                    }
                }
                record(LayerChange(path: path, kind: kind))
                return true
            }
            if let unsupported { throw TreeWalk.unsupported(unsupported) }
            return sorted(changes)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.io, "compute changes of \"\(upper)\"", cause: error as? OSError)
        }
    }

    /// Changes of the full tree `new` against the full tree `old`.
    public static func trees(new: String, old: String?, excluding: Set<String> = []) throws(ArchiveError) -> [LayerChange] {
        do {
            let newRoot = try sys("open", "\"\(new)\"") { swdock_openat(AT_FDCWD, new, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            defer { Glibc.close(newRoot) }
            var oldRoot: Int32?
            if let old {
                oldRoot = try sys("open", "\"\(old)\"") { swdock_openat(AT_FDCWD, old, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            }
            defer { if let oldRoot { Glibc.close(oldRoot) } }
            var changes: [LayerChange] = []
            try compareDirectory(newRoot, oldRoot, path: "", added: false, excluding: excluding, into: &changes)
            return sorted(changes)
        } catch {
            throw ArchiveError(.io, "compare \"\(new)\" with \"\(old ?? "an empty tree")\"", cause: error)
        }
    }

    /// moby's `FileInfo.addChanges` for a directory of the new tree (`path` "" is the root).
    private static func compareDirectory(_ newDir: Int32, _ oldDir: Int32?, path: String, added: Bool,
                                         excluding: Set<String>, into changes: inout [LayerChange]) throws(OSError) {
        let sizeAtEntry = changes.count
        var oldNames = Set<String>()
        if let oldDir { oldNames = Set(try TreeWalk.names(oldDir).filter { !excluding.contains(path + "/" + $0) }) }
        for name in try TreeWalk.names(newDir) {
            let childPath = path + "/" + name
            if excluding.contains(childPath) { continue }
            var info = stat()
            try sys("fstatat", "\"\(childPath)\"") { fstatat(newDir, name, &info, AT_SYMLINK_NOFOLLOW) }
            var before: stat?
            if let oldDir, oldNames.remove(name) != nil {
                var old = stat()
                try sys("fstatat", "\"\(childPath)\" in the image") { fstatat(oldDir, name, &old, AT_SYMLINK_NOFOLLOW) }
                before = old
            }
            var childAdded = false
            if let before {
                if try differs(before, info, oldDir: oldDir!, newDir: newDir, name: name) {
                    changes.append(LayerChange(path: childPath, kind: .modified))
                    childAdded = true
                }
            } else {
                changes.append(LayerChange(path: childPath, kind: .added))
                childAdded = true
            }
            guard info.st_mode & S_IFMT == S_IFDIR else { continue }
            let newChild = try sys("openat", "\"\(childPath)\"") {
                swdock_openat(newDir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
            }
            defer { Glibc.close(newChild) }
            var oldChild: Int32?
            if let oldDir, let before, before.st_mode & S_IFMT == S_IFDIR {
                oldChild = try sys("openat", "\"\(childPath)\" in the image") {
                    swdock_openat(oldDir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                }
            }
            defer { if let oldChild { Glibc.close(oldChild) } }
            try compareDirectory(newChild, oldChild, path: childPath, added: childAdded, excluding: excluding, into: &changes)
        }
        for name in oldNames.sorted() { changes.append(LayerChange(path: path + "/" + name, kind: .deleted)) }
        if changes.count > sizeAtEntry && !added && !path.isEmpty {
            changes.insert(LayerChange(path: path, kind: .modified), at: sizeAtEntry)
        }
    }

    /// moby's `statDifferent` (sizes and mtimes of directories are no measure of change), plus
    /// the symlink target and `security.capability`.
    private static func differs(_ old: stat, _ new: stat, oldDir: Int32, newDir: Int32, name: String) throws(OSError) -> Bool {
        if old.st_mode != new.st_mode || old.st_uid != new.st_uid || old.st_gid != new.st_gid || old.st_rdev != new.st_rdev {
            return true
        }
        if new.st_mode & S_IFMT != S_IFDIR && (!sameTime(old.st_mtim, new.st_mtim) || old.st_size != new.st_size) {
            return true
        }
        if new.st_mode & S_IFMT == S_IFLNK {
            return try TreeWalk.linkTarget(oldDir, name) != (try TreeWalk.linkTarget(newDir, name))
        }
        return try TreeWalk.xattr(oldDir, name, "security.capability") != (try TreeWalk.xattr(newDir, name, "security.capability"))
    }

    /// moby's `sameFsTime`: equal seconds, and equal nanoseconds unless one side has none.
    static func sameTime(_ a: timespec, _ b: timespec) -> Bool {
        a.tv_sec == b.tv_sec && (a.tv_nsec == b.tv_nsec || a.tv_nsec == 0 || b.tv_nsec == 0)
    }

    /// `/a` and `/a/b` for `/a/b/c`.
    static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var current = parentPath(path)
        while current != "/" {
            result.append(current)
            current = parentPath(current)
        }
        return result
    }

    static func parentPath(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Path order component by component: the order of a depth-first walk with sorted names.
    static func sorted(_ changes: [LayerChange]) -> [LayerChange] {
        changes.enumerated().sorted { a, b in
            let left = a.element.path.utf8.split(separator: UInt8(ascii: "/"))
            let right = b.element.path.utf8.split(separator: UInt8(ascii: "/"))
            for (l, r) in zip(left, right) where !l.elementsEqual(r) {
                return l.lexicographicallyPrecedes(r)
            }
            if left.count != right.count { return left.count < right.count }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// A depth-first walk of a directory tree with names in byte order, through directory fds,
/// never following a symlink.
final class TreeWalk {
    struct Entry {
        /// The directory holding the entry (valid during the visit).
        var directory: Int32
        var name: String
        /// Relative to the root, no leading slash (`etc/passwd`).
        var path: String
        var info: stat
    }

    let root: String
    let rootFD: Int32

    init(root: String) throws(OSError) {
        self.root = root
        rootFD = try sys("open", "\"\(root)\"") { swdock_openat(AT_FDCWD, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
    }

    func close() { Glibc.close(rootFD) }

    /// Calls `visit` for every entry below the root, parents before children; a directory's
    /// entries are visited only when `visit` returned true for it.
    func walk(_ visit: (Entry) throws(OSError) -> Bool) throws(OSError) {
        try walk(rootFD, prefix: "", visit)
    }

    private func walk(_ directory: Int32, prefix: String, _ visit: (Entry) throws(OSError) -> Bool) throws(OSError) {
        for name in try Self.names(directory) {
            let path = prefix.isEmpty ? name : prefix + "/" + name
            var info = stat()
            try sys("fstatat", "\"\(path)\" in \"\(root)\"") { fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) }
            let descend = try visit(Entry(directory: directory, name: name, path: path, info: info))
            guard descend, info.st_mode & S_IFMT == S_IFDIR else { continue }
            let child = try sys("openat", "\"\(path)\" in \"\(root)\"") {
                swdock_openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
            }
            defer { Glibc.close(child) }
            try walk(child, prefix: path, visit)
        }
    }

    /// The names in directory `fd`, sorted by bytes, without `.` and `..`.
    static func names(_ fd: Int32) throws(OSError) -> [String] {
        try RootedTree.childNames(fd)
            .map { name in name.dropLast().map { UInt8(bitPattern: $0) } }  // without the NUL
            .sorted { $0.lexicographicallyPrecedes($1) }
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the kernel's overlayfs makes metadata-only copy-ups by default (module parameter).
    static let metacopyByDefault: Bool = {
        guard let fd = try? FileDescriptor.open("/sys/module/overlay/parameters/metacopy", O_RDONLY) else { return false }
        defer { fd.close() }
        return (try? fd.read(upTo: 8))?.first == UInt8(ascii: "Y")
    }()

    /// An upper entry a plain walk cannot turn into a layer: a directory renamed by overlayfs'
    /// `redirect_dir` (its content stays in the lower layer) or a metadata-only copy-up
    /// (`metacopy`). swdock's snapshotter mounts neither, but the kernel default may enable them.
    static func needsMergedView(_ entry: Entry) throws(OSError) -> Bool {
        switch entry.info.st_mode & S_IFMT {
        case S_IFDIR: return try xattr(entry.directory, entry.name, "trusted.overlay.redirect") != nil
        case S_IFREG:
            guard metacopyByDefault else { return false }
            return try xattr(entry.directory, entry.name, "trusted.overlay.metacopy") != nil
        default: return false
        }
    }

    static func unsupported(_ path: String) -> ArchiveError {
        ArchiveError(.notSupported, "not supported: \"/\(path)\" in the upper layer is an overlayfs redirect or metadata-only copy-up "
                     + "(overlay module parameters redirect_dir/metacopy); set them to N")
    }

    /// overlayfs' whiteout: a character device 0:0.
    static func isWhiteout(_ info: stat) -> Bool {
        info.st_mode & S_IFMT == S_IFCHR && info.st_rdev == 0
    }

    static func isOpaque(_ directory: Int32, _ name: String) throws(OSError) -> Bool {
        try xattr(directory, name, "trusted.overlay.opaque") == [UInt8(ascii: "y")]
    }

    /// The value of xattr `attribute` of `name` in `directory` (not followed), nil when absent.
    static func xattr(_ directory: Int32, _ name: String, _ attribute: String) throws(OSError) -> [UInt8]? {
        let path = "/proc/self/fd/\(directory)/\(name)"
        var value = [UInt8](repeating: 0, count: 256)
        while true {
            let count = lgetxattr(path, attribute, &value, value.count)
            if count >= 0 { return Array(value[0..<count]) }
            let code = swdock_errno()
            switch code {
            case ENODATA, ENOTSUP: return nil
            case EINTR: continue
            case ERANGE:
                let size = try sys("lgetxattr", "\(attribute) of \"\(name)\"") { lgetxattr(path, attribute, nil, 0) }
                value = [UInt8](repeating: 0, count: max(size, 1))
            default: throw OSError(call: "lgetxattr", object: "\(attribute) of \"\(name)\"", errno: code)
            }
        }
    }

    /// Every xattr of `name` in `directory` (not followed), in the order the file system lists them.
    static func xattrs(_ directory: Int32, _ name: String) throws(OSError) -> [(String, [UInt8])] {
        let path = "/proc/self/fd/\(directory)/\(name)"
        guard let size = try unlessErrno([ENOTSUP], { () throws(OSError) in
            try sys("llistxattr", "\"\(name)\"") { llistxattr(path, nil, 0) }
        }), size > 0 else { return [] }
        var list = [CChar](repeating: 0, count: size)
        let used = try sys("llistxattr", "\"\(name)\"") { llistxattr(path, &list, size) }
        var result: [(String, [UInt8])] = []
        var start = 0
        while start < used {
            let end = list[start..<used].firstIndex(of: 0) ?? used
            let attribute = String(decoding: list[start..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            start = end + 1
            if let value = try xattr(directory, name, attribute) { result.append((attribute, value)) }
        }
        return result
    }

    static func linkTarget(_ directory: Int32, _ name: String) throws(OSError) -> [UInt8] {
        var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = try sys("readlinkat", "\"\(name)\"") {
            target.withUnsafeMutableBufferPointer { buffer in
                readlinkat(directory, name, UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), buffer.count - 1)
            }
        }
        return Array(target[0..<length])
    }

    /// `lstat` of `path` (relative, no leading slash) inside the tree `root`: parents resolve
    /// inside the root, the last component is not followed. nil when it does not exist.
    static func lookup(_ root: Int32, _ path: String) throws(OSError) -> stat? {
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        var directory = root
        if !parent.isEmpty {
            guard let opened = try unlessErrno([ENOENT, ENOTDIR], { () throws(OSError) in
                try sys("openat2", "\"\(parent)\"") {
                    swdock_openat2(root, parent, UInt64(SWDOCK_O_PATH | O_DIRECTORY | O_CLOEXEC), 0,
                                   SWDOCK_RESOLVE_IN_ROOT | SWDOCK_RESOLVE_NO_MAGICLINKS)
                }
            }) else { return nil }
            directory = opened
        }
        defer { if directory != root { Glibc.close(directory) } }
        var info = stat()
        let found = try unlessErrno([ENOENT, ENOTDIR], { () throws(OSError) in
            try sys("fstatat", "\"\(path)\"") { fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) }
        })
        return found == nil ? nil : info
    }
}

/// The result of `body`, or nil when it failed with one of `errnos`.
func unlessErrno<T>(_ errnos: [Int32], _ body: () throws(OSError) -> T) throws(OSError) -> T? {
    do { return try body() } catch {
        if errnos.contains(error.errno) { return nil }
        throw error
    }
}
