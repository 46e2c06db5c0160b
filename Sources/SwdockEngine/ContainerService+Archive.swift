#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import Foundation
import SwdockArchive
import SwdockOS

/// What `HEAD|GET /containers/{id}/archive` says about a path (Docker's `ContainerPathStat`).
public struct ContainerPathStat: Sendable, Equatable {
    /// The base name of the requested path (`/` for the root, `.` for `dir/.`).
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode` bits (type bits high, permissions low).
    public var mode: UInt32
    /// RFC 3339 with nanoseconds, UTC.
    public var mtime: String
    /// For a symlink: its target fully resolved inside the container, as an absolute path.
    public var linkTarget: String

    /// Go's `os.FileMode` of a `stat` mode.
    public static func goFileMode(_ mode: mode_t) -> UInt32 {
        var bits = UInt32(mode & 0o777)
        switch mode & S_IFMT {
        case S_IFDIR: bits |= 1 << 31
        case S_IFLNK: bits |= 1 << 27
        case S_IFBLK: bits |= 1 << 26
        case S_IFCHR: bits |= 1 << 26 | 1 << 21
        case S_IFIFO: bits |= 1 << 25
        case S_IFSOCK: bits |= 1 << 24
        default: break
        }
        if mode & S_ISUID != 0 { bits |= 1 << 23 }
        if mode & S_ISGID != 0 { bits |= 1 << 22 }
        if mode & S_ISVTX != 0 { bits |= 1 << 20 }
        return bits
    }
}

/// A tar stream being produced by an archive operation's thread; read it to its end (or
/// `cancel`) and then `finish` for the operation's own error.
public final class ContainerArchiveStream: @unchecked Sendable {
    /// The stat of the archived path (the GET's header); nil for export.
    public let stat: ContainerPathStat?
    private let input: FileDescriptor
    private let done: Task<Void, any Error>

    init(stat: ContainerPathStat?, input: FileDescriptor, done: Task<Void, any Error>) {
        self.stat = stat
        self.input = input
        self.done = done
    }

    /// The next bytes of the tar stream; empty at its end.
    public func read() async throws -> [UInt8] {
        let input = self.input
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try input.read(upTo: 1 << 20) })
            }
        }
    }

    /// Closes the stream and waits for the producer; throws its error (a reader that stopped
    /// early makes the producer fail with EPIPE, which is not reported).
    public func finish() async throws {
        input.close()
        do { try await done.value } catch let error as EngineError where "\(error)".contains("EPIPE") || "\(error)".contains("Broken pipe") {
            return
        }
    }
}

extension ContainerService {
    /// `HEAD /containers/{id}/archive?path=`: Docker's `ContainerStatPath`.
    public func statPath(_ reference: String, path: String) async throws(EngineError) -> ContainerPathStat {
        let container = try resolve(reference)
        return try await engineErrors {
            try await withFileView(container, reference: reference, mounts: true) { view in
                try Self.pathStat(view, path: path).stat
            }
        }
    }

    /// `GET /containers/{id}/archive?path=`: the path's stat, and a tar of it as Docker's
    /// `ContainerArchivePath` makes it (a directory's contents under its requested base name,
    /// `dir/.` as `./…`, a symlink as the last element archived as the link itself).
    public func archivePath(_ reference: String, path: String) async throws(EngineError) -> ContainerArchiveStream {
        let container = try resolve(reference)
        return try await produce(container, reference: reference, mounts: true, event: "archive-path") { view, output in
            let (stat, located) = try Self.pathStat(view, path: path)
            let resolved = PathText.clean(located.directory + "/" + located.entry)
            return (stat, { () throws in
                let archiver = try TreeArchiver(output: output)
                if resolved == "/" {
                    try archiver.add(parent: view.rootFD, leaf: ".", as: stat.name)
                } else {
                    let parent = try view.open(PathText.dir(resolved), flags: SWDOCK_O_PATH | O_DIRECTORY)
                    defer { Glibc.close(parent) }
                    try archiver.add(parent: parent, leaf: PathText.base(resolved), as: stat.name)
                }
                try archiver.finish()
            })
        }
    }

    /// `GET /containers/{id}/export`: a tar of the container's own file system (the merged
    /// snapshot, without binds or volumes), entries named relative to its root.
    public func export(_ reference: String) async throws(EngineError) -> ContainerArchiveStream {
        let container = try resolve(reference)
        return try await produce(container, reference: reference, mounts: false, event: "export") { view, output in
            (nil, { () throws in
                let archiver = try TreeArchiver(output: output)
                let root = try view.open("/", flags: O_RDONLY | O_DIRECTORY)
                defer { Glibc.close(root) }
                try archiver.addContents(of: root)
                try archiver.finish()
            })
        }
    }

    /// `PUT /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=`: extracts the tar
    /// (gzip, zstd or plain; `.wh.` names are plain names) read from `body` into the directory
    /// `path` of the container, as Docker's `ContainerExtractToDir`: the path is resolved fully
    /// (symlinks too) inside the container and must be a directory; entries keep their owners
    /// unless `copyUIDGID` and the container has a `User` (then they get that user's ids); a
    /// `..` that leaves the directory is refused.
    public func extractArchive(_ reference: String, path: String, noOverwriteDirNonDir: Bool, copyUIDGID: Bool,
                               body: @escaping @Sendable (FileDescriptor) async throws -> Void) async throws(EngineError) {
        let container = try resolve(reference)
        let pipe: (read: FileDescriptor, write: FileDescriptor)
        do { pipe = try FileDescriptor.pipe() } catch { throw EngineError(.system, "create a pipe for the archive", cause: error) }
        pipe.write.setPipeSize(1 << 20)
        let user = container.document.Config.user
        let readonlyRoot = container.document.HostConfig.readonlyRootfs
        let mountPoints = container.document.Mounts
        let extraction = Task { () async throws in
            defer { pipe.read.close() }
            do {
                try await self.withFileView(container, reference: reference, mounts: true) { view in
                    let resolved = try view.resolveInScope(ContainerFileView.absolute(path))
                    guard let info = try view.statIfPresent(resolved) else {
                        throw EngineError(.notFound, "Could not find the file \(path) in container \(reference)")
                    }
                    guard info.st_mode & S_IFMT == S_IFDIR else {
                        throw EngineError(.invalidArgument, "extraction point is not a directory")
                    }
                    if let volume = Self.mountPoint(containing: resolved, in: mountPoints) {
                        if !volume.RW { throw EngineError(.conflict, "mounted volume is marked read-only") }
                    } else if readonlyRoot {
                        throw EngineError(.conflict, "container rootfs is marked read-only")
                    }
                    var options = LayerApplyOptions(target: .mergedTree, preserveOwnership: true)
                    options.whiteouts = false
                    options.noOverwriteDirNonDir = noOverwriteDirNonDir
                    options.destination = resolved
                    if copyUIDGID && !user.isEmpty {
                        let resolvedUser = try UserLookup.resolve(user, files: RootfsFiles(rootfs: view.rootPath))
                        options.owner = ArchiveOwner(uid: resolvedUser.uid, gid: resolvedUser.gid)
                    }
                    _ = try LayerApplier.apply(from: pipe.read, into: view.rootPath, options: options)
                }
            } catch {
                // Read the rest so the uploader is never cut off: the answer is the error.
                while let chunk = try? pipe.read.read(upTo: 1 << 20), !chunk.isEmpty {}
                throw error
            }
        }
        var uploadError: (any Error)?
        do { try await body(pipe.write) } catch { uploadError = error }
        pipe.write.close()
        try await engineErrors { try await extraction.value }
        if let uploadError { throw EngineError(.invalidArgument, "read the archive for container \(reference)", cause: DescribedError(uploadError)) }
        emit("extract-to-dir", container)
    }

    // MARK: helpers

    /// The bind or volume whose destination holds `path` (the deepest one).
    static func mountPoint(containing path: String, in mounts: [ContainerMountPoint]) -> ContainerMountPoint? {
        mounts.filter { $0.Type == "bind" || $0.Type == "volume" }
            .filter { path == $0.Destination || path.hasPrefix($0.Destination.hasSuffix("/") ? $0.Destination : $0.Destination + "/") }
            .max { $0.Destination.count < $1.Destination.count }
    }

    /// Docker's `StatPath` of a request path; 404 "Could not find the file …" when it is missing.
    static func pathStat(_ view: ContainerFileView, path: String) throws -> (stat: ContainerPathStat, located: ContainerFileView.Located) {
        guard let located = try view.locate(path) else {
            throw EngineError(.notFound, "Could not find the file \(path) in container \(view.reference)")
        }
        let info = located.info
        var linkTarget = ""
        if info.st_mode & S_IFMT == S_IFLNK { linkTarget = try view.resolveInScope(located.absolute) }
        let mtime = Timestamp(seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int32(info.st_mtim.tv_nsec)).rfc3339Nano
        let stat = ContainerPathStat(name: PathText.base(located.absolute), size: Int64(info.st_size),
                                     mode: ContainerPathStat.goFileMode(info.st_mode), mtime: mtime, linkTarget: linkTarget)
        return (stat, located)
    }

    /// Starts an operation that writes a tar into a pipe on its thread: `prepare` runs first
    /// (its errors are the call's), then the writer it returns streams until it ends.
    private func produce(_ container: Loaded, reference: String, mounts: Bool, event: String,
                         _ prepare: @escaping @Sendable (ContainerFileView, FileDescriptor) throws
                             -> (ContainerPathStat?, () throws -> Void)) async throws(EngineError) -> ContainerArchiveStream {
        let pipe: (read: FileDescriptor, write: FileDescriptor)
        do { pipe = try FileDescriptor.pipe() } catch { throw EngineError(.system, "create a pipe for the archive", cause: error) }
        pipe.write.setPipeSize(1 << 20)
        struct Prepared: Sendable { var stat: ContainerPathStat? }
        let (signal, signalled) = AsyncThrowingStream<Prepared, any Error>.makeStream()
        let done = Task { () async throws in
            defer { pipe.write.close() }
            do {
                try await self.withFileView(container, reference: reference, mounts: mounts) { view in
                    let (stat, write) = try prepare(view, pipe.write)
                    signalled.yield(Prepared(stat: stat))
                    try write()
                }
                signalled.finish()
            } catch {
                signalled.finish(throwing: error)
                throw error
            }
        }
        let stat: ContainerPathStat?
        do {
            var iterator = signal.makeAsyncIterator()
            guard let prepared = try await iterator.next() else {
                throw EngineError(.system, "archive of container \(container.id) ended before it began")
            }
            stat = prepared.stat
        } catch {
            pipe.read.close()
            _ = try? await done.value
            throw try await engineErrors { throw error }
        }
        emit(event, container)
        return ContainerArchiveStream(stat: stat, input: pipe.read, done: done)
    }

    /// Errors of the archive operations as engine errors (lower layers' as `system`).
    func engineErrors<T>(_ body: () async throws -> T) async throws(EngineError) -> T {
        do { return try await body() } catch let error as EngineError { throw error } catch let error as ArchiveError {
            switch error.code {
            case .unsafeEntry, .conflict, .invalidArchive: throw EngineError(.invalidArgument, error.description)
            default: throw EngineError(.system, error.description)
            }
        } catch {
            throw EngineError(.system, "\(error)")
        }
    }
}
