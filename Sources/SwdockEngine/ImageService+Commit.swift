import Foundation
import SwdockArchive
import SwdockContent
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockSnapshot

/// What the container side hands the image side to make an image of a container (`docker commit`).
public struct ImageCommitRequest: Sendable {
    /// The image the container was created from.
    public var parentImageID: String
    public var containerID: String
    /// Writes the container's writable layer as an uncompressed tar to each of the descriptors
    /// (the blob file and a pipe to the applier; runs on a thread of its own).
    public var writeLayer: @Sendable ([FileDescriptor]) throws -> LayerWriteResult
    /// The new image's `config` (Docker's container Config shape), as JSON.
    public var config: [UInt8]
    /// The container's own Config at commit time (`container_config`), as JSON.
    public var containerConfig: [UInt8]
    public var author: String
    public var comment: String
    /// The history entry's `created_by` (the container's Cmd joined by spaces, as dockerd).
    public var createdBy: String
    /// `repo` and `tag` of the commit; nil: the image stays dangling.
    public var repository: String?
    public var tag: String?

    public init(parentImageID: String, containerID: String, writeLayer: @escaping @Sendable ([FileDescriptor]) throws -> LayerWriteResult,
                config: [UInt8], containerConfig: [UInt8], author: String, comment: String, createdBy: String,
                repository: String?, tag: String?) {
        self.parentImageID = parentImageID
        self.containerID = containerID
        self.writeLayer = writeLayer
        self.config = config
        self.containerConfig = containerConfig
        self.author = author
        self.comment = comment
        self.createdBy = createdBy
        self.repository = repository
        self.tag = tag
    }
}

/// The image side of `docker commit`, which the container side finds through its `ImageResolver`.
public protocol ImageCommitting: ImageResolver {
    /// Stores the layer, its snapshot, the config and the image record; returns the image ID.
    func commitImage(_ request: ImageCommitRequest) async throws(EngineError) -> String
}

/// `docker commit` and `docker import`: a layer the engine wrote itself becomes an image.
///
/// ## Layer storage
/// The layer blob is the **uncompressed** tar (media type
/// `application/vnd.docker.image.rootfs.diff.tar`), so its digest is its diffID: one hash pass
/// while the tar is written gives both, nothing is compressed on the commit's critical path
/// (dockerd does not compress at commit either; it compresses at push), and `docker save`
/// copies the blob as `layer.tar` unchanged. The cost is disk space: the tar is kept besides
/// its unpacked snapshot. The blob is published by rename from the data root's `tmp/`
/// (`ContentStore.adopt`), never copied.
///
/// ## Snapshot
/// The new image's top snapshot is made exactly as a pull makes one: the tar is applied with
/// `LayerApplier` onto the parent's top snapshot (while it is written: the writer feeds the
/// blob file and a pipe to the applier) and committed under the new chain ID, so a
/// later pull, load or commit of the same layer stack shares it and GC treats it like any other.
///
/// An empty layer (the empty tar, as for a container that changed nothing) adds no diffID
/// and a history entry with `empty_layer`, as moby's `NewChildImage`.
extension ImageService: ImageCommitting {
    /// The diffID of a tar with no entries (two zero blocks): moby's `layer.DigestSHA256EmptyTar`.
    static let emptyLayerDiffID = Digest(sha256Hex: "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")

    public func commitImage(_ request: ImageCommitRequest) async throws(EngineError) -> String {
        do {
            return try await gate.withShared { () async throws -> String in try await commitLocked(request) }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, "commit container \(request.containerID)", cause: ErrorDescription(error))
        }
    }

    private func commitLocked(_ request: ImageCommitRequest) async throws -> String {
        guard let parent = try storedImage(id: request.parentImageID) else {
            throw EngineError(.notFound, "No such image: \(request.parentImageID)")
        }
        let file = try scratchFile("commit")
        defer { unlink(file) }
        // The tar goes to the blob file and, through a pipe, to the applier unpacking it onto
        // the parent's top snapshot at the same time (one pass over the container's files).
        let parentChain = ChainID.compute(parent.config.rootfs.diffIDs).last?.description
        let key = Self.unpackKeyPrefix + UUID().uuidString.lowercased()
        _ = try snapshotter.prepare(key, parent: parentChain, labels: ["swdock.commit": request.containerID])
        defer { try? snapshotter.remove(key) }  // gone already once committed
        let target = try snapshotter.writeTarget(key)
        let (reader, writer) = try FileDescriptor.pipe()
        let applying = Task {
            try await onThread("apply commit layer") { () throws -> LayerApplyResult in
                defer { reader.close() }
                do {
                    return try LayerApplier.apply(from: reader, into: target.path, options: LayerApplyOptions(target: target.layerTarget))
                } catch {
                    // Keep reading so the writer never blocks on a full pipe, then report.
                    while (try? reader.read(upTo: 1 << 20))?.isEmpty == false {}
                    throw error
                }
            }
        }
        let written: LayerWriteResult
        do {
            written = try await onThread("commit layer") { () throws -> LayerWriteResult in
                defer { writer.close() }
                let output = try FileDescriptor.open(file, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
                defer { output.close() }
                return try request.writeLayer([output, writer])
            }
        } catch {
            _ = await applying.result
            throw error
        }
        let applied = try await applying.value
        guard applied.diffID == written.diffID else {
            throw EngineError(.system, "commit of \(request.containerID): the applier saw \(applied.diffID), the writer wrote \(written.diffID)")
        }
        let created = Self.rfc3339Now()
        var history: [Any] = try (parent.config.history ?? []).map(Self.jsonObject)
        var entry: [String: Any] = ["created": created]
        if !request.author.isEmpty { entry["author"] = request.author }
        if !request.createdBy.isEmpty { entry["created_by"] = request.createdBy }
        if !request.comment.isEmpty { entry["comment"] = request.comment }
        let empty = written.diffID == Self.emptyLayerDiffID
        if empty { entry["empty_layer"] = true }
        history.append(entry)
        var diffIDs = parent.config.rootfs.diffIDs
        if !empty { diffIDs.append(written.diffID) }
        var object: [String: Any] = [
            "architecture": parent.config.architecture,
            "os": parent.config.os,
            "config": try JSONSerialization.jsonObject(with: Data(request.config)),
            "container": request.containerID,
            "container_config": try JSONSerialization.jsonObject(with: Data(request.containerConfig)),
            "created": created,
            "docker_version": Self.dockerVersion,
            "history": history,
            "rootfs": ["type": "layers", "diff_ids": diffIDs.map(\.description)],
        ]
        if !request.author.isEmpty { object["author"] = request.author }
        if !request.comment.isEmpty { object["comment"] = request.comment }
        if let variant = parent.config.variant { object["variant"] = variant }
        if let version = parent.config.osVersion { object["os.version"] = version }
        if let features = parent.config.osFeatures { object["os.features"] = features }
        if !empty {
            let chain = ChainID.compute(diffIDs).last!.description
            if (try? snapshotter.stat(chain)) == nil { try snapshotter.commit(chain, key: key) }
        }
        let parentLayers = try layers(of: parent)
        return try await storeImage(configObject: object, parentLayers: parentLayers, parentDiffIDs: parent.config.rootfs.diffIDs,
                                    layerFile: empty ? nil : file, layer: written, unpacked: true,
                                    repository: request.repository, tag: request.tag, what: "commit of \(request.containerID)")
    }

    /// A fresh file name under `<data-root>/tmp` (the content store's file system).
    func scratchFile(_ purpose: String) throws -> String {
        let scratch = layout.dataRoot + "/tmp"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return scratch + "/\(purpose)-\(UUID().uuidString.lowercased()).tar"
    }

    /// Publishes `layerFile` (nil: no new layer), unpacks it onto the parent's top snapshot
    /// under its chain ID (unless the caller did: `unpacked`), writes the config and a Docker schema2 manifest, records the image and
    /// tags it. Returns the image ID. The caller holds the gate shared (no sweep meanwhile).
    func storeImage(configObject: [String: Any], parentLayers: [Descriptor], parentDiffIDs: [Digest], layerFile: String?,
                    layer: LayerWriteResult, unpacked: Bool = false, repository: String?, tag: String?, what: String) async throws -> String {
        // The tag is checked before anything is stored, as dockerd refuses a bad one up front.
        let reference = try repository.map { (repository) throws(EngineError) -> String in
            try Self.commitReference(repository: repository, tag: tag)
        }
        var descriptors = parentLayers
        if let layerFile {
            let chains = ChainID.compute(parentDiffIDs + [layer.diffID])
            let chain = chains[chains.count - 1].description
            if !unpacked, (try? snapshotter.stat(chain)) == nil {
                let key = Self.unpackKeyPrefix + UUID().uuidString.lowercased()
                let parentChain = chains.count > 1 ? chains[chains.count - 2].description : nil
                _ = try snapshotter.prepare(key, parent: parentChain, labels: ["swdock.layer": layer.diffID.description])
                do {
                    let target = try snapshotter.writeTarget(key)
                    let diffID = layer.diffID
                    _ = try await onThread("unpack \(what)") {
                        try LayerApplier.apply(file: layerFile, into: target.path,
                                               options: LayerApplyOptions(target: target.layerTarget, expectedDiffID: diffID))
                    }
                    try snapshotter.commit(chain, key: key)
                } catch {
                    try? snapshotter.remove(key)
                    if (try? snapshotter.stat(chain)) == nil { throw error }
                }
            }
            try content.adopt(file: layerFile, digest: layer.diffID)
            descriptors.append(Descriptor(mediaType: MediaType.dockerLayer, digest: layer.diffID, size: layer.size))
        }
        let configBytes = Array(try JSONSerialization.data(withJSONObject: configObject, options: [.sortedKeys, .withoutEscapingSlashes]))
        let configDigest = try content.write(configBytes)
        let manifest = ImageManifest(mediaType: MediaType.dockerManifest,
                                     config: Descriptor(mediaType: MediaType.dockerConfig, digest: configDigest, size: Int64(configBytes.count)),
                                     layers: descriptors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let manifestDigest = try content.write(Array(try encoder.encode(manifest)))
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes))
        var size: Int64 = 0
        for chain in ChainID.compute(config.rootfs.diffIDs) { size += (try? snapshotter.usage(chain.description).size) ?? 0 }
        let record = ImageRecord(id: configDigest.description, manifestDigest: manifestDigest.description,
                                 configDigest: configDigest.description,
                                 createdNanoseconds: Self.parseCreated(config.created) ?? Int64(Date().timeIntervalSince1970 * 1e9),
                                 size: size)
        try metadata("record image \(configDigest) (\(what))", write: true) { c in
            try c.upsertImage(record)
            if let reference { try c.setTag(reference, imageID: record.id) }
        }
        return record.id
    }

    /// The normalised `repo:tag` of a commit or import (`latest` when no tag), or dockerd's error.
    static func commitReference(repository: String, tag: String?) throws(EngineError) -> String {
        let text = (tag?.isEmpty ?? true) ? repository : repository + ":" + tag!
        let reference: Reference
        do { reference = try Reference(parsing: text) } catch { throw EngineError(.invalidArgument, error.message) }
        guard reference.digest == nil else { throw EngineError(.invalidArgument, "cannot commit or import to a digest reference: \(text)") }
        return reference.normalizedForPull.description
    }

    /// The engine version dockerd writes as `docker_version` (the Docker API level swdockd speaks).
    static var dockerVersion: String { "swdock-" + SwdockVersion.version }

    /// Now as Go's `time.RFC3339Nano` in UTC (trailing zeros of the fraction dropped).
    static func rfc3339Now() -> String {
        let now = Timestamp.now()
        var date = Date(timeIntervalSince1970: TimeInterval(now.seconds))
        date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        var fraction = String(format: "%09d", now.nanoseconds)
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return formatter.string(from: date) + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }

    /// A Codable value as a JSONSerialization object.
    static func jsonObject<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
    }
}
