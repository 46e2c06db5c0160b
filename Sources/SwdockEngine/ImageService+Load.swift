import Foundation
import SwdockArchive
import SwdockContent
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockSnapshot

/// `docker load`: docker-archive tars (`manifest.json`, as every `docker save` writes) and OCI
/// image layout tars (`oci-layout` + `index.json` + `blobs/`, as `skopeo copy … oci-archive:`
/// and `swdock save --format oci` write), told apart by their content.
///
/// The archive arrives as a stream of any size. It is spooled to `<data-root>/tmp/load-*.tar`
/// (a tar's members come in no fixed order: `manifest.json` may be last), indexed by its
/// headers (`TarIndex`), and each member is hashed and copied into the content store in 1 MiB
/// chunks, so the daemon's memory does not grow with the archive. The spool is removed when the
/// load ends, fails, or (after a crash) at the next daemon start (`removeStaleSpools()`).
///
/// Everything the archive names is checked before anything is stored (members present, configs
/// decodable, layer counts matching); a layer whose diffID does not match, or an archive that
/// turns out truncated midway, fails the load, and what it had stored goes in a sweep, so a failed
/// load leaves no image record and no blobs or snapshots behind.
extension ImageService {
    /// Prefix of the spool files under `<data-root>/tmp`.
    static let loadSpoolPrefix = "load-"

    /// Loads an archive whose bytes come from `archive` (an upload). Returns dockerd's lines
    /// (`Loaded image: busybox:latest`, `Loaded image ID: sha256:…` for untagged images).
    public func load<Chunks: AsyncSequence>(archive: Chunks) async throws(EngineError) -> [String]
    where Chunks.Element == [UInt8] {
        let scratch = layout.dataRoot + "/tmp"
        let spool = scratch + "/" + Self.loadSpoolPrefix + UUID().uuidString.lowercased() + ".tar"
        defer { unlink(spool) }
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw EngineError(.system, "create \(scratch)", cause: ErrorDescription(error))
        }
        let output: FileDescriptor
        do { output = try FileDescriptor.open(spool, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600) } catch {
            throw EngineError(.system, "create load spool \(spool)", cause: error)
        }
        do {
            defer { output.close() }
            for try await chunk in archive { try output.writeAll(chunk) }
        } catch let error as OSError {
            throw EngineError(.system, "write load spool \(spool)", cause: error)
        } catch {
            throw EngineError(.invalidArgument, "read the image archive: \(error)")
        }
        return try await load(archiveFile: spool)
    }

    /// Loads the archive in the file `path` (left in place).
    public func load(archiveFile path: String) async throws(EngineError) -> [String] {
        do {
            return try await gate.withShared { () async throws -> [String] in
                try await onThread("load image archive") { [self] in try loadBlocking(path) }
            }
        } catch {
            let engineError = (error as? EngineError) ?? EngineError(.system, "load image archive", cause: ErrorDescription(error))
            // Nothing half-stored: blobs and snapshots no image references go now, not at the next removal.
            _ = try? await collectGarbage()
            throw engineError
        }
    }

    /// Deletes load spools a crashed daemon left behind; called at daemon start, before serving.
    public func removeStaleSpools() {
        let scratch = layout.dataRoot + "/tmp"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: scratch) else { return }
        for name in names where name.hasPrefix(Self.loadSpoolPrefix) || name.hasPrefix("save-") {
            try? FileManager.default.removeItem(atPath: scratch + "/" + name)
        }
    }

    private func loadBlocking(_ path: String) throws -> [String] {
        let index = try TarIndex(path: path)
        defer { index.close() }
        if index.member("manifest.json") != nil { return try loadDockerArchive(index) }
        if index.member("oci-layout") != nil, index.member("index.json") != nil { return try loadOCILayout(index) }
        if index.member("repositories") != nil {
            throw EngineError(.notSupported, "not supported: image archive without manifest.json (the docker save format before Docker 1.10)")
        }
        if index.members.isEmpty {
            throw EngineError(.invalidArgument, "invalid image archive: it holds no files (empty or not a tar)")
        }
        throw EngineError(.invalidArgument,
                          "invalid image archive: neither manifest.json (docker-archive) nor oci-layout and index.json (OCI image layout) in it")
    }

    // MARK: docker-archive

    private func loadDockerArchive(_ index: TarIndex) throws -> [String] {
        struct Entry: Decodable {
            var Config: String
            var RepoTags: [String]?
            var Layers: [String]
        }
        let entries: [Entry]
        do { entries = try JSONDecoder().decode([Entry].self, from: Data(try index.contents("manifest.json") ?? [])) } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.invalidArgument, "invalid manifest.json in the archive: \(error)")
        }
        // Check the whole archive before storing anything.
        struct Planned {
            var configBytes: [UInt8]
            var config: ImageConfig
            var layers: [TarIndex.Member]
            var tags: [String]
        }
        var plan: [Planned] = []
        for entry in entries {
            guard let configBytes = try index.contents(entry.Config) else {
                throw EngineError(.invalidArgument, "invalid image archive: it misses \(entry.Config), which manifest.json names")
            }
            let config: ImageConfig
            do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) } catch {
                throw EngineError(.invalidArgument, "invalid image config \(entry.Config) in the archive: \(error)")
            }
            guard config.rootfs.diffIDs.count == entry.Layers.count else {
                throw EngineError(.invalidArgument, "\(entry.Config) lists \(config.rootfs.diffIDs.count) layers, manifest.json \(entry.Layers.count)")
            }
            var layers: [TarIndex.Member] = []
            for layer in entry.Layers {
                guard let member = index.member(layer) else {
                    throw EngineError(.invalidArgument, "invalid image archive: it misses \(layer), which manifest.json names")
                }
                layers.append(member)
            }
            var tags: [String] = []
            for tag in entry.RepoTags ?? [] {
                do { tags.append(try Reference(parsing: tag).normalizedForPull.description) } catch {
                    throw EngineError(.invalidArgument, "invalid RepoTags entry \"\(tag)\": \(error.message)")
                }
            }
            plan.append(Planned(configBytes: configBytes, config: config, layers: layers, tags: tags))
        }

        guard !plan.isEmpty else { throw EngineError(.invalidArgument, "invalid image archive: its manifest.json names no image") }
        var lines: [String] = []
        for image in plan {
            let configDigest = try content.write(image.configBytes)
            let diffIDs = image.config.rootfs.diffIDs
            let chains = ChainID.compute(diffIDs)
            var descriptors: [Descriptor] = []
            for (position, member) in image.layers.enumerated() {
                let digest = try index.digest(of: member)
                try store(member, of: index, as: digest)
                let head = try index.read(at: member.offset, count: Int(min(8, member.size)))
                let mediaType: String
                switch LayerCompression.detect(ArraySlice(head)) {
                case .gzip: mediaType = MediaType.dockerLayerGzip
                case .zstd: mediaType = MediaType.ociLayerZstd
                default: mediaType = MediaType.dockerLayer
                }
                descriptors.append(Descriptor(mediaType: mediaType, digest: digest, size: member.size))
                try unpackLoaded(digest, diffID: diffIDs[position], chain: chains[position].description,
                                 parent: position == 0 ? nil : chains[position - 1].description)
            }
            let manifest = ImageManifest(mediaType: MediaType.dockerManifest,
                                         config: Descriptor(mediaType: MediaType.dockerConfig, digest: configDigest,
                                                            size: Int64(image.configBytes.count)),
                                         layers: descriptors)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            let manifestDigest = try content.write(Array(try encoder.encode(manifest)))
            try recordLoaded(configDigest: configDigest, manifestDigest: manifestDigest, config: image.config,
                             chains: chains, tags: image.tags, keepExistingManifest: true)
            lines += image.tags.isEmpty ? ["Loaded image ID: \(configDigest)"] : image.tags.map { "Loaded image: \(Self.familiar($0))" }
        }
        return lines
    }

    // MARK: OCI image layout

    /// The annotation containerd and Docker 25+ put on `index.json` entries: the full image name.
    static let containerdImageNameAnnotation = "io.containerd.image.name"
    static let ociRefNameAnnotation = "org.opencontainers.image.ref.name"

    /// The name an `index.json` entry gives its image: containerd's full-name annotation, or
    /// `org.opencontainers.image.ref.name` when it is a whole reference (`repo:tag`,
    /// `host/repo`). A ref name that is only a tag (`latest`, `v1`) names no repository, so such
    /// an image loads untagged (as `ctr import` without `--base-name` does).
    static func loadName(of descriptor: Descriptor) throws(EngineError) -> String? {
        let annotations = descriptor.annotations ?? [:]
        var candidate = annotations[containerdImageNameAnnotation]
        if candidate == nil, let refName = annotations[ociRefNameAnnotation], refName.contains("/") || refName.contains(":") {
            candidate = refName
        }
        guard let candidate, !candidate.isEmpty else { return nil }
        do { return try Reference(parsing: candidate).normalizedForPull.description } catch {
            throw EngineError(.invalidArgument, "invalid image name \"\(candidate)\" in the archive's index.json: \(error.message)")
        }
    }

    private func loadOCILayout(_ index: TarIndex) throws -> [String] {
        struct LayoutFile: Decodable { var imageLayoutVersion: String }
        let layoutBytes = try index.contents("oci-layout") ?? []
        guard let layout = try? JSONDecoder().decode(LayoutFile.self, from: Data(layoutBytes)) else {
            throw EngineError(.invalidArgument, "invalid oci-layout file in the archive")
        }
        guard layout.imageLayoutVersion.hasPrefix("1.") else {
            throw EngineError(.notSupported, "not supported: OCI image layout version \(layout.imageLayoutVersion)")
        }
        let top: ImageIndex
        do { top = try JSONDecoder().decode(ImageIndex.self, from: Data(try index.contents("index.json") ?? [])) } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.invalidArgument, "invalid index.json in the archive: \(error)")
        }
        // Resolve every entry to one platform's manifest and check its blobs first.
        struct Planned {
            var manifestBytes: [UInt8]
            var manifestDigest: Digest
            var manifest: ImageManifest
            var configBytes: [UInt8]
            var config: ImageConfig
            var layers: [TarIndex.Member]
            var name: String?
        }
        var plan: [Planned] = []
        let matcher = PlatformMatcher.only(.host)
        for entry in top.manifests {
            let name = try Self.loadName(of: entry)
            var descriptor = entry
            var depth = 0
            while MediaType.indexes.contains(descriptor.mediaType) {
                depth += 1
                guard depth <= 4 else { throw EngineError(.invalidArgument, "invalid image archive: indexes nested too deep at \(descriptor.digest)") }
                let nested: ImageIndex
                do { nested = try JSONDecoder().decode(ImageIndex.self, from: Data(try blob(descriptor, in: index))) } catch let error as EngineError {
                    throw error
                } catch {
                    throw EngineError(.invalidArgument, "invalid image index \(descriptor.digest) in the archive: \(error)")
                }
                guard let picked = nested.manifests(matching: matcher).first(where: { index.member(Self.blobPath($0.digest)) != nil }) else {
                    throw EngineError(.notFound, "image index \(descriptor.digest) in the archive has no manifest for \(Platform.host)")
                }
                descriptor = picked
            }
            guard MediaType.imageManifests.contains(descriptor.mediaType) else {
                throw EngineError(.notSupported, "not supported: \(descriptor.mediaType) in the archive's index.json (\(descriptor.digest))")
            }
            let manifestBytes = try blob(descriptor, in: index)
            let manifest: ImageManifest
            do { manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(manifestBytes)) } catch {
                throw EngineError(.invalidArgument, "invalid image manifest \(descriptor.digest) in the archive: \(error)")
            }
            guard [MediaType.ociConfig, MediaType.dockerConfig].contains(manifest.config.mediaType) else {
                // An artifact (signature, attestation, SBOM) next to the images: not an image to load.
                continue
            }
            let configBytes = try blob(manifest.config, in: index)
            let config: ImageConfig
            do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) } catch {
                throw EngineError(.invalidArgument, "invalid image config \(manifest.config.digest) in the archive: \(error)")
            }
            guard config.rootfs.diffIDs.count == manifest.layers.count else {
                throw EngineError(.invalidArgument, "image config \(manifest.config.digest) lists \(config.rootfs.diffIDs.count) layers, its manifest \(manifest.layers.count)")
            }
            var layers: [TarIndex.Member] = []
            for layer in manifest.layers {
                guard let member = index.member(Self.blobPath(layer.digest)) else {
                    throw EngineError(.invalidArgument, "invalid image archive: it misses layer \(Self.blobPath(layer.digest))")
                }
                guard member.size == layer.size else {
                    throw EngineError(.invalidArgument, "invalid image archive: layer \(layer.digest) has \(member.size) bytes, its manifest says \(layer.size)")
                }
                layers.append(member)
            }
            plan.append(Planned(manifestBytes: manifestBytes, manifestDigest: descriptor.digest, manifest: manifest,
                                configBytes: configBytes, config: config, layers: layers, name: name))
        }
        guard !plan.isEmpty else { throw EngineError(.invalidArgument, "invalid image archive: its index.json names no image") }
        var lines: [String] = []
        for image in plan {
            let diffIDs = image.config.rootfs.diffIDs
            let chains = ChainID.compute(diffIDs)
            for (position, member) in image.layers.enumerated() {
                let digest = image.manifest.layers[position].digest
                try store(member, of: index, as: digest)
                try unpackLoaded(digest, diffID: diffIDs[position], chain: chains[position].description,
                                 parent: position == 0 ? nil : chains[position - 1].description)
            }
            let configDigest = try content.write(image.configBytes, expected: image.manifest.config.digest)
            let manifestDigest = try content.write(image.manifestBytes, expected: image.manifestDigest)
            let tags = image.name.map { [$0] } ?? []
            try recordLoaded(configDigest: configDigest, manifestDigest: manifestDigest, config: image.config,
                             chains: chains, tags: tags, keepExistingManifest: true)
            lines += tags.isEmpty ? ["Loaded image ID: \(configDigest)"] : tags.map { "Loaded image: \(Self.familiar($0))" }
        }
        return lines
    }

    static func blobPath(_ digest: Digest) -> String { "blobs/\(digest.algorithm)/\(digest.encoded)" }

    /// A small blob of the layout (manifest, config, index), checked against its descriptor.
    private func blob(_ descriptor: Descriptor, in index: TarIndex) throws(EngineError) -> [UInt8] {
        let path = Self.blobPath(descriptor.digest)
        guard let bytes = try index.contents(path) else {
            throw EngineError(.invalidArgument, "invalid image archive: it misses \(path)")
        }
        guard Int64(bytes.count) == descriptor.size, Digest.sha256(of: bytes) == descriptor.digest else {
            throw EngineError(.invalidArgument, "invalid image archive: \(path) does not match its descriptor (size \(bytes.count), digest \(Digest.sha256(of: bytes)))")
        }
        return bytes
    }

    // MARK: Shared steps

    /// Copies `member` into the content store as blob `digest` (verified at commit).
    private func store(_ member: TarIndex.Member, of index: TarIndex, as digest: Digest) throws(EngineError) {
        let opening: ContentStore.WriterOpening
        do { opening = try content.openWriter(digest: digest, size: member.size) } catch {
            throw EngineError(.system, "store layer \(digest)", cause: error)
        }
        guard case .writer(let writer) = opening else { return }
        do throws(EngineError) {
            // A resumed ingest already holds a verified prefix of the blob.
            let skip = writer.offset
            var position: Int64 = 0
            try index.forEachChunk(of: member) { (chunk) throws(EngineError) in
                defer { position += Int64(chunk.count) }
                let end = position + Int64(chunk.count)
                guard end > skip else { return }
                let from = Int(max(0, skip - position))
                do { try writer.write(UnsafeRawBufferPointer(rebasing: chunk[from...])) } catch {
                    throw EngineError(.system, "store layer \(digest)", cause: error)
                }
            }
            do { _ = try writer.commit() } catch {
                throw EngineError(.invalidArgument, "layer \(member.name) in the archive: \(error)")
            }
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Unpacks the stored layer `digest` into the committed snapshot `chain` unless it exists.
    private func unpackLoaded(_ digest: Digest, diffID: Digest, chain: String, parent: String?) throws {
        if (try? snapshotter.stat(chain)) != nil { return }
        let key = Self.unpackKeyPrefix + UUID().uuidString.lowercased()
        _ = try snapshotter.prepare(key, parent: parent, labels: ["swdock.layer": digest.description])
        do {
            let target = try snapshotter.writeTarget(key)
            do {
                _ = try LayerApplier.apply(file: content.path(of: digest), into: target.path,
                                           options: LayerApplyOptions(target: target.layerTarget, expectedDiffID: diffID))
            } catch {
                throw EngineError(.invalidArgument, "invalid image archive: layer \(digest) (diffID \(diffID)): \(error)")
            }
            try snapshotter.commit(chain, key: key)
        } catch {
            try? snapshotter.remove(key)
            if (try? snapshotter.stat(chain)) == nil { throw error }
        }
    }

    /// Records a loaded image and points `tags` at it, in one transaction.
    private func recordLoaded(configDigest: Digest, manifestDigest: Digest, config: ImageConfig, chains: [Digest],
                              tags: [String], keepExistingManifest: Bool) throws(EngineError) {
        var size: Int64 = 0
        for chain in chains { size += (try? snapshotter.usage(chain.description).size) ?? 0 }
        let record = ImageRecord(id: configDigest.description, manifestDigest: manifestDigest.description,
                                 configDigest: configDigest.description,
                                 createdNanoseconds: Self.parseCreated(config.created) ?? Int64(Date().timeIntervalSince1970 * 1e9),
                                 size: size)
        try metadata("record loaded image \(configDigest)", write: true) { c in
            if keepExistingManifest, let existing = try c.image(id: record.id), existing.manifestDigest != nil {
                // Keep the manifest a pull recorded (its blobs are the registry's).
            } else {
                try c.upsertImage(record)
            }
            for tag in tags { try c.setTag(tag, imageID: record.id) }
        }
    }
}
