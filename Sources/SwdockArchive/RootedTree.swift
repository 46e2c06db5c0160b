#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// A directory tree that every path is resolved inside of, as if it were `/` (a chroot
/// without the chroot): parents go through `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`,
/// so a symlink planted by an earlier entry (`a -> /etc`) resolves to `<root>/etc`, and
/// final components are never followed (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`, `O_EXCL`).
final class RootedTree {
    let rootPath: String
    let rootFD: Int32
    /// The last parent directory opened: most entries share their parent with the previous one.
    private var cachedParent: [UInt8] = []
    private var cachedParentFD: Int32 = -1
    /// Set when a directory was removed: the cached parent may have been inside it. The fd is
    /// only closed at the next lookup, so the entry being extracted keeps a valid parent.
    private var cacheIsStale = false

    init(rootPath: String) throws(OSError) {
        self.rootPath = rootPath
        rootFD = try sys("open", "layer root \"\(rootPath)\"") {
            swdock_openat(AT_FDCWD, rootPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        }
    }

    deinit {
        invalidateCache()
        Glibc.close(rootFD)
    }

    /// Forgets the cached parent now (closing its fd).
    private func invalidateCache() {
        if cachedParentFD >= 0 { Glibc.close(cachedParentFD) }
        cachedParentFD = -1
        cachedParent.removeAll(keepingCapacity: true)
        cacheIsStale = false
    }

    /// Opens `path` (a cleaned path, possibly through symlinks) as a directory inside the root.
    func openDirectory(_ path: some Collection<UInt8>, flags: Int32 = SWDOCK_O_PATH) throws(OSError) -> Int32 {
        if path.isEmpty {
            return try sys("open", "layer root \"\(rootPath)\"") {
                swdock_openat(rootFD, ".", flags | O_DIRECTORY | O_CLOEXEC, 0)
            }
        }
        return try path.withCString { (cPath) throws(OSError) -> Int32 in
            try sys("openat2", "\"\(String(decoding: path, as: UTF8.self))\" in \"\(rootPath)\"") {
                swdock_openat2(rootFD, cPath, UInt64(flags | O_DIRECTORY | O_CLOEXEC), 0,
                               SWDOCK_RESOLVE_IN_ROOT | SWDOCK_RESOLVE_NO_MAGICLINKS)
            }
        }
    }

    /// The parent directory of an entry (cached, owned by the tree: do not close it).
    /// With `create`, missing parents are made (mode 0755, as Docker and containerd do).
    func parentFD(of path: EntryPath, create: Bool) throws(OSError) -> Int32 {
        let parent = path.parent
        if parent.isEmpty { return rootFD }
        if cacheIsStale { invalidateCache() }
        if cachedParentFD >= 0 && cachedParent.elementsEqual(parent) { return cachedParentFD }
        let fd: Int32
        do {
            fd = try openDirectory(parent)
        } catch let error where error.errno == ENOENT && create {
            fd = try makeDirectories(parent)
        }
        invalidateCache()
        cachedParent.append(contentsOf: parent)
        cachedParentFD = fd
        return fd
    }

    /// Creates each missing component of `path` below the deepest one that exists.
    private func makeDirectories(_ path: ArraySlice<UInt8>) throws(OSError) -> Int32 {
        var current = try sys("dup", "layer root") { dup(rootFD) }
        var start = path.startIndex
        while start < path.endIndex {
            let end = path[start...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            let prefix = path[path.startIndex..<end]
            let component = path[start..<end]
            let next: Int32
            do {
                next = try openDirectory(prefix)
            } catch let error where error.errno == ENOENT {
                do {
                    try component.withCString { (name) throws(OSError) in
                        try sys("mkdirat", "\"\(String(decoding: prefix, as: UTF8.self))\" in \"\(rootPath)\"") {
                            mkdirat(current, name, 0o755)
                        }
                    }
                    next = try component.withCString { (name) throws(OSError) -> Int32 in
                        try sys("openat", "\"\(String(decoding: prefix, as: UTF8.self))\" in \"\(rootPath)\"") {
                            swdock_openat(current, name, SWDOCK_O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                        }
                    }
                } catch {
                    Glibc.close(current)
                    throw error
                }
            } catch {
                Glibc.close(current)
                throw error
            }
            Glibc.close(current)
            current = next
            start = end < path.endIndex ? path.index(after: end) : end
        }
        return current
    }

    /// `fstatat(AT_SYMLINK_NOFOLLOW)`; nil when nothing is there.
    func lstat(_ directory: Int32, _ name: UnsafePointer<CChar>) throws(OSError) -> stat? {
        var info = stat()
        do {
            try sys("fstatat", "\"\(String(cString: name))\"") { fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) }
        } catch let error where error.errno == ENOENT {
            return nil
        }
        return info
    }

    /// Removes whatever `name` is in `directory`, recursively for a directory, never following a symlink.
    func remove(_ directory: Int32, _ name: UnsafePointer<CChar>) throws(OSError) {
        guard let info = try lstat(directory, name) else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            cacheIsStale = true
            try removeChildren(of: directory, name)
            try sys("unlinkat", "directory \"\(String(cString: name))\"") { unlinkat(directory, name, AT_REMOVEDIR) }
        } else {
            try sys("unlinkat", "\"\(String(cString: name))\"") { unlinkat(directory, name, 0) }
        }
    }

    /// Removes the children of directory `name` in `directory` for which `shouldRemove` says yes.
    func removeChildren(of directory: Int32, _ name: UnsafePointer<CChar>,
                        where shouldRemove: (Int32, UnsafePointer<CChar>) throws(OSError) -> Bool = { _, _ in true })
        throws(OSError) {
        let fd = try sys("openat", "directory \"\(String(cString: name))\"") {
            swdock_openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        }
        // Names are collected first: deleting while readdir walks the same directory is unspecified.
        let names: [[CChar]]
        do { names = try Self.childNames(fd) } catch {
            Glibc.close(fd)
            throw error
        }
        defer { Glibc.close(fd) }
        for child in names {
            try child.withUnsafeBufferPointer { (buffer) throws(OSError) in
                if try shouldRemove(fd, buffer.baseAddress!) { try remove(fd, buffer.baseAddress!) }
            }
        }
    }

    /// The names in a directory (without `.` and `..`); `fd` stays open and owned by the caller.
    static func childNames(_ fd: Int32) throws(OSError) -> [[CChar]] {
        let dirFD = try sys("dup", "directory fd \(fd)") { dup(fd) }
        guard let dir = fdopendir(dirFD) else {
            let code = swdock_errno()
            Glibc.close(dirFD)
            throw OSError(call: "fdopendir", object: "fd \(fd)", errno: code)
        }
        defer { closedir(dir) }
        var names: [[CChar]] = []
        while true {
            swdock_set_errno(0)
            guard let entry = readdir(dir) else {
                let code = swdock_errno()
                if code != 0 { throw OSError(call: "readdir", object: "fd \(fd)", errno: code) }
                break
            }
            let name: [CChar] = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: 256) { pointer in
                    Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer) + 1))
                }
            }
            if name == [46, 0] || name == [46, 46, 0] { continue }
            names.append(name)
        }
        return names
    }
}
