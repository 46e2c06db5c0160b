#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import Foundation
import SwdockOCI
import SwdockOS
import SwdockSnapshot

/// A container's file system as one archive operation (`docker cp`, `docker export`) sees it: a
/// directory descriptor of the container's root, and Docker's path rules on top of it.
///
/// Every path is resolved inside that root: opens go through `openat2(RESOLVE_IN_ROOT)`, and the
/// symlink walk of `resolveInScope` (Docker's `FollowSymlinkInScope`) restarts an absolute link at
/// the container's root and stops a `..` there, so no link in the container names a host path.
///
/// Where the root comes from (see `ContainerService.withFileView`): a mount namespace private to
/// the operation's thread, where the container's root is its rootfs (mounted for a running
/// container; for a stopped one the snapshot is mounted there) with the bind mounts of its spec
/// — volumes, binds, hosts/hostname/resolv.conf — on their destinations, as Docker's archive
/// view. Nothing is mounted in the daemon's namespace, so no start, exit or other copy can
/// unmount it, and the namespace (with its mounts) ends with the thread.
final class ContainerFileView {
    let rootFD: Int32
    /// The container as the client named it (for Docker's messages).
    let reference: String

    init(rootFD: Int32, reference: String) {
        self.rootFD = rootFD
        self.reference = reference
    }

    deinit { Glibc.close(rootFD) }

    /// A path of the root that lower layers can open (`/proc/self/fd/N`).
    var rootPath: String { "/proc/self/fd/\(rootFD)" }

    // MARK: Docker's path text rules (pkg/archive)


    /// `archive.PreserveTrailingDotOrSeparator`: `cleaned` keeps the `/.` or `/` that `original` ended with.
    static func preservingTrailing(_ cleaned: String, original: String) -> String {
        var out = cleaned
        if PathText.base(cleaned) != "." && PathText.base(original) == "." && original.hasSuffix(".") {
            if !out.hasSuffix("/") { out += "/" }
            out += "."
        }
        if !out.hasSuffix("/") && original.hasSuffix("/") { out += "/" }
        return out
    }

    /// The request's path as an absolute container path with its trailing `/` or `/.` (Docker's `absPath`).
    static func absolute(_ path: String) -> String {
        preservingTrailing(PathText.clean("/" + path), original: path)
    }

    /// Go's `filepath.Split`: everything up to the last `/`, and the rest.
    static func split(_ path: String) -> (dir: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    // MARK: resolution inside the root

    /// Opens a symlink-free container path (as `resolveInScope` returns) inside the root.
    func open(_ path: String, flags: Int32) throws(OSError) -> Int32 {
        let relative = path.drop { $0 == "/" }
        if relative.isEmpty {
            return try sys("openat", "the root of container \(reference)") {
                swdock_openat(rootFD, ".", flags | O_CLOEXEC, 0)
            }
        }
        return try sys("openat2", "\"\(path)\" in container \(reference)") {
            swdock_openat2(rootFD, String(relative), UInt64(flags | O_CLOEXEC), 0,
                           SWDOCK_RESOLVE_IN_ROOT | SWDOCK_RESOLVE_NO_MAGICLINKS)
        }
    }

    /// Docker's `CreateIfNotExists` inside the root: the missing components of `path` as
    /// directories (0755), the last one an empty file when `directory` is false.
    func createIfMissing(_ path: String, directory: Bool) throws(OSError) {
        let resolved = try resolveInScope(path)
        let components = resolved.split(separator: "/").map(String.init)
        var current = "/"
        for (index, component) in components.enumerated() {
            let parent = try open(current, flags: SWDOCK_O_PATH | O_DIRECTORY)
            defer { Glibc.close(parent) }
            let last = index == components.count - 1
            if last && !directory {
                let fd = swdock_openat(parent, component, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o755)
                if fd >= 0 { Glibc.close(fd) } else if swdock_errno() != EEXIST {
                    throw OSError(call: "openat(O_CREAT)", object: "\"\(resolved)\" in container \(reference)", errno: swdock_errno())
                }
            } else if mkdirat(parent, component, 0o755) != 0 && swdock_errno() != EEXIST {
                throw OSError(call: "mkdirat", object: "\"\(current)\(component)\" in container \(reference)", errno: swdock_errno())
            }
            current += component + "/"
        }
    }

    /// The stat of a symlink-free container path (followed: it has no links), nil when missing.
    func statIfPresent(_ path: String) throws(OSError) -> stat? {
        let fd: Int32
        do { fd = try open(path, flags: SWDOCK_O_PATH) } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw error
        }
        defer { Glibc.close(fd) }
        var info = stat()
        try sys("fstat", "\"\(path)\" in container \(reference)") { fstat(fd, &info) }
        return info
    }

    /// Docker's `FollowSymlinkInScope`: `path` with every symlink replaced by its target, read
    /// inside the root (an absolute target starts again at the container's `/`, `..` stops at
    /// it); components that do not exist are kept as written. At most 255 links.
    func resolveInScope(_ path: String) throws(OSError) -> String {
        var pending = path.split(separator: "/").map(String.init).reversed() as [String]
        var resolved: [String] = []
        var links = 0
        var missing = false
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            if missing {
                resolved.append(component)
                continue
            }
            let parent = "/" + resolved.joined(separator: "/")
            let dirFD: Int32
            do { dirFD = try open(parent, flags: SWDOCK_O_PATH | O_DIRECTORY) } catch where [ENOENT, ENOTDIR].contains(error.errno) {
                missing = true
                resolved.append(component)
                continue
            }
            defer { Glibc.close(dirFD) }
            var info = stat()
            if fstatat(dirFD, component, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                let code = swdock_errno()
                guard code == ENOENT || code == ENOTDIR else {
                    throw OSError(call: "lstat", object: "\"\(parent)/\(component)\" in container \(reference)", errno: code)
                }
                missing = true
                resolved.append(component)
                continue
            }
            guard info.st_mode & S_IFMT == S_IFLNK else {
                resolved.append(component)
                continue
            }
            links += 1
            if links > 255 { throw OSError(call: "resolve", object: "\"\(path)\" in container \(reference)", errno: ELOOP) }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = try sys("readlinkat", "\"\(parent)/\(component)\" in container \(reference)") {
                readlinkat(dirFD, component, &buffer, buffer.count - 1)
            }
            let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("/") { resolved = [] }
            pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// What Docker's `ResolvePath` + `StatPath` find for a request path: the resolved parent and
    /// entry, and the stat of that entry (not followed).
    struct Located {
        /// The request's path made absolute, trailing `/` or `/.` kept.
        var absolute: String
        /// The symlink-free directory the entry is in.
        var directory: String
        /// The entry's name in `directory` (empty or `.` for the directory itself).
        var entry: String
        var info: stat
    }

    /// Resolves a request path as Docker does: the directory part fully, the last element not.
    /// nil when it does not exist.
    func locate(_ path: String) throws(OSError) -> Located? {
        let absolute = Self.absolute(path)
        let (dirPart, basePart) = Self.split(absolute)
        let directory = try resolveInScope(dirPart)
        var info = stat()
        do throws(OSError) {
            let dirFD = try open(directory, flags: SWDOCK_O_PATH | O_DIRECTORY)
            defer { Glibc.close(dirFD) }
            let name = basePart.isEmpty ? "." : basePart
            if fstatat(dirFD, name, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                throw OSError(call: "lstat", object: "\"\(absolute)\" in container \(reference)", errno: swdock_errno())
            }
        } catch where error.errno == ENOENT {
            return nil
        }
        return Located(absolute: absolute, directory: directory, entry: basePart, info: info)
    }
}

extension ContainerService {
    /// Archive operations under way per container; `start` waits for them (as Docker's
    /// container lock makes it), so a snapshot a copy mounted is never mounted twice at once.
    final class ArchiveUsers: @unchecked Sendable {
        private let condition = NSCondition()
        private var counts: [String: Int] = [:]

        func enter(_ id: String) {
            condition.lock()
            counts[id, default: 0] += 1
            condition.unlock()
        }

        func leave(_ id: String) {
            condition.lock()
            counts[id, default: 1] -= 1
            if counts[id] == 0 { counts[id] = nil }
            condition.broadcast()
            condition.unlock()
        }

        /// Returns once no archive operation of `id` runs.
        func waitUntilIdle(_ id: String) {
            condition.lock()
            while counts[id, default: 0] > 0 { condition.wait() }
            condition.unlock()
        }
    }

    /// Runs `body` on a thread of its own with the container's file system (see
    /// `ContainerFileView`). `mounts`: with the container's binds and volumes (cp), or its own
    /// file system only (export).
    func withFileView<T: Sendable>(_ container: Loaded, reference: String, mounts: Bool,
                                   _ body: @escaping @Sendable (ContainerFileView) throws -> T) async throws -> T {
        let id = container.id
        return try await onThread("container files \(id.prefix(12))") { () throws -> T in
            // A stopped container: the whole operation holds the container lock, as Docker's
            // archive calls do, so no start, exit or removal mounts or unmounts the same overlay
            // meanwhile (two instances on one upper and work dir break each other). A running
            // one: the copy uses its rootfs mount, and the exit handling waits for it
            // (`archiveUsers`) before unmounting.
            let step = try self.withContainerLock(id) { () throws -> FileViewStep<T> in
                guard let current = try self.reload(id) else { throw EngineError(.notFound, "No such container: \(reference)") }
                guard current.state.Status != .running && current.state.Status != .paused else {
                    self.archiveUsers.enter(id)
                    return .running
                }
                return .done(try self.runInPrivateView(current, reference: reference, mounts: mounts, body))
            }
            if case .done(let result) = step { return result }
            defer { self.archiveUsers.leave(id) }
            return try self.runInPrivateView(container, reference: reference, mounts: mounts, body)
        }
    }

    /// `body` in this thread's own mount namespace (`mountPrivately`), whose mounts are removed
    /// synchronously when it returns: leaving them to the thread's end would defer it past a
    /// `start` that mounts the same overlay.
    private func runInPrivateView<T>(_ container: Loaded, reference: String, mounts: Bool,
                                     _ body: (ContainerFileView) throws -> T) throws -> T {
        defer { try? Mount.unmount(rootfs(container.id), detach: true) }
        let rootFD = try mountPrivately(container, mounts: mounts)
        // In a closure of its own: the view (and the root descriptor it closes) is gone when it
        // returns, before the unmount, so the overlay instance ends here and now.
        return try { () throws -> T in try body(ContainerFileView(rootFD: rootFD, reference: reference)) }()
    }

    /// Moves the calling thread into a mount namespace of its own (propagation: slave, so
    /// nothing it mounts reaches the daemon's), where the container's root is its running
    /// rootfs mount (copied into the namespace) or, when it is not running, the snapshot
    /// mounted there; with `mounts`, the bind mounts of its spec (volumes, binds, and the
    /// hosts/hostname/resolv.conf files, as Docker's `setupMounts`) go on their destinations,
    /// resolved inside the root (a missing mount point is made first, as Docker's
    /// `mountVolumes`). Returns the root's descriptor.
    private func mountPrivately(_ container: Loaded, mounts: Bool) throws -> Int32 {
        let id = container.id
        // CLONE_FS | CLONE_NEWNS: a thread can own a mount namespace once it stops sharing its
        // root and cwd with the other threads. The namespace ends when this thread does.
        let cloneFS: Int32 = 0x0000_0200, cloneNewNS: Int32 = 0x0002_0000
        try sys("unshare", "CLONE_NEWNS for the files of container \(id)") { swdock_unshare(cloneFS | cloneNewNS) }
        try sys("mount", "make / a slave in the private namespace") { mount(nil, "/", nil, UInt(MS_REC | MS_SLAVE), nil) }
        try Self.makeDirectory(rootfs(id), mode: 0o711)
        // Mounted (the container runs): the rootfs and its parent are on different devices.
        // Asked of this thread's namespace (a path walk), not of /proc/self, the process's.
        var rootInfo = stat(), bundleInfo = stat()
        let mounted = fstatat(AT_FDCWD, rootfs(id), &rootInfo, 0) == 0 && fstatat(AT_FDCWD, bundle(id), &bundleInfo, 0) == 0
            && rootInfo.st_dev != bundleInfo.st_dev
        if !mounted {
            let snapshot: [Mount]
            do { snapshot = try snapshotter.mounts(id) } catch {
                throw EngineError(.system, "find the snapshot of container \(id)", cause: error)
            }
            for mount in snapshot {
                do { try mount.perform(at: rootfs(id)) } catch {
                    throw EngineError(.system, "mount the root filesystem of container \(id) for a copy", cause: error)
                }
            }
        }
        let rootFD = try openMountedRootfs(id)
        guard mounts else { return rootFD }
        let view = ContainerFileView(rootFD: try sys("dup", "rootfs") { dup(rootFD) }, reference: id)
        for bind in specBinds(container) {
            // As Docker's mountVolumes: a missing mount point is made (a directory, or an empty
            // file for a file source) in the container's root.
            var sourceInfo = stat()
            guard fstatat(AT_FDCWD, bind.source, &sourceInfo, 0) == 0 else { continue }
            try view.createIfMissing(bind.destination, directory: sourceInfo.st_mode & S_IFMT == S_IFDIR)
            guard let target = try Self.openIfPresent(view, bind.destination) else { continue }
            defer { Glibc.close(target) }
            try sys("mount", "bind \(bind.source) on \(bind.destination) of container \(id)") {
                mount(bind.source, "/proc/self/fd/\(target)", nil, UInt(MS_BIND | MS_REC), nil)
            }
            if bind.readOnly {
                // The remount is of the new mount: the path again, which now ends on it.
                guard let mounted = try Self.openIfPresent(view, bind.destination) else { continue }
                defer { Glibc.close(mounted) }
                try sys("mount", "read-only \(bind.destination) of container \(id)") {
                    mount(nil, "/proc/self/fd/\(mounted)", nil, UInt(MS_BIND | MS_REMOUNT | MS_RDONLY), nil)
                }
            }
        }
        return rootFD
    }

    /// The bind mounts a copy shows: those of the bundle's spec (volumes, binds, hosts,
    /// hostname, resolv.conf), else inspect's `Mounts`; shallow destinations first.
    private func specBinds(_ container: Loaded) -> [(source: String, destination: String, readOnly: Bool)] {
        var binds: [(source: String, destination: String, readOnly: Bool)] = []
        if let bytes = try? FileSystem.read(bundle(container.id) + "/config.json"),
           let spec = try? JSONDecoder().decode(RuntimeSpec.self, from: Data(bytes)) {
            for mount in spec.mounts ?? [] {
                let options = mount.options ?? []
                guard mount.type == "bind" || options.contains("bind") || options.contains("rbind"), let source = mount.source else { continue }
                binds.append((source, mount.destination, options.contains("ro")))
            }
        } else {
            for mount in container.document.Mounts where mount.Type == "bind" || mount.Type == "volume" {
                binds.append((mount.Source, mount.Destination, !mount.RW))
            }
        }
        return binds.sorted { $0.destination.split(separator: "/").count < $1.destination.split(separator: "/").count }
    }

    /// A container path resolved and opened (`O_PATH`), nil when it does not exist.
    private static func openIfPresent(_ view: ContainerFileView, _ path: String) throws(OSError) -> Int32? {
        let resolved = try view.resolveInScope(path)
        do { return try view.open(resolved, flags: SWDOCK_O_PATH) } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
    }

    /// The bundle's rootfs of a running container (mounted in the daemon's namespace).
    private func openMountedRootfs(_ id: String) throws -> Int32 {
        try sys("open", "rootfs of container \(id)") {
            swdock_openat(AT_FDCWD, rootfs(id), SWDOCK_O_PATH | O_DIRECTORY | O_CLOEXEC, 0)
        }
    }
}

/// How `withFileView` went under the container lock: done (a stopped container), or to go on
/// without the lock (a running one).
private enum FileViewStep<T> {
    case done(T)
    case running
}
