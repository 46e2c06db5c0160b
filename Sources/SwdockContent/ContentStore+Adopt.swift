#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

extension ContentStore {
    /// Publishes the file `path`, whose sha256 the caller computed while writing it (a layer the
    /// engine produced itself: `docker commit`, `docker import`), as the blob `digest` without
    /// copying it: fsync, mode 0444, rename into the store, fsync of the directory — the same
    /// publication a `ContentWriter` does after its own hash check. The file must be on the
    /// store's file system; it is gone afterwards (also when the blob was already there).
    @discardableResult
    public func adopt(file path: String, digest: Digest) throws(ContentError) -> ContentInfo {
        guard digest.algorithm == "sha256" else {
            throw ContentError(.invalid, "adopt blob \(digest): only sha256 content is stored")
        }
        if let existing = try info(digest) {
            try? FileSystem.unlink(path)
            return existing
        }
        do {
            let fd = try FileDescriptor.open(path, O_RDONLY)
            defer { fd.close() }
            try fd.sync()
            try sys("fchmod", "\"\(path)\"") { Glibc.fchmod(fd.rawValue, 0o444) }
            let size = try FileSystem.status(fd).st_size
            try FileSystem.rename(path, self.path(of: digest))
            try FileSystem.syncDirectory(blobsDirectory)
            return ContentInfo(digest: digest, size: Int64(size), committedAt: Int64(time(nil)))
        } catch {
            throw .io("adopt \"\(path)\" as blob \(digest)", error)
        }
    }
}
