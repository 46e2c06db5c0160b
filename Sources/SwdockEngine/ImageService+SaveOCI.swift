import Foundation
import SwdockContent
import SwdockOCI
import SwdockOS

/// `swdock save --format oci`: an OCI image layout as one tar, laid out as `docker save` of
/// Docker 25+ writes it:
///
/// ```
/// oci-layout                 {"imageLayoutVersion":"1.0.0"}
/// index.json                 one entry per saved reference (an untagged image: one entry, no name),
///                            annotated io.containerd.image.name=<full name> and
///                            org.opencontainers.image.ref.name=<tag>
/// blobs/sha256/<hex>         manifests, configs and the layers as stored (compressed as pulled)
/// manifest.json              the docker-archive index over the same blobs, so a dockerd that
///                            predates OCI layouts loads the file too
/// ```
///
/// Docker schema2 manifests are rewritten with OCI media types (same config and layer bytes,
/// so the image ID is unchanged; the manifest digest is the rewritten one's), because OCI
/// tools (umoci) accept only OCI manifests in a layout.
extension ImageService {
    public func saveOCI(_ names: [String], write: @Sendable ([UInt8]) async throws -> Void) async throws(EngineError) {
        struct ArchiveEntry: Encodable {
            var Config: String
            var RepoTags: [String]?
            var Layers: [String]
        }
        let selection = try saveSelection(names)
        var written = Set<String>()
        var indexEntries: [Descriptor] = []
        var archiveEntries: [ArchiveEntry] = []
        func putFile(_ name: String, _ bytes: [UInt8]) async throws {
            try await write(TarHeader.file(name, size: Int64(bytes.count)) + bytes + TarHeader.padding(Int64(bytes.count)))
        }
        func putBlob(_ bytes: [UInt8]) async throws -> Digest {
            let digest = Digest.sha256(of: bytes)
            if written.insert(digest.description).inserted { try await putFile(Self.blobPath(digest), bytes) }
            return digest
        }
        do {
            try await putFile("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
            try await write(TarHeader.directory("blobs/"))
            try await write(TarHeader.directory("blobs/sha256/"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            for (image, tags) in selection {
                let configDigest = try Digest(parsing: image.record.configDigest)
                let configBytes = try content.read(configDigest)
                _ = try await putBlob(configBytes)
                let layers = try layers(of: image)
                for layer in layers where written.insert(layer.digest.description).inserted {
                    let size = layer.size
                    try await write(TarHeader.file(Self.blobPath(layer.digest), size: size))
                    let input = try content.open(layer.digest)
                    defer { input.close() }
                    var sent: Int64 = 0
                    while true {
                        let chunk = try input.read(upTo: 1 << 20)
                        if chunk.isEmpty { break }
                        sent += Int64(chunk.count)
                        try await write(chunk)
                    }
                    guard sent == size else {
                        throw EngineError(.system, "blob \(layer.digest) has \(sent) bytes, its manifest says \(size)")
                    }
                    try await write(TarHeader.padding(size))
                }
                let manifestBytes = try ociManifest(of: image, config: configDigest, configSize: Int64(configBytes.count),
                                                    layers: layers, encoder: encoder)
                let manifestDigest = try await putBlob(manifestBytes)
                let descriptor = Descriptor(mediaType: MediaType.ociManifest, digest: manifestDigest, size: Int64(manifestBytes.count))
                if tags.isEmpty {
                    indexEntries.append(descriptor)
                } else {
                    for tag in tags {
                        var named = descriptor
                        named.annotations = [Self.containerdImageNameAnnotation: tag,
                                             Self.ociRefNameAnnotation: (try? Reference(parsing: tag))?.tag ?? "latest"]
                        indexEntries.append(named)
                    }
                }
                archiveEntries.append(ArchiveEntry(Config: Self.blobPath(configDigest), RepoTags: tags.isEmpty ? nil : tags.map(Self.familiar),
                                                   Layers: layers.map { Self.blobPath($0.digest) }))
            }
            try await putFile("index.json", Array(try encoder.encode(ImageIndex(manifests: indexEntries))))
            let plain = JSONEncoder()
            plain.outputFormatting = [.withoutEscapingSlashes]
            try await putFile("manifest.json", Array(try plain.encode(archiveEntries)))
            try await write([UInt8](repeating: 0, count: 1024))
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, "save \(names.joined(separator: " ")) as an OCI layout", cause: ErrorDescription(error))
        }
    }

    /// The image's manifest with OCI media types: the stored bytes when they are OCI already.
    private func ociManifest(of image: StoredImage, config: Digest, configSize: Int64, layers: [Descriptor],
                             encoder: JSONEncoder) throws -> [UInt8] {
        if let stored = image.record.manifestDigest {
            let bytes = try content.read(try Digest(parsing: stored))
            if let manifest = try? JSONDecoder().decode(ImageManifest.self, from: Data(bytes)),
               manifest.mediaType == nil || manifest.mediaType == MediaType.ociManifest,
               manifest.config.mediaType == MediaType.ociConfig {
                return bytes
            }
        }
        let ociLayers = layers.map { layer -> Descriptor in
            var converted = layer
            switch layer.mediaType {
            case MediaType.dockerLayerGzip: converted.mediaType = MediaType.ociLayerGzip
            case MediaType.dockerLayer: converted.mediaType = MediaType.ociLayer
            case MediaType.dockerLayerForeignGzip: converted.mediaType = MediaType.ociLayerNondistributableGzip
            default: break
            }
            return converted
        }
        let manifest = ImageManifest(mediaType: MediaType.ociManifest,
                                     config: Descriptor(mediaType: MediaType.ociConfig, digest: config, size: configSize),
                                     layers: ociLayers)
        return Array(try encoder.encode(manifest))
    }
}
