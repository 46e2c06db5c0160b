import SwdockOCI
import SwdockOS

extension LayerApplier {
    /// Writes the uncompressed tar stream of the layer blob read from `input` (gzip, zstd or
    /// none, told from the bytes) to `output`, and returns its diffID: for `docker save`,
    /// which carries layers as plain tars.
    public static func decompress(from input: FileDescriptor, to output: FileDescriptor) throws(ArchiveError) -> LayerApplyResult {
        let stream = try UncompressedStream(input: input)
        while true {
            let block = try stream.next()
            if block.count == 0 { break }
            do { try output.writeAll(block) } catch {
                throw ArchiveError(.io, "write uncompressed layer", cause: error)
            }
        }
        let diffID: Digest
        do { diffID = try Digest(parsing: "sha256:" + stream.digestHex()) } catch {
            throw ArchiveError(.io, "compute diffID", cause: error)
        }
        return LayerApplyResult(diffID: diffID, compression: stream.compression, compressedSize: stream.compressedBytes,
                                uncompressedSize: stream.uncompressedBytes, entryCount: 0)
    }
}
