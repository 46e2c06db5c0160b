#if canImport(Glibc)
import Glibc
#endif
import CArchive
import CSwdockSys
import Crypto
import SwdockOS

/// The uncompressed bytes of a layer blob read from a file descriptor, hashed as they pass.
///
/// Compression is told from the first bytes (`LayerCompression.detect`). gzip and zstd are
/// decompressed by an inner libarchive reader that has only that one filter and the `raw`
/// format, so its single "entry" is the decompressed stream; an uncompressed blob is passed
/// through from the descriptor. Every byte handed out by `next()` has already been fed to
/// the sha256 that becomes the diffID, so the tar reader on top cannot skip bytes unhashed.
final class UncompressedStream {
    private let input: FileDescriptor
    let compression: LayerCompression
    private let readBuffer: UnsafeMutableRawBufferPointer
    /// Bytes already read from `input` (while detecting) that the next read must return first.
    private var pendingCount = 0
    private var inputAtEnd = false
    private var inner: OpaquePointer?
    private var hasher = SHA256()
    private(set) var compressedBytes: Int64 = 0
    private(set) var uncompressedBytes: Int64 = 0
    /// The first error met inside a libarchive callback, reported instead of libarchive's text.
    var callbackError: (any Error & Sendable)?

    static let readBufferSize = 1 << 20

    init(input: FileDescriptor) throws(ArchiveError) {
        self.input = input
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 64)
        // A pipe from the downloader: a larger pipe buffer means fewer wake-ups per megabyte.
        // F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7); fails harmlessly on a regular file.
        _ = swdock_fcntl_int(input.rawValue, 1024 + 7, Int32(Self.readBufferSize))
        do {
            // Fill at least the magic-number prefix (a pipe may deliver a byte at a time).
            while pendingCount < 4 {
                let n = try Self.read(input, into: readBuffer.baseAddress! + pendingCount,
                                      count: Self.readBufferSize - pendingCount)
                if n == 0 { inputAtEnd = true; break }
                pendingCount += n
            }
        } catch {
            readBuffer.deallocate()
            throw ArchiveError(.io, "read layer blob", cause: error)
        }
        compression = LayerCompression.detect(UnsafeRawBufferPointer(rebasing: readBuffer[0..<pendingCount]))
        if compression != .none {
            do { try openInner() } catch {
                readBuffer.deallocate()
                throw error
            }
        }
    }

    deinit {
        if let inner { archive_read_free(inner) }
        readBuffer.deallocate()
    }

    /// The diffID of everything read so far (final once `next()` returned an empty buffer).
    func digestHex() -> String { hasher.finalize().hexString }

    /// The next block of uncompressed bytes, valid until the following call; empty at the end.
    func next() throws(ArchiveError) -> UnsafeRawBufferPointer {
        let block: UnsafeRawBufferPointer
        if let inner {
            var pointer: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(inner, &pointer, &size, &offset)
            if status == ARCHIVE_EOF {
                try drainInput()
                return UnsafeRawBufferPointer(start: nil, count: 0)
            }
            if status != ARCHIVE_OK && status != ARCHIVE_WARN {
                if let callbackError { throw ArchiveError(.io, "read layer blob", cause: callbackError) }
                throw ArchiveError(.invalidArchive,
                                   "decompress \(compression.rawValue) layer blob: \(Self.errorText(inner))")
            }
            block = UnsafeRawBufferPointer(start: pointer, count: size)
        } else {
            let n: Int
            do { n = try readRaw() } catch { throw ArchiveError(.io, "read layer blob", cause: error) }
            block = UnsafeRawBufferPointer(start: readBuffer.baseAddress, count: n)
        }
        if block.count > 0 { hasher.update(bufferPointer: block) }
        uncompressedBytes += Int64(block.count)
        return block
    }

    /// Reads the rest of the uncompressed stream into the hash (tar's trailing zero blocks and
    /// anything after them are part of the diffID).
    func finish() throws(ArchiveError) {
        while try next().count > 0 {}
    }

    private func openInner() throws(ArchiveError) {
        guard let archive = archive_read_new() else { throw ArchiveError(.io, "archive_read_new: out of memory") }
        inner = archive
        let filterStatus = compression == .gzip ? archive_read_support_filter_gzip(archive)
                                                 : archive_read_support_filter_zstd(archive)
        guard filterStatus == ARCHIVE_OK, archive_read_support_format_raw(archive) == ARCHIVE_OK else {
            throw ArchiveError(.notSupported,
                               "not supported: \(compression.rawValue) decompression in this libarchive: \(Self.errorText(archive))")
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let opened = archive_read_open(archive, context, nil, { _, context, buffer in
            let stream = Unmanaged<UncompressedStream>.fromOpaque(context!).takeUnretainedValue()
            do throws(OSError) {
                let n = try stream.readRaw()
                buffer!.pointee = UnsafeRawPointer(stream.readBuffer.baseAddress)
                return n
            } catch {
                stream.callbackError = error
                return -1
            }
        }, nil)
        var entry: OpaquePointer?
        guard opened == ARCHIVE_OK, archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
            if let callbackError { throw ArchiveError(.io, "read layer blob", cause: callbackError) }
            throw ArchiveError(.invalidArchive, "open \(compression.rawValue) layer blob: \(Self.errorText(archive))")
        }
    }

    /// One read of compressed bytes into `readBuffer`: the detection prefix first, then the fd.
    private func readRaw() throws(OSError) -> Int {
        if pendingCount > 0 {
            let n = pendingCount
            pendingCount = 0
            compressedBytes += Int64(n)
            return n
        }
        if inputAtEnd { return 0 }
        let n = try Self.read(input, into: readBuffer.baseAddress!, count: Self.readBufferSize)
        if n == 0 { inputAtEnd = true }
        compressedBytes += Int64(n)
        return n
    }

    private static func read(_ input: FileDescriptor, into pointer: UnsafeMutableRawPointer, count: Int) throws(OSError) -> Int {
        try sys("read", "layer blob fd \(input.rawValue)") { Glibc.read(input.rawValue, pointer, count) }
    }

    /// After the decompressor's end, reads the descriptor to its end so the writer of a pipe
    /// (the downloader, which is also committing the blob) is never cut off.
    private func drainInput() throws(ArchiveError) {
        do { while try readRaw() > 0 {} } catch { throw ArchiveError(.io, "read layer blob", cause: error) }
    }

    static func errorText(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: text)
    }
}
