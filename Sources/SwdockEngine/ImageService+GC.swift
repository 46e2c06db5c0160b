import Foundation
import SwdockContent
import SwdockMetadata
import SwdockOCI
import SwdockSnapshot

/// What a garbage collection removed.
public struct GarbageReport: Sendable, Equatable {
    /// Snapshot names removed, the top of each stack first.
    public var snapshots: [String] = []
    public var blobs: [String] = []
    public var bytes: Int64 = 0
}

extension ImageService {
    /// Mark and sweep over blobs and snapshots. Live: every recorded image's manifest, config,
    /// layers and the index its digest references name; every chain ID of its layer stack; the
    /// ancestors of every snapshot that is not a pull's unpack snapshot (containers' rootfs).
    /// Everything else goes, including `unpack-*` snapshots (no pull runs during a sweep).
    ///
    /// Waits for running pulls; runs at daemon start to finish what a crash interrupted (a
    /// removal whose records were gone but whose blobs were not, a half-unpacked layer).
    @discardableResult
    public func collectGarbage() async throws(EngineError) -> GarbageReport {
        do {
            return try await gate.withExclusive { () async throws -> GarbageReport in
                try await onThread("image gc") { [self] in try sweep() }
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, "image garbage collection", cause: ErrorDescription(error))
        }
    }

    func sweep() throws(EngineError) -> GarbageReport {
        var report = GarbageReport()
        let images = try allStoredImages()
        var liveBlobs = Set<String>()
        var liveSnapshots = Set<String>()
        for image in images {
            liveBlobs.insert(image.record.configDigest)
            if let manifest = image.record.manifestDigest {
                liveBlobs.insert(manifest)
                if let digest = try? Digest(parsing: manifest), let bytes = try? content.read(digest),
                   let decoded = try? JSONDecoder().decode(ImageManifest.self, from: Data(bytes)) {
                    for layer in decoded.layers { liveBlobs.insert(layer.digest.description) }
                }
            }
            for reference in image.digests {
                if let at = reference.lastIndex(of: "@") { liveBlobs.insert(String(reference[reference.index(after: at)...])) }
            }
            for chain in image.chainIDs { liveSnapshots.insert(chain.description) }
        }

        let snapshots: [SnapshotInfo]
        do { snapshots = try snapshotter.list() } catch { throw EngineError(.system, "list snapshots", cause: error) }
        let byName = Dictionary(uniqueKeysWithValues: snapshots.map { ($0.name, $0) })
        for snapshot in snapshots where snapshot.kind != .committed && !snapshot.name.hasPrefix(Self.unpackKeyPrefix) {
            // A container's rootfs (or another user's view): its whole stack stays.
            liveSnapshots.insert(snapshot.name)
        }
        // Close over parents.
        var pending = Array(liveSnapshots)
        while let name = pending.popLast() {
            if let parent = byName[name]?.parent, liveSnapshots.insert(parent).inserted { pending.append(parent) }
        }
        // Remove leaves first until nothing dead is left.
        var dead = Set(snapshots.map(\.name)).subtracting(liveSnapshots)
        while !dead.isEmpty {
            let parents = Set(dead.compactMap { byName[$0]?.parent })
            let leaves = dead.subtracting(parents).sorted()
            if leaves.isEmpty { break }
            for name in leaves {
                do { try snapshotter.remove(name) } catch {
                    throw EngineError(.system, "remove snapshot \(name)", cause: error)
                }
                dead.remove(name)
                if byName[name]?.kind == .committed { report.snapshots.append(name) }
            }
        }

        let blobs: [SwdockContent.ContentInfo]
        do { blobs = try content.list() } catch { throw EngineError(.system, "list content", cause: error) }
        for blob in blobs where !liveBlobs.contains(blob.digest.description) {
            do { try content.delete(blob.digest) } catch {
                throw EngineError(.system, "remove blob \(blob.digest)", cause: error)
            }
            report.blobs.append(blob.digest.description)
            report.bytes += blob.size
        }
        return report
    }
}
