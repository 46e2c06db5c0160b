#if canImport(Glibc)
import Glibc
#endif
import CArchive
import Crypto
import SwdockOCI
import SwdockOS

/// A rootfs tarball for `docker import`: compressed with anything libarchive recognises from
/// the bytes (gzip, bzip2, xz, lzma, zstd, lz4, compress, …) or not at all. `decompress`
/// writes the plain tar stream, which becomes the image's only layer (its sha256 is the
/// diffID), as dockerd's `archive.DecompressStream` does; the tar itself is checked when it is
/// applied (`LayerApplier`).
public enum RootfsTarball {
    /// Reads `input` to its end and writes the decompressed stream to `output`.
    public static func decompress(from input: FileDescriptor, to output: FileDescriptor) throws(ArchiveError) -> LayerWriteResult {
        guard let reader = archive_read_new() else { throw ArchiveError(.io, "create a decompressor: out of memory") }
        defer { archive_read_free(reader) }
        archive_read_support_filter_all(reader)
        archive_read_support_format_raw(reader)
        func failure(_ step: String) -> ArchiveError {
            let text = archive_error_string(reader).map { String(cString: $0) } ?? "unknown libarchive error"
            return ArchiveError(.invalidArchive, "\(step): \(text)")
        }
        guard archive_read_open_fd(reader, input.rawValue, 1 << 20) == ARCHIVE_OK else { throw failure("open the tarball") }
        var entry: OpaquePointer?
        var hasher = SHA256()
        var size: Int64 = 0
        let status = archive_read_next_header(reader, &entry)
        if status == ARCHIVE_EOF {
            throw ArchiveError(.invalidArchive, "the tarball is empty")
        }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw failure("read the tarball") }
        while true {
            var block: UnsafeRawPointer?
            var count = 0
            var offset: la_int64_t = 0
            let result = archive_read_data_block(reader, &block, &count, &offset)
            if result == ARCHIVE_EOF { break }
            guard result == ARCHIVE_OK || result == ARCHIVE_WARN else { throw failure("decompress the tarball") }
            let bytes = UnsafeRawBufferPointer(start: block, count: count)
            hasher.update(bufferPointer: bytes)
            do throws(OSError) { try writeFully(output, bytes) } catch { throw ArchiveError(.io, "write the decompressed tarball", cause: error) }
            size += Int64(count)
        }
        return LayerWriteResult(diffID: SwdockOCI.Digest(sha256Hex: hasher.finalize().hexString), size: size, entryCount: 0)
    }
}
