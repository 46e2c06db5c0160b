import Foundation
import SwdockContent
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockRegistry
import SwdockSnapshot

/// The engine's image side: pulls images from registries into the content store, unpacks
/// their layers into committed snapshots (named by chain ID), keeps the image records (ID =
/// config digest, `repo:tag` and `repo@sha256:` references) and removes what no image or
/// container uses any more.
///
/// ## Consistency
/// Blobs are verified before they become visible (`ContentStore`), snapshots are committed
/// only after a layer's diffID matched the config, and an image's records are written in one
/// transaction after all of its snapshots exist. Removal is the reverse: records first (one
/// transaction), then a sweep that deletes every blob and snapshot no image, container or
/// running pull uses. A kill -9 at any point leaves at worst unreferenced blobs, snapshots or
/// half-unpacked `unpack-*` snapshots; `collectGarbage()` at daemon start deletes them.
///
/// Pulls and sweeps exclude each other (`gate`): pulls run concurrently, a sweep waits for
/// the running pulls to end and new pulls wait for it.
public final class ImageService: ImageResolver, Sendable {
    public let database: Database
    public let content: ContentStore
    public let snapshotter: any Snapshotter
    public let registry: RegistryConfiguration
    public let layout: EngineLayout
    /// The anonymous client shared by pulls without credentials (keeps connections and tokens).
    let client: RegistryClient
    let gate = SharedExclusiveGate()
    /// Decoded configs by image ID (immutable content, so never stale).
    let configCache = Locked<[String: ImageConfig]>([:])

    /// Keys of active snapshots that hold a layer being unpacked.
    static let unpackKeyPrefix = "unpack-"

    public init(database: Database, content: ContentStore, snapshotter: any Snapshotter,
                registry: RegistryConfiguration, layout: EngineLayout) {
        self.database = database
        self.content = content
        self.snapshotter = snapshotter
        self.registry = registry
        self.layout = layout
        client = RegistryClient(configuration: registry)
    }

    // MARK: Records

    /// An image's record with what its blobs say.
    struct StoredImage: Sendable {
        var record: ImageRecord
        var config: ImageConfig
        /// Normalised references (`docker.io/library/busybox:latest`).
        var tags: [String]
        var digests: [String]

        var chainIDs: [Digest] { ChainID.compute(config.rootfs.diffIDs) }
    }

    func config(ofImage record: ImageRecord) throws(EngineError) -> ImageConfig {
        if let cached = configCache.withLock({ $0[record.id] }) { return cached }
        let digest: Digest
        do { digest = try Digest(parsing: record.configDigest) } catch {
            throw EngineError(.system, "image \(record.id): invalid config digest \"\(record.configDigest)\"")
        }
        let bytes: [UInt8]
        do { bytes = try content.read(digest) } catch {
            throw EngineError(.system, "read config of image \(record.id)", cause: error)
        }
        let config: ImageConfig
        do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(bytes)) } catch {
            throw EngineError(.system, "decode config of image \(record.id): \(error)")
        }
        configCache.withLock { $0[record.id] = config }
        return config
    }

    func metadata<T>(_ what: String, write: Bool = false, _ body: (Connection) throws -> T) throws(EngineError) -> T {
        do { return write ? try database.write(body) : try database.read(body) } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, what, cause: ErrorDescription(error))
        }
    }

    func storedImage(id: String) throws(EngineError) -> StoredImage? {
        let found = try metadata("read image \(id)") { c -> (ImageRecord, [String], [String])? in
            guard let record = try c.image(id: id) else { return nil }
            return (record, try c.tags(ofImage: id), try c.digestReferences(ofImage: id))
        }
        guard let (record, tags, digests) = found else { return nil }
        return StoredImage(record: record, config: try config(ofImage: record), tags: tags, digests: digests)
    }

    func allStoredImages() throws(EngineError) -> [StoredImage] {
        let rows = try metadata("list images") { c in
            try c.allImages().map { ($0, try c.tags(ofImage: $0.id), try c.digestReferences(ofImage: $0.id)) }
        }
        var result: [StoredImage] = []
        for (record, tags, digests) in rows {
            result.append(StoredImage(record: record, config: try config(ofImage: record), tags: tags, digests: digests))
        }
        return result
    }

    // MARK: Resolution

    /// The image ID `nameOrID` names, as dockerd's `GetImage`: a full ID (`sha256:…` or bare
    /// 64 hex), a reference (`busybox` means `docker.io/library/busybox:latest`, `repo@sha256:…`),
    /// or a unique ID prefix.
    public func resolveImageID(_ nameOrID: String) throws(EngineError) -> String {
        let notFound = EngineError(.notFound, "No such image: \(Self.displayName(nameOrID))")
        let hex = nameOrID.hasPrefix("sha256:") ? String(nameOrID.dropFirst(7)) : nameOrID
        let isHex = !hex.isEmpty && hex.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        if isHex && hex.utf8.count == 64 {
            let id = "sha256:" + hex
            if try metadata("read image \(id)", { try $0.image(id: id) }) != nil { return id }
            throw notFound
        }
        if !nameOrID.hasPrefix("sha256:"), let reference = try? Reference(parsing: nameOrID) {
            let found: String?
            if let digest = reference.digest {
                let key = Reference(domain: reference.domain, path: reference.path, digest: digest).description
                found = try metadata("look up \(key)") { c in
                    try c.queryOne("SELECT image_id FROM image_digests WHERE reference = ?", [key]) { try $0.string(0) }
                }
            } else {
                let key = reference.normalizedForPull.description
                found = try metadata("look up \(key)") { try $0.imageID(forTag: key) }
            }
            if let found { return found }
        }
        // A short ID: dockerd accepts any unique prefix of the hex ID.
        if isHex {
            let matches = try metadata("look up image ID prefix \(hex)") { c in
                try c.query("SELECT id FROM images WHERE substr(id, 8, ?) = ?", [Int64(hex.utf8.count), hex]) { try $0.string(0) }
            }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 {
                throw EngineError(.invalidArgument, "No such image: \(nameOrID): multiple IDs found with provided prefix")
            }
        }
        throw notFound
    }

    /// How dockerd names a missing image: the familiar reference with its default tag.
    static func displayName(_ nameOrID: String) -> String {
        guard !nameOrID.hasPrefix("sha256:"), let reference = try? Reference(parsing: nameOrID) else { return nameOrID }
        return reference.normalizedForPull.familiarString
    }

    public func resolveImage(_ nameOrID: String) throws(EngineError) -> LocalImage {
        let id = try resolveImageID(nameOrID)
        guard let image = try storedImage(id: id) else { throw EngineError(.notFound, "No such image: \(Self.displayName(nameOrID))") }
        return LocalImage(id: id, config: image.config, chainID: image.chainIDs.last?.description,
                          repoTags: image.tags, repoDigests: image.digests)
    }
}

/// An error's text as a Sendable value (for causes that are not Sendable themselves).
struct ErrorDescription: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(describing: error) }
}

/// Pulls share; a sweep is exclusive. Waiters are served in arrival order per kind, exclusive
/// ones first once the shared holders are gone (so a sweep is not starved by a stream of pulls).
final class SharedExclusiveGate: Sendable {
    private struct State {
        var shared = 0
        var exclusive = false
        var waitingShared: [CheckedContinuation<Void, Never>] = []
        var waitingExclusive: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Locked(State())

    func withShared<T>(_ body: () async throws -> T) async rethrows -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s -> Bool in
                if !s.exclusive && s.waitingExclusive.isEmpty { s.shared += 1; return true }
                s.waitingShared.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
        defer { release(shared: true) }
        return try await body()
    }

    func withExclusive<T>(_ body: () async throws -> T) async rethrows -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s -> Bool in
                if !s.exclusive && s.shared == 0 { s.exclusive = true; return true }
                s.waitingExclusive.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
        defer { release(shared: false) }
        return try await body()
    }

    private func release(shared: Bool) {
        let wake = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            if shared { s.shared -= 1 } else { s.exclusive = false }
            guard s.shared == 0, !s.exclusive else { return [] }
            if !s.waitingExclusive.isEmpty {
                s.exclusive = true
                return [s.waitingExclusive.removeFirst()]
            }
            let all = s.waitingShared
            s.waitingShared = []
            s.shared += all.count
            return all
        }
        for continuation in wake { continuation.resume() }
    }
}

/// Runs blocking work (tar extraction, tree walks) on a thread of its own, never on the
/// cooperative pool, which has one thread per core.
func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = name
        thread.start()
    }
}
