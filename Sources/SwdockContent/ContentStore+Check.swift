#if canImport(Glibc)
import Glibc
#endif
import struct Crypto.SHA256
import SwdockOCI
import SwdockOS

/// What `ContentStore.check` found.
public struct ContentCheckReport: Sendable, CustomStringConvertible {
    /// A blob whose bytes do not hash to its name, or a file under `blobs/` that is no blob.
    public struct BadBlob: Sendable, Hashable {
        public let name: String
        public let problem: String
    }
    /// An ingest nobody is writing: `stale` ones cannot be resumed (or are no longer needed).
    public struct Ingest: Sendable, Hashable {
        public let ref: String
        public let digest: Digest?
        public let bytes: Int64
        public let stale: Bool
        public let reason: String
    }

    public var blobsChecked = 0
    public var bytesChecked: Int64 = 0
    public var bad: [BadBlob] = []
    public var ingests: [Ingest] = []
    /// Names of what was removed (with `repair`).
    public var removed: [String] = []

    /// True when every blob verified and no stale ingest was left.
    public var isClean: Bool { bad.isEmpty && !ingests.contains(where: \.stale) }

    public var description: String {
        var lines = ["checked \(blobsChecked) blobs (\(bytesChecked) bytes): \(bad.count) bad"]
        lines += bad.map { "bad blob \($0.name): \($0.problem)" }
        lines += ingests.map { "\($0.stale ? "stale" : "resumable") ingest \($0.ref): \($0.reason)" }
        lines += removed.map { "removed \($0)" }
        return lines.joined(separator: "\n")
    }
}

extension ContentStore {
    /// Re-hashes every blob and looks at every ingest not locked by a writer.
    ///
    /// With `repair`, bad blobs and stale ingests are removed (a stale ingest is one whose blob
    /// already exists, whose record is unreadable, or that is longer than its declared size).
    /// Resumable ingests are kept unless `removeResumable` is also set.
    public func check(repair: Bool = false, removeResumable: Bool = false) throws(ContentError) -> ContentCheckReport {
        var report = ContentCheckReport()
        let names: [String]
        do { names = try FileSystem.directoryEntries(blobsDirectory) } catch { throw .io("list blobs", error) }
        for name in names.sorted() {
            let path = blobsDirectory + "/" + name
            var problem: String?
            if let digest = try? Digest(parsing: "sha256:" + name) {
                do {
                    let (actual, size) = try ContentStore.hashFile(path)
                    report.blobsChecked += 1
                    report.bytesChecked += size
                    if actual != digest { problem = "content has digest \(actual)" }
                } catch {
                    problem = "unreadable: \(error)"
                }
            } else {
                problem = "not a sha256 blob name"
            }
            if let problem {
                report.bad.append(.init(name: name, problem: problem))
                if repair, (try? FileSystem.removeTree(path)) != nil { report.removed.append("blob \(name)") }
            }
        }
        if repair, !report.removed.isEmpty { try? FileSystem.syncDirectory(blobsDirectory) }

        let ingestNames: [String]
        do { ingestNames = try FileSystem.directoryEntries(ingestDirectory) } catch { throw .io("list ingests", error) }
        for ref in ingestNames.sorted() {
            let path = ingestDirectory + "/" + ref
            guard let fd = try? FileDescriptor.open(path, O_RDONLY) else { continue }
            defer { fd.close() }
            // A writer holds it: in use, not ours to judge.
            guard lockFile(fd.rawValue, LOCK_EX | LOCK_NB) == 0 else { continue }
            let text = (try? FileSystem.readFile(path + "/ref")).map { String(decoding: $0, as: UTF8.self) }
            let digest = text.flatMap { try? Digest(parsing: $0.trimmingCharacters(in: "\n ")) }
            let total = (try? FileSystem.readFile(path + "/total"))
                .flatMap { Int64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: "\n ")) }
            let bytes = ((try? FileSystem.status(path + "/data")) ?? nil).map { Int64($0.st_size) } ?? 0
            var stale = true
            var reason: String
            if let digest {
                if contains(digest) {
                    reason = "blob \(digest) is already stored"
                } else if let total, bytes > total {
                    reason = "\(bytes) bytes written, more than the declared \(total)"
                } else {
                    stale = false
                    reason = "\(bytes) of \(total.map(String.init) ?? "?") bytes of \(digest)"
                }
            } else {
                reason = "no readable ref record"
            }
            report.ingests.append(.init(ref: ref, digest: digest, bytes: bytes, stale: stale, reason: reason))
            if repair, stale || removeResumable, (try? FileSystem.removeTree(path)) != nil {
                report.removed.append("ingest \(ref)")
            }
        }
        return report
    }

    /// sha256 and size of a file, read in 1 MiB chunks.
    static func hashFile(_ path: String) throws(OSError) -> (Digest, Int64) {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let n = try sys("read", "\"\(path)\"") { Glibc.read(fd.rawValue, buffer.baseAddress, buffer.count) }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += Int64(n)
        }
        return (Digest(sha256Hex: hasher.finalize().hexString), size)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
