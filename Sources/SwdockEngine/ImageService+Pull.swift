import Foundation
import CSwdockSys
import SwdockArchive
import SwdockContent
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockRegistry
import SwdockSnapshot

/// One progress message of a pull, as dockerd's JSON stream carries it.
public struct PullProgress: Sendable, Equatable {
    public var status: String
    /// The layer's short ID (12 hex of the compressed digest), the tag for "Pulling from", or nil.
    public var id: String?
    /// Whether the message is about a layer (dockerd then sends `progressDetail`, `{}` when empty).
    public var isLayer: Bool
    public var current: Int64?
    public var total: Int64?

    public init(status: String, id: String? = nil, isLayer: Bool = false, current: Int64? = nil, total: Int64? = nil) {
        self.status = status
        self.id = id
        self.isLayer = isLayer
        self.current = current
        self.total = total
    }
}

/// What a pull recorded.
public struct PullOutcome: Sendable {
    public var imageID: String
    /// The normalised reference pulled (`docker.io/library/busybox:latest`).
    public var reference: String
    /// The reference's repository digest (`sha256:…`, the index's when multi-platform).
    public var digest: String
    /// False when the image was already present under this reference ("Image is up to date").
    public var downloadedNewer: Bool
}

extension ImageService {
    /// Pulls `reference` (a tag or a digest; a missing tag means `latest`) for `platform` (default
    /// the host's) with optional credentials (from `X-Registry-Auth`), unpacking every layer
    /// into a snapshot as it downloads, and records the image. `progress` gets dockerd's
    /// messages in order, from any thread.
    public func pull(_ referenceText: String, platform: Platform? = nil, credential: RegistryCredential? = nil,
                     progress: @escaping @Sendable (PullProgress) -> Void = { _ in }) async throws(EngineError) -> PullOutcome {
        try await pull(referenceText, platform: platform, credential: credential, reportStatus: true, progress: progress)
    }

    /// `reportStatus` false leaves out the closing "Status: …" line (an all-tags pull writes one
    /// for the whole repository).
    func pull(_ referenceText: String, platform: Platform?, credential: RegistryCredential?, reportStatus: Bool,
              progress: @escaping @Sendable (PullProgress) -> Void) async throws(EngineError) -> PullOutcome {
        let parsed: Reference
        do { parsed = try Reference(parsing: referenceText) } catch {
            throw EngineError(.invalidArgument, error.message)
        }
        let reference = parsed.digest != nil ? Reference(domain: parsed.domain, path: parsed.path, digest: parsed.digest)
                                             : parsed.normalizedForPull
        do {
            return try await gate.withShared { () async throws(EngineError) -> PullOutcome in
                try await pullLocked(reference, platform: platform, credential: credential, reportStatus: reportStatus,
                                     progress: progress)
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, "pull \(reference.familiarString)", cause: ErrorDescription(error))
        }
    }

    private func pullLocked(_ reference: Reference, platform: Platform?, credential: RegistryCredential?,
                            reportStatus: Bool, progress: @escaping @Sendable (PullProgress) -> Void) async throws(EngineError) -> PullOutcome {
        let client: RegistryClient
        if let credential {
            client = RegistryClient(configuration: registry, credentials: StaticCredentials([reference.domain: credential]))
        } else {
            client = self.client
        }
        let puller = ImagePuller(client: client, store: content)
        let reporter = PullReporter(reference: reference, service: self, limit: registry.maxConcurrentDownloads, emit: progress)
        let unpacker = LayerUnpacker(service: self, reporter: reporter)
        let result: PullResult
        do {
            result = try await puller.pull(reference, options: PullOptions(platform: platform, layerConsumer: unpacker)) { event in
                reporter.handle(event, unpacker: unpacker)
            }
        } catch {
            unpacker.discardAll()
            throw Self.pullError(error, reference)
        }
        let diffIDs = result.config.rootfs.diffIDs
        let chainIDs = ChainID.compute(diffIDs)
        do {
            try await unpacker.finish(layers: result.layers, diffIDs: diffIDs, chainIDs: chainIDs)
        } catch {
            unpacker.discardAll()
            throw error
        }
        var size: Int64 = 0
        for chain in chainIDs { size += (try? snapshotter.usage(chain.description).size) ?? 0 }

        let imageID = result.configDigest.description
        let repositoryDigest = Reference(domain: reference.domain, path: reference.path, digest: result.repositoryDigest).description
        let tag = reference.tag.map { _ in reference.description }
        let created = Self.parseCreated(result.config.created) ?? Int64(Date().timeIntervalSince1970 * 1e9)
        let record = ImageRecord(id: imageID, manifestDigest: result.manifestDigest.description,
                                 configDigest: imageID, createdNanoseconds: created, size: size)
        let upToDate = try metadata("record image \(imageID) for \(reference.familiarString)", write: true) { c -> Bool in
            let previous = try tag.flatMap { try c.imageID(forTag: $0) }
            let existed = try c.image(id: imageID) != nil
            try c.upsertImage(record)
            if let tag { try c.setTag(tag, imageID: imageID) }
            try c.addDigestReference(repositoryDigest, imageID: imageID)
            return existed && (tag == nil ? true : previous == imageID)
        }
        progress(PullProgress(status: "Digest: \(result.repositoryDigest)"))
        if reportStatus { progress(PullProgress(status: upToDate ? "Status: Image is up to date for \(reference.familiarString)"
                                               : "Status: Downloaded newer image for \(reference.familiarString)")) }
        return PullOutcome(imageID: imageID, reference: reference.description, digest: result.repositoryDigest.description,
                           downloadedNewer: !upToDate)
    }

    /// dockerd's words for registry failures (distribution's `translatePullError`).
    static func pullError(_ error: RegistryError, _ reference: Reference) -> EngineError {
        let detail = error.details.first.map(\.rendered) ?? error.message
        switch error.code {
        case .manifestUnknown, .notFound:
            return EngineError(.notFound, error.message.hasPrefix("manifest for") ? error.message
                               : "manifest for \(reference.familiarString) not found: \(detail)", cause: error)
        case .nameUnknown:
            return EngineError(.notFound, "repository \(reference.familiarName) not found: \(detail)", cause: error)
        case .denied:
            return EngineError(.notFound, "pull access denied for \(reference.familiarName), repository does not exist or may require 'docker login': \(detail)", cause: error)
        case .unauthorized:
            return EngineError(.system, error.details.isEmpty ? "unauthorized: \(error.message)" : detail, cause: error)
        case .noMatchingPlatform:
            return EngineError(.notFound, error.message, cause: error)
        case .invalidArgument:
            return EngineError(.invalidArgument, error.message, cause: error)
        default:
            return EngineError(.system, error.description)
        }
    }

    /// Nanoseconds since the epoch of an RFC 3339 `created` (fractional seconds of any length).
    static func parseCreated(_ text: String?) -> Int64? {
        guard var text, !text.isEmpty else { return nil }
        var fraction: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let digitsEnd = text[text.index(after: dot)...].firstIndex { !$0.isNumber } ?? text.endIndex
            let digits = String(text[text.index(after: dot)..<digitsEnd].prefix(9))
            fraction = (Int64(digits) ?? 0) * Int64(pow(10, Double(9 - digits.count)))
            text = String(text[..<dot]) + String(text[digitsEnd...])
        }
        guard let date = ISO8601DateFormatter().date(from: text) else { return nil }
        return Int64(date.timeIntervalSince1970) * 1_000_000_000 + fraction
    }
}

/// Turns puller events into dockerd's progress messages, in dockerd's order.
final class PullReporter: Sendable {
    private struct State {
        var layersAnnounced = false
        var alreadyPresent = false
        var lastReported: [Digest: Int64] = [:]
        var skipped: Set<Digest> = []
    }
    let reference: Reference
    let limit: Int
    private let emitLock = NSLock()
    private let emitter: @Sendable (PullProgress) -> Void
    private let state = Locked(State())
    private unowned let service: ImageService

    init(reference: Reference, service: ImageService, limit: Int, emit: @escaping @Sendable (PullProgress) -> Void) {
        self.reference = reference
        self.service = service
        self.limit = limit
        emitter = emit
    }

    /// Messages leave in one order even when downloads report from several threads.
    func emit(_ message: PullProgress) {
        emitLock.lock()
        defer { emitLock.unlock() }
        emitter(message)
    }

    static func shortID(_ digest: Digest) -> String { String(digest.encoded.prefix(12)) }

    func layer(_ digest: Digest, _ status: String, current: Int64? = nil, total: Int64? = nil) {
        if state.withLock({ $0.skipped.contains(digest) }) { return }
        emit(PullProgress(status: status, id: Self.shortID(digest), isLayer: true, current: current, total: total))
    }

    func handle(_ event: PullEvent, unpacker: LayerUnpacker) {
        switch event {
        case .resolved(_, _, _, let config, let layers):
            unpacker.setConfig(config.digest)
            emit(PullProgress(status: "Pulling from \(reference.path)", id: reference.tag ?? reference.digest?.description))
            // An image already here with its layers says nothing about layers (dockerd's 3-line answer).
            let present = service.imageIsComplete(configDigest: config.digest)
            var waiting = 0
            var seen = Set<Digest>()
            for layer in layers where seen.insert(layer.digest).inserted {
                if present { state.withLock { _ = $0.skipped.insert(layer.digest) }; continue }
                if service.content.contains(layer.digest) {
                    self.layer(layer.digest, "Already exists")
                    state.withLock { _ = $0.skipped.insert(layer.digest) }
                    continue
                }
                self.layer(layer.digest, "Pulling fs layer")
                waiting += 1
            }
            if !present {
                var index = 0
                seen = []
                for layer in layers where seen.insert(layer.digest).inserted && !state.withLock({ $0.skipped.contains(layer.digest) }) {
                    if index >= limit { self.layer(layer.digest, "Waiting") }
                    index += 1
                }
            }
            _ = waiting
        case .layerAlreadyExists:
            break
        case .layerStarted:
            break
        case .layerProgress(let layer, let current, let total):
            let report = state.withLock { s -> Bool in
                let last = s.lastReported[layer.digest] ?? -1
                let step = max(total / 100, 256 * 1024)
                guard current >= total || current - last >= step else { return false }
                s.lastReported[layer.digest] = current
                return true
            }
            if report { self.layer(layer.digest, "Downloading", current: current, total: total) }
        case .layerVerified(let layer):
            self.layer(layer.digest, "Verifying Checksum")
            self.layer(layer.digest, "Download complete")
        case .done:
            break
        }
    }
}

extension ImageService {
    /// Whether an image with this config is recorded and its top snapshot exists.
    func imageIsComplete(configDigest: Digest) -> Bool {
        guard let image = try? storedImage(id: configDigest.description) else { return false }
        guard let top = image.chainIDs.last else { return true }
        return (try? snapshotter.stat(top.description)) != nil
    }
}

/// Unpacks layers into snapshots while they download (the puller's tee), and afterwards
/// commits them in order onto their parents, applying from the store whatever did not stream.
///
/// With a `LayerStackingSnapshotter` (overlay) every layer streams into an active snapshot of
/// its own at once, so layers unpack in parallel as they download; they are stacked onto their
/// parents at commit. With other snapshotters a layer streams only when its parent is already
/// committed (otherwise it is applied from the store afterwards, in order), so no download
/// ever waits for another layer.
final class LayerUnpacker: LayerStreamConsumer, Sendable {
    struct Stream: Sendable {
        var key: String
        /// Set when the extraction thread ends.
        var result: Result<LayerApplyResult, ArchiveError>?
        var downloadError: String?
        var downloadEnded = false
    }

    private unowned let service: ImageService
    private let reporter: PullReporter
    private let streams = Locked<[Int: Stream]>([:])
    private let finished = Locked<[Int: [CheckedContinuation<Void, Never>]]>([:])
    /// Filled at `.resolved`-time lazily from the config: the diffIDs are needed to name parents.
    private let plan = Locked<(diffIDs: [Digest], chainIDs: [Digest])?>(nil)

    init(service: ImageService, reporter: PullReporter) {
        self.service = service
        self.reporter = reporter
    }

    var snapshotter: any Snapshotter { service.snapshotter }

    private let configDigest = Locked<Digest?>(nil)

    /// Called at `.resolved`: the puller stores this config before any layer download starts.
    func setConfig(_ digest: Digest) { configDigest.withLock { $0 = digest } }

    func beginLayer(_ layer: Descriptor, index: Int) throws -> FileDescriptor? {
        guard let (diffIDs, chainIDs) = plan.withLock({ $0 }) ?? loadPlan(), index < chainIDs.count else { return nil }
        if (try? snapshotter.stat(chainIDs[index].description)) != nil { return nil }
        let stacking = snapshotter is any LayerStackingSnapshotter
        let parent: String? = index == 0 ? nil : chainIDs[index - 1].description
        if !stacking, let parent, (try? snapshotter.stat(parent))?.kind != .committed { return nil }
        // A retried layer starts over in a fresh snapshot.
        if let old = streams.withLock({ $0.removeValue(forKey: index) }) { try? snapshotter.remove(old.key) }
        let key = ImageService.unpackKeyPrefix + UUID().uuidString.lowercased()
        _ = try snapshotter.prepare(key, parent: stacking ? nil : parent, labels: ["swdock.layer": layer.digest.description])
        let target: SnapshotWriteTarget
        let pipe: (read: FileDescriptor, write: FileDescriptor)
        do {
            target = try snapshotter.writeTarget(key)
            pipe = try FileDescriptor.pipe()
        } catch {
            try? snapshotter.remove(key)
            throw error
        }
        // A bigger pipe means fewer wake-ups between the download and the extraction thread.
        _ = swdock_fcntl_int(pipe.write.rawValue, 1031 /* F_SETPIPE_SZ */, 1 << 20)
        streams.withLock { $0[index] = Stream(key: key) }
        let options = LayerApplyOptions(target: target.layerTarget, expectedDiffID: diffIDs[index])
        let thread = Thread { [self] in
            let result: Result<LayerApplyResult, ArchiveError>
            do throws(ArchiveError) {
                result = .success(try LayerApplier.apply(from: pipe.read, into: target.path, options: options))
            } catch {
                result = .failure(error)
            }
            pipe.read.close()
            streams.withLock { if $0[index]?.key == key { $0[index]?.result = result } }
            let waiters = finished.withLock { $0.removeValue(forKey: index) ?? [] }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = "unpack \(index)"
        thread.start()
        return pipe.write
    }

    func endLayer(_ layer: Descriptor, index: Int, error: RegistryError?) {
        streams.withLock {
            $0[index]?.downloadEnded = true
            $0[index]?.downloadError = error.map(\.description)
        }
    }

    /// The diffIDs and chain IDs from the config blob, read once.
    private func loadPlan() -> (diffIDs: [Digest], chainIDs: [Digest])? {
        guard let digest = configDigest.withLock({ $0 }), let bytes = try? service.content.read(digest),
              let config = try? JSONDecoder().decode(ImageConfig.self, from: Data(bytes)) else { return nil }
        let diffIDs = config.rootfs.diffIDs
        let loaded = (diffIDs: diffIDs, chainIDs: ChainID.compute(diffIDs))
        plan.withLock { $0 = loaded }
        return loaded
    }

    private func waitForStream(_ index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = streams.withLock { s -> Bool in
                guard let stream = s[index] else { return true }
                if stream.result != nil { return true }
                finished.withLock { $0[index, default: []].append(continuation) }
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Commits every layer in order (diffIDs checked), applying from the store the ones that
    /// did not stream or whose stream failed.
    func finish(layers: [Descriptor], diffIDs: [Digest], chainIDs: [Digest]) async throws(EngineError) {
        for (index, layer) in layers.enumerated() {
            let chain = chainIDs[index].description
            let parent = index == 0 ? nil : chainIDs[index - 1].description
            await waitForStream(index)
            let stream = streams.withLock { $0.removeValue(forKey: index) }
            if (try? snapshotter.stat(chain)) != nil {
                // Already here (an earlier image, or a concurrent pull that was quicker).
                if let stream { try? snapshotter.remove(stream.key) }
                continue
            }
            var committedFromStream = false
            if let stream, case .success(let applied)? = stream.result, stream.downloadEnded, stream.downloadError == nil {
                reporter.layer(layer.digest, "Extracting", current: applied.compressedSize, total: layer.size)
                committedFromStream = try commit(stream.key, as: chain, parent: parent, stacked: true)
            } else if let stream {
                try? snapshotter.remove(stream.key)
            }
            if !committedFromStream {
                try await applyFromStore(layer, index: index, diffID: diffIDs[index], chain: chain, parent: parent)
            }
            reporter.layer(layer.digest, "Pull complete")
        }
    }

    /// Commits `key` as `chain`; false when a concurrent pull committed `chain` first.
    private func commit(_ key: String, as chain: String, parent: String?, stacked: Bool) throws(EngineError) -> Bool {
        do {
            if stacked, let stacking = snapshotter as? any LayerStackingSnapshotter {
                try stacking.commit(chain, key: key, onto: parent, labels: [:])
            } else {
                try snapshotter.commit(chain, key: key)
            }
            return true
        } catch {
            try? snapshotter.remove(key)
            if error.code == .alreadyExists { return true }
            throw EngineError(.system, "commit layer snapshot \(chain)", cause: error)
        }
    }

    private func applyFromStore(_ layer: Descriptor, index: Int, diffID: Digest, chain: String, parent: String?) async throws(EngineError) {
        let key = ImageService.unpackKeyPrefix + UUID().uuidString.lowercased()
        let blobPath = service.content.path(of: layer.digest)
        let snapshotter = self.snapshotter
        do {
            _ = try snapshotter.prepare(key, parent: parent, labels: ["swdock.layer": layer.digest.description])
            let target = try snapshotter.writeTarget(key)
            let applied = try await onThread("unpack \(index)") {
                try LayerApplier.apply(file: blobPath, into: target.path,
                                       options: LayerApplyOptions(target: target.layerTarget, expectedDiffID: diffID))
            }
            reporter.layer(layer.digest, "Extracting", current: applied.compressedSize, total: layer.size)
        } catch {
            try? snapshotter.remove(key)
            throw EngineError(.system, "unpack layer \(layer.digest) (diffID \(diffID))", cause: ErrorDescription(error))
        }
        _ = try commit(key, as: chain, parent: parent, stacked: false)
    }

    /// Removes every snapshot this pull left active (after a failure).
    func discardAll() {
        let all = streams.withLock { s -> [Stream] in
            let values = Array(s.values)
            s = [:]
            return values
        }
        for stream in all { try? snapshotter.remove(stream.key) }
    }
}

extension SnapshotWriteTarget {
    var path: String {
        switch self {
        case .layerDirectory(let path), .fullTree(let path): return path
        }
    }

    var layerTarget: LayerTarget {
        switch self {
        case .layerDirectory: return .overlayLayer
        case .fullTree: return .mergedTree
        }
    }
}
