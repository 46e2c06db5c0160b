#if canImport(Glibc)
import Glibc
#endif
import struct Crypto.SHA256
import SwdockOCI
import SwdockOS

/// Streams one blob into the store: every byte is hashed as it arrives, written with large
/// buffered writes to `<ingest>/data`, and optionally copied to a `tee` (a pipe an unpacker
/// reads). `commit()` verifies size and digest, fsyncs, renames into place and fsyncs the
/// directory; nothing is visible under `blobs/` before that.
///
/// A writer is used from one thread at a time (a download worker); it is not `Sendable`.
/// Whoever gets a writer ends it with exactly one of `commit()`, `close()` (keep the ingest
/// for a later resume) or `discard()`.
public final class ContentWriter {
    public let digest: Digest
    /// The size the descriptor promised, when known.
    public let expectedSize: Int64?
    /// Bytes accepted so far (written, hashed and teed): where a download resumes.
    public private(set) var offset: Int64 = 0
    /// Bytes that were already in the ingest when it was opened (re-hashed, not downloaded).
    public let resumedFrom: Int64
    /// Path of the ingest directory.
    public let ingestPath: String

    private let store: ContentStore
    private let lock: FileDescriptor
    private let data: FileDescriptor
    private var tee: FileDescriptor?
    private var hasher = SHA256()
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private var finished = false

    /// Size of the write buffer: large writes keep syscalls few on a 100 MB layer.
    static let bufferSize = 1 << 20

    init(store: ContentStore, digest: Digest, expectedSize: Int64?, ingestPath: String, lock: FileDescriptor,
         tee: FileDescriptor?) throws(ContentError) {
        self.store = store
        self.digest = digest
        self.expectedSize = expectedSize
        self.ingestPath = ingestPath
        self.lock = lock
        let dataFD: FileDescriptor
        if tee != nil { ContentWriter.ignoreSIGPIPE() }
        self.tee = tee
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ContentWriter.bufferSize, alignment: 4096)
        do {
            dataFD = try FileDescriptor.open(ingestPath + "/data", O_RDWR | O_CREAT, mode: 0o644)
        } catch {
            buffer.deallocate()
            lock.close()
            tee?.close()
            throw .io("open ingest data for \(digest)", error)
        }
        let data = dataFD
        self.data = dataFD
        var existing: Int64 = 0
        do {
            existing = Int64(try FileSystem.status(data).st_size)
            if let expectedSize, existing > expectedSize {
                // Longer than the blob can be: not a prefix of it.
                try sys("ftruncate", "ingest of \(digest)") { ftruncate(data.rawValue, 0) }
                existing = 0
            }
            if existing == 0 {
                try FileSystem.writeFile(ingestPath + "/ref", digest.description + "\n")
                try FileSystem.writeFile(ingestPath + "/total", expectedSize.map { "\($0)\n" } ?? "\n")
            }
        } catch {
            data.close()
            buffer.deallocate()
            lock.close()
            tee?.close()
            throw .io("prepare ingest for \(digest)", error)
        }
        resumedFrom = existing
        // Fully initialised from here: on failure deinit closes everything (keeping the ingest).
        try rehashPrefix(existing)
    }

    deinit {
        if !finished { close() }
        buffer.deallocate()
    }

    /// Reads back what an earlier writer left, hashing it and passing it to the tee.
    private func rehashPrefix(_ length: Int64) throws(ContentError) {
        var position: Int64 = 0
        while position < length {
            let want = Int(min(Int64(buffer.count), length - position))
            let n: Int
            do {
                n = try sys("pread", "ingest of \(digest)") {
                    Glibc.pread(data.rawValue, buffer.baseAddress, want, off_t(position))
                }
            } catch {
                throw .io("re-hash ingest of \(digest)", error)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(bufferPointer: chunk)
            try writeTee(chunk)
            position += Int64(n)
        }
        offset = position
        // Later appends go after the verified prefix.
        _ = Glibc.lseek(data.rawValue, off_t(position), SEEK_SET)
    }

    /// Accepts the next bytes of the blob.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ContentError) {
        precondition(!finished, "write after the writer was finished")
        if bytes.isEmpty { return }
        if let expectedSize, offset + Int64(bytes.count) > expectedSize {
            throw ContentError(.sizeMismatch,
                               "write blob \(digest): more than the expected \(expectedSize) bytes")
        }
        hasher.update(bufferPointer: bytes)
        try writeTee(bytes)
        if buffered + bytes.count > buffer.count { try flush() }
        if bytes.count >= buffer.count {
            do { try writeFully(data.rawValue, bytes, what: "ingest of \(digest)") } catch {
                throw .io("write ingest of \(digest)", error)
            }
        } else {
            (buffer.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered += bytes.count
        }
        offset += Int64(bytes.count)
    }

    /// Accepts the next bytes of the blob from an array.
    public func write(_ bytes: [UInt8]) throws(ContentError) {
        let failure = bytes.withUnsafeBytes { raw -> ContentError? in
            do throws(ContentError) { try write(raw); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Writes buffered bytes to the ingest file (resume then starts after them).
    public func flush() throws(ContentError) {
        guard buffered > 0 else { return }
        do {
            try writeFully(data.rawValue, UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]),
                           what: "ingest of \(digest)")
        } catch {
            throw .io("write ingest of \(digest)", error)
        }
        buffered = 0
    }

    private func writeTee(_ bytes: UnsafeRawBufferPointer) throws(ContentError) {
        guard let fd = tee else { return }
        do {
            try writeFully(fd.rawValue, bytes, what: "tee of \(digest)")
        } catch {
            // A consumer that stopped reading does not stop the download; it learns the
            // outcome from the puller.
            if error.errno == EPIPE {
                fd.close()
                tee = nil
                return
            }
            throw .io("write tee of \(digest)", error)
        }
    }

    /// Verifies and publishes the blob; the ingest is gone afterwards. A digest or size mismatch
    /// discards the ingest (those bytes can never become this blob) and throws.
    @discardableResult
    public func commit() throws(ContentError) -> ContentInfo {
        precondition(!finished, "commit after the writer was finished")
        do {
            try flush()
        } catch {
            close()
            throw error
        }
        if let expectedSize, offset != expectedSize {
            let message = "commit blob \(digest): got \(offset) bytes, expected \(expectedSize)"
            if offset < expectedSize { close() } else { discard() }
            throw ContentError(.sizeMismatch, message)
        }
        let actual = Digest(sha256Hex: hasher.finalize().hexString)
        guard actual == digest else {
            discard()
            throw ContentError(.digestMismatch, "commit blob \(digest): content has digest \(actual)")
        }
        let target = store.path(of: digest)
        do {
            try data.sync()
            try sys("fchmod", "ingest of \(digest)") { Glibc.fchmod(data.rawValue, 0o444) }
            try FileSystem.rename(ingestPath + "/data", target)
            try FileSystem.syncDirectory(store.blobsDirectory)
        } catch {
            close()
            throw .io("commit blob \(digest)", error)
        }
        finish(removeIngest: true)
        return ContentInfo(digest: digest, size: offset, committedAt: Int64(time(nil)))
    }

    /// Ends the writer keeping what was written, so a later writer resumes from it.
    public func close() {
        guard !finished else { return }
        try? flush()
        finish(removeIngest: false)
    }

    /// Ends the writer and removes the ingest.
    public func discard() {
        guard !finished else { return }
        finish(removeIngest: true)
    }

    private func finish(removeIngest: Bool) {
        finished = true
        data.close()
        tee?.close()
        tee = nil
        // Remove while still holding the lock; waiters notice the directory is gone.
        if removeIngest { try? FileSystem.removeTree(ingestPath) }
        lock.close()
    }

    private static let sigpipeIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// A tee is usually a pipe; writing to one whose reader went away must fail with EPIPE,
    /// not kill the process.
    static func ignoreSIGPIPE() { _ = sigpipeIgnored }
}
