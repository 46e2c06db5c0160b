#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// What the store knows about one verified blob.
public struct ContentInfo: Hashable, Sendable {
    public let digest: Digest
    public let size: Int64
    /// Modification time of the blob file (its commit time), seconds since the epoch.
    public let committedAt: Int64
}

/// A content-addressed blob store laid out as containerd's (`ContentLayout`, version 1).
///
/// Blobs become visible only after their size and digest were verified, the data was fsynced,
/// renamed into `blobs/sha256/<hex>`, and the directory fsynced: a `kill -9` at any instant
/// leaves either no blob or a complete one, plus perhaps an ingest that a later writer resumes.
///
/// The store is safe to use from many threads and processes: a writer holds an `flock` on its
/// ingest directory, and `fetches` lets tasks of one process share a single download per digest.
public final class ContentStore: Sendable {
    /// The store's root (the blobs live under `<root>/content/`).
    public let root: String
    /// Joins concurrent fetches of the same digest in this process.
    public let fetches = BlobFetchCoordinator()

    let blobsDirectory: String
    let ingestDirectory: String

    /// Opens (creating when needed) the store under `root`.
    public init(root: String) throws(ContentError) {
        self.root = root
        blobsDirectory = root + "/" + ContentLayout.blobsDirectory + "/sha256"
        ingestDirectory = root + "/" + ContentLayout.ingestDirectory
        do {
            try FileSystem.makeDirectories(blobsDirectory)
            try FileSystem.makeDirectories(ingestDirectory)
        } catch {
            throw .io("create content store at \"\(root)\"", error)
        }
    }

    /// Where the blob with `digest` lives (whether or not it exists).
    public func path(of digest: Digest) -> String { blobsDirectory + "/" + digest.encoded }

    /// The verified blob with `digest`, or nil.
    public func info(_ digest: Digest) throws(ContentError) -> ContentInfo? {
        guard digest.algorithm == "sha256" else { return nil }
        do {
            guard let st = try FileSystem.status(path(of: digest)) else { return nil }
            return ContentInfo(digest: digest, size: Int64(st.st_size), committedAt: Int64(st.st_mtim.tv_sec))
        } catch {
            throw .io("stat blob \(digest)", error)
        }
    }

    /// Whether the verified blob with `digest` is present.
    public func contains(_ digest: Digest) -> Bool { ((try? info(digest)) ?? nil) != nil }

    /// Every verified blob, sorted by digest.
    public func list() throws(ContentError) -> [ContentInfo] {
        let names: [String]
        do { names = try FileSystem.directoryEntries(blobsDirectory) } catch { throw .io("list blobs", error) }
        var result: [ContentInfo] = []
        for name in names.sorted() {
            guard let digest = try? Digest(parsing: "sha256:" + name), let info = try info(digest) else { continue }
            result.append(info)
        }
        return result
    }

    /// Removes a blob; removing one that is not there is an error naming it.
    public func delete(_ digest: Digest) throws(ContentError) {
        guard try info(digest) != nil else { throw ContentError(.notFound, "delete blob \(digest): not found") }
        do {
            try FileSystem.unlink(path(of: digest))
            try FileSystem.syncDirectory(blobsDirectory)
        } catch {
            throw .io("delete blob \(digest)", error)
        }
    }

    /// Opens a verified blob for reading.
    public func open(_ digest: Digest) throws(ContentError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(path(of: digest), O_RDONLY)
        } catch {
            if error.errno == ENOENT { throw ContentError(.notFound, "open blob \(digest): not found") }
            throw .io("open blob \(digest)", error)
        }
    }

    /// The bytes of a (small) verified blob such as a manifest or config.
    public func read(_ digest: Digest) throws(ContentError) -> [UInt8] {
        let fd = try open(digest)
        defer { fd.close() }
        do { return try fd.readAll() } catch { throw .io("read blob \(digest)", error) }
    }

    /// Stores `bytes` (a manifest, a config) under their digest, checking them against
    /// `expected` when given. Returns the digest.
    @discardableResult
    public func write(_ bytes: [UInt8], expected: Digest? = nil) throws(ContentError) -> Digest {
        let digest = Digest.sha256(of: bytes)
        if let expected, expected != digest {
            throw ContentError(.digestMismatch, "write blob \(expected): content has digest \(digest)")
        }
        switch try openWriter(digest: digest, size: Int64(bytes.count)) {
        case .exists:
            return digest
        case .writer(let writer):
            do {
                try writer.write(bytes)
                _ = try writer.commit()
            } catch {
                writer.discard()
                throw error
            }
            return digest
        }
    }

    /// The result of asking for a writer: the blob may already be there.
    public enum WriterOpening {
        case writer(ContentWriter)
        case exists(ContentInfo)
    }

    /// Opens the ingest for `digest` (`<root>/content/ingest/<ref>/`, `ref` defaulting to
    /// `sha256-<hex>`), taking its `flock`.
    ///
    /// - With `wait`, a writer in another thread or process makes this call block until that
    ///   writer finished; the blob is then usually there and `.exists` is returned.
    /// - An earlier interrupted ingest is resumed: its bytes are re-hashed (SHA-256 state cannot
    ///   be serialised portably, so the prefix is read again) and `ContentWriter.offset` says
    ///   where to continue. The prefix is also written to `tee` so that a consumer always sees
    ///   the blob from byte 0.
    /// - `tee`, when given, receives every byte of the blob in order; the writer closes it
    ///   when it is closed, committed or discarded (and also when `.exists` is returned or
    ///   this call throws).
    public func openWriter(digest: Digest, size: Int64?, ref: String? = nil, wait: Bool = true,
                           tee: FileDescriptor? = nil) throws(ContentError) -> WriterOpening {
        guard digest.algorithm == "sha256" else {
            tee?.close()
            throw ContentError(.invalid, "write blob \(digest): only sha256 content is stored")
        }
        let name = ref ?? "sha256-\(digest.encoded)"
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            tee?.close()
            throw ContentError(.invalid, "write blob \(digest): invalid ingest ref \"\(name)\"")
        }
        if let existing = try info(digest) {
            tee?.close()
            return .exists(existing)
        }
        let ingestPath = ingestDirectory + "/" + name
        let lock: FileDescriptor
        do {
            lock = try lockIngest(ingestPath, wait: wait, digest: digest)
        } catch {
            tee?.close()
            throw error
        }
        // Someone may have committed while we waited for the lock.
        if let existing = try? info(digest) {
            lock.close()
            try? FileSystem.removeTree(ingestPath)
            tee?.close()
            return .exists(existing)
        }
        do {
            let writer = try ContentWriter(store: self, digest: digest, expectedSize: size, ingestPath: ingestPath,
                                           lock: lock, tee: tee)
            return .writer(writer)
        } catch {
            throw error  // the writer's init closed the lock and the tee
        }
    }

    /// Creates and locks the ingest directory. After the lock is granted the path must still be
    /// the directory that was locked: a writer that discarded its ingest removes it, and a
    /// waiter holding the old inode must not write into a directory nobody else can see.
    private func lockIngest(_ path: String, wait: Bool, digest: Digest) throws(ContentError) -> FileDescriptor {
        while true {
            let fd: FileDescriptor
            do throws(OSError) {
                if Glibc.mkdir(path, 0o755) != 0 && errno != EEXIST {
                    throw OSError(call: "mkdir", object: "\"\(path)\"", errno: errno)
                }
                fd = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
            } catch {
                throw .io("open ingest for \(digest)", error)
            }
            do {
                try sys("flock", "\"\(path)\"") { lockFile(fd.rawValue, LOCK_EX | (wait ? 0 : LOCK_NB)) }
            } catch {
                fd.close()
                if error.errno == EWOULDBLOCK {
                    throw ContentError(.locked, "write blob \(digest): another writer holds \"\(path)\"")
                }
                throw .io("lock ingest for \(digest)", error)
            }
            let locked = try? FileSystem.status(fd)
            let current = try? FileSystem.status(path)
            if let locked, let current, locked.st_ino == current.st_ino, locked.st_dev == current.st_dev {
                return fd
            }
            fd.close()  // the directory was removed or replaced while we waited: start over
        }
    }
}
