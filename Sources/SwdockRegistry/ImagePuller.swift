import Foundation
import SwdockContent
import SwdockOCI
import SwdockOS

/// Receives the bytes of each layer while it downloads, for unpacking in the same pass.
///
/// Contract:
/// - `beginLayer` is called on a download thread just before the layer's download starts, only
///   for layers this pull downloads itself (not for layers already stored or being fetched by
///   another pull: those come as `.layerAlreadyExists`, read them from the store).
/// - If it returns a file descriptor (usually the write end of a pipe whose read end the
///   consumer reads, e.g. with libarchive, on its own thread), the puller writes the layer's
///   bytes to it exactly as stored (still compressed), in order from byte 0 to the end (bytes
///   resumed from an interrupted earlier download are re-read from disk and sent first), and
///   closes it when the download ends, successfully or not. The puller owns the descriptor from
///   the moment it is returned. Writes block while the pipe is full: a slow consumer slows the
///   download; a consumer that closes its end early gets nothing more (EPIPE is not fatal).
/// - The bytes are only trustworthy once `endLayer` reports success (size and digest verified,
///   the blob committed). On failure the consumer must throw away what it produced. A layer may
///   be attempted again after a failure (then `beginLayer` is called again).
public protocol LayerStreamConsumer: Sendable {
    func beginLayer(_ layer: Descriptor, index: Int) throws -> FileDescriptor?
    func endLayer(_ layer: Descriptor, index: Int, error: RegistryError?)
}

/// What a pull reports while it runs (from any thread; handlers must be thread-safe).
public enum PullEvent: Sendable {
    /// The reference was resolved to a platform manifest.
    case resolved(reference: Reference, manifestDigest: Digest, indexDigest: Digest?, config: Descriptor, layers: [Descriptor])
    case layerAlreadyExists(Descriptor)
    case layerStarted(Descriptor)
    case layerProgress(Descriptor, current: Int64, total: Int64)
    /// Size and digest checked, committed to the store ("Verifying Checksum", "Download complete").
    case layerVerified(Descriptor)
    case done(PullResult)
}

/// The outcome of a pull: what the engine records as an image.
public struct PullResult: Sendable {
    /// The reference pulled, normalised (`docker.io/library/busybox:latest`).
    public let reference: Reference
    /// Where it came from (a mirror or the registry).
    public let endpoint: RegistryEndpoint
    /// Digest of what the reference points at (the index when multi-platform): Docker's RepoDigest.
    public let repositoryDigest: Digest
    /// Digest of the platform manifest that was pulled.
    public let manifestDigest: Digest
    public let manifestMediaType: String
    public let indexDigest: Digest?
    public let manifest: ImageManifest
    /// The config blob's digest: Docker's image ID.
    public let configDigest: Digest
    public let config: ImageConfig
    public let layers: [Descriptor]
    /// Bytes downloaded for layers in this pull (0 when everything was present).
    public let bytesDownloaded: Int64
}

/// Options of one pull.
public struct PullOptions: Sendable {
    /// The platform to pick from an index (default: this host's).
    public var platform: Platform?
    /// Parallel layer downloads (default: the client's `maxConcurrentDownloads`).
    public var maxConcurrentDownloads: Int?
    public var layerConsumer: (any LayerStreamConsumer)?

    public init(platform: Platform? = nil, maxConcurrentDownloads: Int? = nil, layerConsumer: (any LayerStreamConsumer)? = nil) {
        self.platform = platform
        self.maxConcurrentDownloads = maxConcurrentDownloads
        self.layerConsumer = layerConsumer
    }
}

/// Pulls an image: reference → (index →) manifest → config → layers, into a content store.
public struct ImagePuller: Sendable {
    public let client: RegistryClient
    public let store: ContentStore

    public init(client: RegistryClient, store: ContentStore) {
        self.client = client
        self.store = store
    }

    /// Pulls `reference` (a default `latest` tag is added). Manifests, config and layers end up
    /// in the store, verified. Endpoints (mirrors, then the registry) are tried in order until
    /// one resolves the reference.
    public func pull(_ reference: Reference, options: PullOptions = PullOptions(),
                     events: @escaping @Sendable (PullEvent) -> Void = { _ in }) async throws(RegistryError) -> PullResult {
        let reference = reference.normalizedForPull
        let endpoints = client.configuration.endpoints(for: reference.domain)
        var lastError: RegistryError?
        for endpoint in endpoints {
            let repository = RegistryRepository(endpoint: endpoint, path: reference.path)
            let resolved: Resolved
            do {
                resolved = try await resolve(reference, repository, platform: options.platform ?? .host)
            } catch {
                lastError = error
                // A mirror's failure falls through to the next endpoint, as Docker does.
                if endpoint.isMirror { continue }
                throw error
            }
            return try await fetchContent(reference, repository, resolved, options: options, events: events)
        }
        throw lastError ?? RegistryError(.invalidArgument, "pull \(reference): no endpoint")
    }

    /// The same pull as an event stream; the last event is `.done` unless the stream throws.
    public func pullEvents(_ reference: Reference, options: PullOptions = PullOptions()) -> AsyncThrowingStream<PullEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    _ = try await pull(reference, options: options) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    struct Resolved: Sendable {
        let top: FetchedManifest
        let manifest: FetchedManifest
        let decoded: ImageManifest
    }

    func resolve(_ reference: Reference, _ repository: RegistryRepository,
                 platform: Platform) async throws(RegistryError) -> Resolved {
        let top: FetchedManifest
        do {
            top = try await client.fetchManifest(repository, reference: reference.manifestReference)
        } catch {
            if error.code == .manifestUnknown || error.code == .notFound {
                let text = error.details.map(\.rendered).joined(separator: "; ")
                throw RegistryError(error.code, "manifest for \(reference.familiarString) not found: \(text.isEmpty ? "manifest unknown" : text)",
                                    httpStatus: error.httpStatus, details: error.details)
            }
            throw error
        }
        var manifest = top
        switch top.kind {
        case .schema1:
            throw schema1Error(reference)
        case .index:
            let index: ImageIndex
            do { index = try JSONDecoder().decode(ImageIndex.self, from: Data(top.bytes)) } catch {
                throw RegistryError(.badResponse, "decode index \(top.digest) of \(reference)", cause: ErrorText(error))
            }
            guard let chosen = index.manifests(matching: .only(platform)).first else {
                throw RegistryError(.noMatchingPlatform,
                                    "no matching manifest for \(platform) in the manifest list entries")
            }
            manifest = try await client.fetchManifest(repository, reference: chosen.digest.description)
            if manifest.kind == .schema1 { throw schema1Error(reference) }
            guard manifest.kind == .manifest else {
                throw RegistryError(.unsupported, "not supported: index \(top.digest) of \(reference) points at another index")
            }
        case .manifest:
            break
        }
        let decoded: ImageManifest
        do { decoded = try JSONDecoder().decode(ImageManifest.self, from: Data(manifest.bytes)) } catch {
            throw RegistryError(.badResponse, "decode manifest \(manifest.digest) of \(reference)", cause: ErrorText(error))
        }
        for layer in decoded.layers where !MediaType.isLayer(layer.mediaType) {
            throw RegistryError(.unsupported, "not supported: layer media type \(layer.mediaType) in manifest \(manifest.digest) of \(reference)")
        }
        return Resolved(top: top, manifest: manifest, decoded: decoded)
    }

    func schema1Error(_ reference: Reference) -> RegistryError {
        RegistryError(.unsupported,
                      "not supported: \(reference.familiarString) is a Docker Image manifest version 2, schema 1 image; "
                          + "schema 1 support was removed: push it again with a current client (OCI or Docker schema 2)")
    }

    func storeBytes(_ bytes: [UInt8], _ digest: Digest, what: String) throws(RegistryError) {
        do { try store.write(bytes, expected: digest) } catch {
            throw RegistryError(.content, "store \(what) \(digest)", cause: error)
        }
    }

    func fetchContent(_ reference: Reference, _ repository: RegistryRepository, _ resolved: Resolved,
                      options: PullOptions, events: @escaping @Sendable (PullEvent) -> Void) async throws(RegistryError) -> PullResult {
        let manifest = resolved.decoded
        let indexDigest = resolved.top.kind == .index ? resolved.top.digest : nil
        events(.resolved(reference: reference, manifestDigest: resolved.manifest.digest, indexDigest: indexDigest,
                         config: manifest.config, layers: manifest.layers))

        // Config first: it is small and says whether the layers are what the image expects.
        let configBytes: [UInt8]
        if store.contains(manifest.config.digest) {
            do { configBytes = try store.read(manifest.config.digest) } catch {
                throw RegistryError(.content, "read config \(manifest.config.digest)", cause: error)
            }
        } else {
            configBytes = try await client.fetchBlobBytes(repository, manifest.config)
            try storeBytes(configBytes, manifest.config.digest, what: "config")
        }
        let config: ImageConfig
        do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) } catch {
            throw RegistryError(.badResponse, "decode config \(manifest.config.digest) of \(reference)", cause: ErrorText(error))
        }
        if config.rootfs.diffIDs.count != manifest.layers.count {
            throw RegistryError(.badResponse, "manifest \(resolved.manifest.digest) of \(reference) has \(manifest.layers.count) layers, its config lists \(config.rootfs.diffIDs.count)")
        }

        let downloaded = try await fetchLayers(repository, manifest.layers, options: options, events: events)

        // Manifests last: a manifest in the store means its content is complete.
        try storeBytes(resolved.manifest.bytes, resolved.manifest.digest, what: "manifest")
        if resolved.top.kind == .index { try storeBytes(resolved.top.bytes, resolved.top.digest, what: "index") }

        let result = PullResult(reference: reference, endpoint: repository.endpoint, repositoryDigest: resolved.top.digest,
                                manifestDigest: resolved.manifest.digest, manifestMediaType: resolved.manifest.mediaType,
                                indexDigest: indexDigest, manifest: manifest, configDigest: manifest.config.digest,
                                config: config, layers: manifest.layers, bytesDownloaded: downloaded)
        events(.done(result))
        return result
    }

    /// Downloads the layers with at most `maxConcurrentDownloads` in flight, in manifest order.
    func fetchLayers(_ repository: RegistryRepository, _ layers: [Descriptor], options: PullOptions,
                     events: @escaping @Sendable (PullEvent) -> Void) async throws(RegistryError) -> Int64 {
        let limit = max(1, options.maxConcurrentDownloads ?? client.configuration.maxConcurrentDownloads)
        var seen = Set<Digest>()
        let work = layers.enumerated().filter { seen.insert($0.element.digest).inserted }
        do {
            return try await withThrowingTaskGroup(of: Int64.self) { group in
                var next = 0
                var total: Int64 = 0
                func startNext() {
                    guard next < work.count else { return }
                    let (index, layer) = work[next]
                    next += 1
                    group.addTask {
                        try await fetchLayer(repository, layer, index: index, consumer: options.layerConsumer, events: events)
                    }
                }
                for _ in 0..<min(limit, work.count) { startNext() }
                while let bytes = try await group.next() {
                    total += bytes
                    startNext()
                }
                return total
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.cancelled, "pull of \(repository) cancelled", cause: ErrorText(error))
        }
    }

    /// One layer: skip if stored, join a running fetch of it, or download it (with the consumer's tee).
    func fetchLayer(_ repository: RegistryRepository, _ layer: Descriptor, index: Int,
                    consumer: (any LayerStreamConsumer)?, events: @escaping @Sendable (PullEvent) -> Void) async throws -> Int64 {
        if store.contains(layer.digest) {
            events(.layerAlreadyExists(layer))
            return 0
        }
        let counter = Locked<Int64>(0)
        let client = self.client, store = self.store
        let outcome = try await store.fetches.fetch(layer.digest) {
            // A download that resumed a damaged prefix from an earlier run fails verification:
            // the ingest is gone then, so one more attempt starts from byte 0.
            for round in 0..<2 {
                events(.layerStarted(layer))
                let tee: FileDescriptor?
                do { tee = try consumer?.beginLayer(layer, index: index) } catch {
                    throw RegistryError(.invalidArgument, "layer consumer refused \(layer.digest)", cause: ErrorText(error))
                }
                do throws(RegistryError) {
                    let result = try await client.fetchBlob(repository, layer, into: store, tee: tee) { current, total in
                        events(.layerProgress(layer, current: current, total: total))
                    }
                    consumer?.endLayer(layer, index: index, error: nil)
                    counter.withLock { $0 += result.bytesDownloaded }
                    if !result.alreadyExists { events(.layerVerified(layer)) }
                    return
                } catch {
                    consumer?.endLayer(layer, index: index, error: error)
                    if round == 0, error.code == .digestMismatch, resumedPrefix(error) { continue }
                    throw error
                }
            }
        }
        if outcome == .joined { events(.layerAlreadyExists(layer)) }
        return counter.withLock { $0 }
    }

    /// Whether a mismatch came from a fetch that had resumed an earlier ingest (worth one retry).
    func resumedPrefix(_ error: RegistryError) -> Bool { error.message.contains(RegistryClient.resumedMarker) }
}
