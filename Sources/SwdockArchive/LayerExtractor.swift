#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CSwdockSys
import SwdockOS

/// The tar half of `LayerApplier`: an outer libarchive tar reader fed from the
/// `UncompressedStream`, and one extraction step per entry (see `LayerApplier` for the policy).
final class LayerExtractor {
    private let stream: UncompressedStream
    private let tree: RootedTree
    private let options: LayerApplyOptions
    private let reader: OpaquePointer
    private let directoryTimes: DirectoryTimes
    private var path = EntryPath()
    private var linkPath = EntryPath()
    /// Merged mode: the file system's clock when the apply started; an opaque marker removes
    /// the children of its directory born before it (those came from the layers below).
    private var mergedStart: BirthTime?
    private var readError: ArchiveError?
    /// `options.destination` cleaned (the prefix every entry is placed under).
    private let destination: [UInt8]

    init(stream: UncompressedStream, tree: RootedTree, options: LayerApplyOptions) throws(ArchiveError) {
        self.stream = stream
        self.tree = tree
        self.options = options
        directoryTimes = DirectoryTimes(tree: tree)
        var cleaned = EntryPath()
        options.destination.withCString { cleaned.set(cleaning: $0) }
        destination = cleaned.bytes
        guard let reader = archive_read_new() else { throw ArchiveError(.io, "archive_read_new: out of memory") }
        self.reader = reader
        // Only tar (ustar, pax, GNU): the stream is already decompressed, a second
        // compression layer inside is not a layer.
        archive_read_support_format_tar(reader)
        if options.target == .mergedTree {
            do { mergedStart = try fileSystemClock() } catch {
                throw ArchiveError(.io, "apply layer to \"\(tree.rootPath)\": read the file system clock", cause: error)
            }
        }
    }

    deinit { archive_read_free(reader) }

    /// Extracts every entry and sets directory times; returns the number of entries.
    func run() throws(ArchiveError) -> Int {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let opened = archive_read_open(reader, context, nil, { _, context, buffer in
            let extractor = Unmanaged<LayerExtractor>.fromOpaque(context!).takeUnretainedValue()
            do throws(ArchiveError) {
                let block = try extractor.stream.next()
                buffer!.pointee = block.baseAddress
                return block.count
            } catch {
                extractor.readError = error
                return -1
            }
        }, nil)
        if opened != ARCHIVE_OK {
            if stream.uncompressedBytes == 0 && readError == nil { return 0 }  // an empty stream: no entries
            throw failure("open tar stream")
        }
        var count = 0
        while true {
            var entry: OpaquePointer?
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            // ARCHIVE_WARN (e.g. a name not convertible to the locale) still yields the entry;
            // RETRY, FAILED and FATAL do not.
            if status != ARCHIVE_OK && status != ARCHIVE_WARN { throw failure("read tar header after \(count) entries") }
            count += 1
            try extract(entry!)
        }
        do { try directoryTimes.apply() } catch {
            throw ArchiveError(.io, "apply layer to \"\(tree.rootPath)\": set directory times", cause: error)
        }
        return count
    }

    private func failure(_ step: String) -> ArchiveError {
        if let readError { return readError }
        return ArchiveError(.invalidArchive, "apply layer to \"\(tree.rootPath)\": \(step): \(UncompressedStream.errorText(reader))")
    }

    // MARK: - one entry

    private func extract(_ entry: OpaquePointer) throws(ArchiveError) {
        guard let name = archive_entry_pathname(entry) else {
            throw ArchiveError(.invalidArchive, "apply layer to \"\(tree.rootPath)\": an entry has no name")
        }
        if let rebase = options.rebase {
            let renamed = rebase.apply(name)
            return try renamed.withUnsafeBufferPointer { (buffer) throws(ArchiveError) in
                try extract(entry, named: buffer.baseAddress!)
            }
        }
        try extract(entry, named: name)
    }

    private func extract(_ entry: OpaquePointer, named name: UnsafePointer<CChar>) throws(ArchiveError) {
        path.set(cleaning: name, under: destination)
        // Plain archives (cp) refuse a name that climbs out of where they go, as Docker's Untar;
        // layers are contained (the `..` stops at the root).
        if path.climbedAbove && (!destination.isEmpty || !options.whiteouts) {
            throw ArchiveError(.unsafeEntry, "\"\(String(cString: name))\" is outside of \"/\(String(decoding: destination, as: UTF8.self))\"")
        }
        do {
            try extract(entry, name: name)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError(.io, "apply layer entry \"\(String(cString: name))\" to \"\(tree.rootPath)\"",
                               cause: error as? OSError)
        }
    }

    private func extract(_ entry: OpaquePointer, name: UnsafePointer<CChar>) throws {
        let type = archive_entry_filetype(entry) & S_IFMT
        if path.bytes.count == destination.count {
            guard type == S_IFDIR, archive_entry_hardlink(entry) == nil else {
                throw unsafe(name, "names the layer root but is not a directory")
            }
            if destination.isEmpty {
                try applyMetadata(entry, fd: tree.rootFD, parent: tree.rootFD, leaf: nil)
            } else {
                let fd = try tree.openDirectory(destination, flags: O_RDONLY)
                defer { Glibc.close(fd) }
                try applyMetadata(entry, fd: fd, parent: fd, leaf: nil)
            }
            try recordTimes(entry)
            return
        }
        let leaf = path.leaf
        if options.whiteouts && leaf.hasPrefix(".wh.") { return try whiteout(name) }
        try leaf.withCString { leafName in
            if options.noOverwriteDirNonDir { try checkOverwrite(leafName, withDirectory: type == S_IFDIR && archive_entry_hardlink(entry) == nil) }
            if let target = archive_entry_hardlink(entry) {
                if let rebase = options.rebase {
                    return try rebase.apply(target).withUnsafeBufferPointer { try hardLink(name, leafName, target: $0.baseAddress!) }
                }
                return try hardLink(name, leafName, target: target)
            }
            switch type {
            case S_IFREG: try regularFile(entry, leafName)
            case S_IFDIR: try directory(entry, leafName)
            case S_IFLNK: try symlink(entry, name, leafName)
            case S_IFCHR, S_IFBLK, S_IFIFO: try special(entry, leafName, mode: type | archive_entry_perm(entry))
            default:
                throw ArchiveError(.notSupported, "apply layer entry \"\(String(cString: name))\": not supported: file type \(String(type, radix: 8))")
            }
        }
    }

    /// `noOverwriteDirNonDir`: refuses an entry that would replace a directory with a
    /// non-directory or the reverse (Docker's messages).
    private func checkOverwrite(_ leaf: UnsafePointer<CChar>, withDirectory isDirectory: Bool) throws {
        let parent = try tree.parentFD(of: path, create: true)
        guard let info = try tree.lstat(parent, leaf) else { return }
        let existingIsDirectory = info.st_mode & S_IFMT == S_IFDIR
        let place = "/" + String(decoding: destination, as: UTF8.self)
        if existingIsDirectory && !isDirectory {
            throw ArchiveError(.conflict, "cannot overwrite directory \"/\(path.text)\" with non-directory \"\(place)\"")
        }
        if !existingIsDirectory && isDirectory {
            throw ArchiveError(.conflict, "cannot overwrite non-directory \"/\(path.text)\" with directory \"\(place)\"")
        }
    }

    /// The result of `body`, or nil when it failed because a name does not exist (ENOENT, ENOTDIR).
    private func ifExists<T>(_ body: () throws(OSError) -> T) throws(OSError) -> T? {
        do { return try body() } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw error
        }
    }

    private func unsafe(_ name: UnsafePointer<CChar>, _ why: String) -> ArchiveError {
        ArchiveError(.unsafeEntry, "apply layer entry \"\(String(cString: name))\" to \"\(tree.rootPath)\": \(why)")
    }

    /// Runs `create` in the entry's parent; if the name is taken, removes what is there and retries once.
    /// Returns the parent fd and what `create` returned.
    @discardableResult
    private func replacing(_ leaf: UnsafePointer<CChar>, _ create: (Int32) -> Int32,
                           _ call: String) throws(OSError) -> (parent: Int32, result: Int32) {
        let parent = try tree.parentFD(of: path, create: true)
        if let result = try created({ create(parent) }, call) { return (parent, result) }
        try tree.remove(parent, leaf)
        return (parent, try sys(call, "\"\(path.text)\"") { create(parent) })
    }

    /// Runs a creating call: its result, or nil when the name exists (EEXIST).
    private func created(_ body: () -> Int32, _ call: String) throws(OSError) -> Int32? {
        do { return try sys(call, "\"\(path.text)\"") { body() } } catch {
            if error.errno == EEXIST { return nil }
            throw error
        }
    }

    private func regularFile(_ entry: OpaquePointer, _ leaf: UnsafePointer<CChar>) throws {
        let (parent, fd) = try replacing(leaf, { parent in
            swdock_openat(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }, "openat")
        defer { Glibc.close(fd) }
        var end: Int64 = 0
        while true {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(reader, &block, &size, &offset)
            if status == ARCHIVE_EOF { break }
            if status != ARCHIVE_OK && status != ARCHIVE_WARN { throw failure("read data of \"\(path.text)\"") }
            var written = 0
            while written < size {
                written += try sys("pwrite", "\"\(path.text)\"") {
                    pwrite(fd, block! + written, size - written, off_t(offset) + off_t(written))
                }
            }
            end = max(end, Int64(offset) + Int64(size))
        }
        // A sparse file may end in a hole.
        let size = archive_entry_size(entry)
        if end < size { try sys("ftruncate", "\"\(path.text)\"") { ftruncate(fd, off_t(size)) } }
        try applyMetadata(entry, fd: fd, parent: parent, leaf: leaf)
        try setTimes(entry, fd: fd, parent: parent, leaf: leaf)
    }

    private func directory(_ entry: OpaquePointer, _ leaf: UnsafePointer<CChar>) throws {
        let parent = try tree.parentFD(of: path, create: true)
        if try created({ mkdirat(parent, leaf, 0o700) }, "mkdirat") == nil {
            // An existing directory is merged into (its children stay); anything else is replaced.
            if let info = try tree.lstat(parent, leaf), info.st_mode & S_IFMT != S_IFDIR {
                try tree.remove(parent, leaf)
                try sys("mkdirat", "\"\(path.text)\"") { mkdirat(parent, leaf, 0o700) }
            }
        }
        if archive_entry_xattr_count(entry) > 0 {
            let fd = try sys("openat", "\"\(path.text)\"") {
                swdock_openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
            }
            defer { Glibc.close(fd) }
            try applyMetadata(entry, fd: fd, parent: parent, leaf: leaf)
        } else {
            try applyMetadata(entry, fd: nil, parent: parent, leaf: leaf)
        }
        try recordTimes(entry)
    }

    private func symlink(_ entry: OpaquePointer, _ name: UnsafePointer<CChar>, _ leaf: UnsafePointer<CChar>) throws {
        guard let target = archive_entry_symlink(entry) else { throw unsafe(name, "symlink without a target") }
        // The target is stored as written: it is only ever resolved inside a root.
        let parent = try replacing(leaf, { parent in symlinkat(target, parent, leaf) }, "symlinkat").parent
        try applyMetadata(entry, fd: nil, parent: parent, leaf: leaf, isSymlink: true)
        try setTimes(entry, fd: nil, parent: parent, leaf: leaf)
    }

    private func special(_ entry: OpaquePointer, _ leaf: UnsafePointer<CChar>, mode: mode_t) throws {
        let device = mode & S_IFMT == S_IFIFO ? 0 : archive_entry_rdev(entry)
        let parent = try replacing(leaf, { parent in mknodat(parent, leaf, mode, device) }, "mknodat").parent
        try applyMetadata(entry, fd: nil, parent: parent, leaf: leaf)
        try setTimes(entry, fd: nil, parent: parent, leaf: leaf)
    }

    private func hardLink(_ name: UnsafePointer<CChar>, _ leaf: UnsafePointer<CChar>, target: UnsafePointer<CChar>) throws {
        linkPath.set(cleaning: target, under: destination)
        if linkPath.isRoot { throw unsafe(name, "hard link to the layer root") }
        if linkPath.bytes == path.bytes { return }  // a link to itself changes nothing
        let missing = unsafe(name, "hard link target \"\(String(cString: target))\" does not exist inside the layer root")
        guard let targetParent = try ifExists({ () throws(OSError) in try tree.openDirectory(linkPath.parent) }) else { throw missing }
        defer { Glibc.close(targetParent) }
        let targetLeaf = Array(linkPath.leaf.map { CChar(bitPattern: $0) }) + [0]
        let linked = try ifExists({ () throws(OSError) in
            try replacing(leaf, { parent in
                // flags 0: a symlink target is linked itself, never followed out of the root.
                targetLeaf.withUnsafeBufferPointer { linkat(targetParent, $0.baseAddress!, parent, leaf, 0) }
            }, "linkat to \"\(linkPath.text)\"")
        })
        if linked == nil { throw missing }
    }

    // MARK: - whiteouts

    private func whiteout(_ name: UnsafePointer<CChar>) throws {
        let leaf = path.leaf
        if leaf.elementsEqual(".wh..wh..opq".utf8) { return try opaque() }
        if leaf.hasPrefix(".wh..wh.") { return }  // aufs bookkeeping (.wh..wh.plnk, …): not content
        let hidden = leaf.dropFirst(4)
        if hidden.isEmpty || hidden.elementsEqual(".".utf8) || hidden.elementsEqual("..".utf8) {
            throw ArchiveError(.invalidArchive, "apply layer entry \"\(String(cString: name))\": a whiteout must name a file")
        }
        try hidden.withCString { hiddenName in
            switch options.target {
            case .overlayLayer:
                let parent = try tree.parentFD(of: path, create: true)
                try tree.remove(parent, hiddenName)
                try sys("mknodat", "whiteout \"\(path.text)\"") { mknodat(parent, hiddenName, S_IFCHR, 0) }
                try sys("fchownat", "whiteout \"\(path.text)\"") { fchownat(parent, hiddenName, 0, 0, AT_SYMLINK_NOFOLLOW) }
            case .mergedTree:
                // A missing parent: nothing below to hide.
                guard let parent = try ifExists({ () throws(OSError) in try tree.parentFD(of: path, create: false) }) else { return }
                try tree.remove(parent, hiddenName)
            }
        }
    }

    private func opaque() throws {
        switch options.target {
        case .overlayLayer:
            _ = try tree.parentFD(of: path, create: true)  // makes the directory when the marker comes first
            let fd = try tree.openDirectory(path.parent, flags: O_RDONLY)
            defer { Glibc.close(fd) }
            try sys("fsetxattr", "trusted.overlay.opaque on \"\(path.text)\"") {
                fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0)
            }
        case .mergedTree:
            guard let fd = try ifExists({ () throws(OSError) in try tree.openDirectory(path.parent, flags: O_RDONLY) }) else { return }
            defer { Glibc.close(fd) }
            guard let start = mergedStart else {
                throw ArchiveError(.notSupported, "apply layer entry \"\(path.text)\": not supported: an opaque whiteout in a merged tree on a file system without birth times (statx STATX_BTIME)")
            }
            // Children born before this apply came from lower layers; this layer's own stay.
            try tree.removeChildren(of: fd, ".") { (dir, child) throws(OSError) -> Bool in
                guard let born = try BirthTime.of(dir, child, what: "\"\(String(cString: child))\" in \"\(path.text)\"") else {
                    throw OSError(call: "statx(STATX_BTIME)", object: "\"\(String(cString: child))\"", errno: EOPNOTSUPP)
                }
                return born < start
            }
        }
    }

    /// The birth time the file system gives a file created now, advanced past the current clock
    /// tick so that every file created before has an earlier one; nil without birth times.
    private func fileSystemClock() throws(OSError) -> BirthTime? {
        func probe() throws(OSError) -> BirthTime? {
            let fd = try sys("open(O_TMPFILE)", "in \"\(tree.rootPath)\"") {
                swdock_openat(tree.rootFD, ".", SWDOCK_O_TMPFILE | O_RDWR | O_CLOEXEC, 0o600)
            }
            defer { Glibc.close(fd) }
            return try BirthTime.of(fd, "", what: "probe file in \"\(tree.rootPath)\"")
        }
        guard let first = try probe() else { return nil }
        for _ in 0..<2000 {
            usleep(500)
            if let now = try probe(), first < now { return now }
        }
        return nil
    }
    // MARK: - metadata

    /// Owner, then mode (a chown clears setuid/setgid), then xattrs (a chown clears
    /// security.capability). `fd` is the open file when there is one, else `parent`/`leaf` name it.
    private func applyMetadata(_ entry: OpaquePointer, fd: Int32?, parent: Int32, leaf: UnsafePointer<CChar>?,
                               isSymlink: Bool = false) throws {
        let what = path.text
        if options.preserveOwnership {
            let uid = options.owner?.uid ?? uid_t(truncatingIfNeeded: archive_entry_uid(entry))
            let gid = options.owner?.gid ?? gid_t(truncatingIfNeeded: archive_entry_gid(entry))
            if let fd {
                try sys("fchown", "\"\(what)\"") { fchown(fd, uid, gid) }
            } else {
                try sys("fchownat", "\"\(what)\"") { fchownat(parent, leaf!, uid, gid, AT_SYMLINK_NOFOLLOW) }
            }
        }
        if !isSymlink {
            let mode = archive_entry_perm(entry)
            if let fd {
                try sys("fchmod", "\"\(what)\"") { fchmod(fd, mode) }
            } else {
                // The name was created (or checked to be a directory) just now: not a symlink.
                try sys("fchmodat", "\"\(what)\"") { fchmodat(parent, leaf!, mode, 0) }
            }
        }
        if archive_entry_xattr_reset(entry) > 0 {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK, let name {
                if strncmp(name, "trusted.overlay.", 16) == 0 { continue }
                if let fd {
                    try sys("fsetxattr", "\(String(cString: name)) on \"\(what)\"") { fsetxattr(fd, name, value, size, 0) }
                } else {
                    // No fd for symlinks and device nodes: the parent through /proc, the leaf unfollowed.
                    let procPath = "/proc/self/fd/\(parent)/" + String(cString: leaf!)
                    try sys("lsetxattr", "\(String(cString: name)) on \"\(what)\"") { lsetxattr(procPath, name, value, size, 0) }
                }
            }
        }
    }

    private func times(_ entry: OpaquePointer) -> (atime: timespec, mtime: timespec) {
        let mtime = timespec(tv_sec: Int(archive_entry_mtime(entry)), tv_nsec: Int(archive_entry_mtime_nsec(entry)))
        guard archive_entry_atime_is_set(entry) != 0 else { return (mtime, mtime) }
        return (timespec(tv_sec: Int(archive_entry_atime(entry)), tv_nsec: Int(archive_entry_atime_nsec(entry))), mtime)
    }

    private func setTimes(_ entry: OpaquePointer, fd: Int32?, parent: Int32, leaf: UnsafePointer<CChar>) throws {
        let (atime, mtime) = times(entry)
        var values = [atime, mtime]
        if let fd {
            try sys("futimens", "\"\(path.text)\"") { futimens(fd, &values) }
        } else {
            try sys("utimensat", "\"\(path.text)\"") { utimensat(parent, leaf, &values, AT_SYMLINK_NOFOLLOW) }
        }
    }

    private func recordTimes(_ entry: OpaquePointer) throws {
        let (atime, mtime) = times(entry)
        try directoryTimes.record(path, atime: atime, mtime: mtime)
    }
}

/// A file's birth time (statx `STATX_BTIME`).
struct BirthTime: Comparable {
    var seconds: Int64
    var nanoseconds: UInt32

    static func < (a: BirthTime, b: BirthTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// The birth time of `name` in `directory` (not followed), nil when the file system has none.
    static func of(_ directory: Int32, _ name: UnsafePointer<CChar>, what: @autoclosure () -> String) throws(OSError) -> BirthTime? {
        var time = BirthTime(seconds: 0, nanoseconds: 0)
        let found = try sys("statx", what()) { swdock_statx_btime(directory, name, &time.seconds, &time.nanoseconds) }
        return found == 1 ? time : nil
    }
}
