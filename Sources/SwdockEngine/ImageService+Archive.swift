import Foundation
import SwdockArchive
import SwdockContent
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockSnapshot

/// `docker save` / `docker load`: the docker-archive format (`manifest.json` naming each
/// image's config `<hex>.json`, its `RepoTags` and its layers as plain tars `<diffID hex>/layer.tar`),
/// which dockerd writes and reads.
extension ImageService {
    /// The images `names` name and, for each, the tags to save under (normalised): an ID
    /// saves no tag, a repository name every tag of that repository, `name:tag` that tag.
    func saveSelection(_ names: [String]) throws(EngineError) -> [(StoredImage, [String])] {
        var selection: [(StoredImage, [String])] = []
        for name in names {
            let id = try resolveImageID(name)
            guard let image = try storedImage(id: id) else { throw EngineError(.notFound, "No such image: \(name)") }
            var tags: [String] = []
            if let reference = try? Reference(parsing: name), reference.digest == nil, !name.hasPrefix("sha256:") {
                let normalised = reference.normalizedForPull.description
                if reference.tag == nil {
                    tags = image.tags.filter { Self.repositoryName($0) == reference.name }
                } else if image.tags.contains(normalised) {
                    tags = [normalised]
                }
            }
            selection.append((image, tags))
        }
        return selection
    }

    /// Writes a docker-archive of the images `names` through `write`, streaming: layers are
    /// decompressed one at a time into a temporary file (a tar header needs the size first).
    public func save(_ names: [String], write: @Sendable ([UInt8]) async throws -> Void) async throws(EngineError) {
        struct Entry: Encodable {
            var Config: String
            var RepoTags: [String]?
            var Layers: [String]
        }
        var entries: [Entry] = []
        let images = try saveSelection(names).map { image, tags in (image, tags.map(Self.familiar)) }
        let scratch = layout.dataRoot + "/tmp"
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw EngineError(.system, "create \(scratch)", cause: ErrorDescription(error))
        }
        var written = Set<String>()
        do {
            for (image, tags) in images {
                let configHex = String(image.record.configDigest.dropFirst(7))
                let config = try content.read(try Digest(parsing: image.record.configDigest))
                if written.insert(configHex).inserted {
                    try await write(TarHeader.file("\(configHex).json", size: Int64(config.count)) + config + TarHeader.padding(Int64(config.count)))
                }
                var layerPaths: [String] = []
                for (index, layer) in try layers(of: image).enumerated() {
                    let diffHex = image.config.rootfs.diffIDs[index].encoded
                    let path = "\(diffHex)/layer.tar"
                    layerPaths.append(path)
                    guard written.insert(path).inserted else { continue }
                    let temporary = scratch + "/save-\(UUID().uuidString.lowercased()).tar"
                    defer { unlink(temporary) }
                    let blobPath = content.path(of: layer.digest)
                    let size = try await onThread("save layer") { () throws -> Int64 in
                        let input = try FileDescriptor.open(blobPath, O_RDONLY)
                        defer { input.close() }
                        let output = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
                        defer { output.close() }
                        return try LayerApplier.decompress(from: input, to: output).uncompressedSize
                    }
                    try await write(TarHeader.directory("\(diffHex)/"))
                    try await write(TarHeader.file(path, size: size))
                    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: temporary))
                    defer { try? handle.close() }
                    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try await write(Array(chunk)) }
                    try await write(TarHeader.padding(size))
                }
                entries.append(Entry(Config: "\(configHex).json", RepoTags: tags.isEmpty ? nil : tags, Layers: layerPaths))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let manifest = Array(try encoder.encode(entries))
            try await write(TarHeader.file("manifest.json", size: Int64(manifest.count)) + manifest + TarHeader.padding(Int64(manifest.count)))
            try await write([UInt8](repeating: 0, count: 1024))
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, "save \(names.joined(separator: " "))", cause: ErrorDescription(error))
        }
    }

    /// The layer descriptors of an image, from its manifest blob.
    func layers(of image: StoredImage) throws -> [Descriptor] {
        guard let manifest = image.record.manifestDigest else { return [] }
        let bytes = try content.read(try Digest(parsing: manifest))
        let layers = try JSONDecoder().decode(ImageManifest.self, from: Data(bytes)).layers
        guard layers.count == image.config.rootfs.diffIDs.count else {
            throw EngineError(.system, "image \(image.record.id): manifest \(manifest) has \(layers.count) layers, the config \(image.config.rootfs.diffIDs.count)")
        }
        return layers
    }
}

/// ustar headers for the few entry kinds a docker-archive has.
enum TarHeader {
    static func file(_ name: String, size: Int64) -> [UInt8] { header(name, size: size, type: UInt8(ascii: "0"), mode: 0o644) }
    static func directory(_ name: String) -> [UInt8] { header(name, size: 0, type: UInt8(ascii: "5"), mode: 0o755) }

    static func padding(_ size: Int64) -> [UInt8] {
        let rest = Int(size % 512)
        return rest == 0 ? [] : [UInt8](repeating: 0, count: 512 - rest)
    }

    private static func header(_ name: String, size: Int64, type: UInt8, mode: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (i, byte) in text.utf8.prefix(width).enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        precondition(name.utf8.count <= 100, "tar name \(name) longer than 100 bytes")
        put(name, at: 0, width: 100)
        octal(Int64(mode), at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(0, at: 136, width: 12)
        block[156] = type
        put("ustar\u{0}00", at: 257, width: 8)
        for i in 148..<156 { block[i] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, at: 148, width: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return block
    }
}
