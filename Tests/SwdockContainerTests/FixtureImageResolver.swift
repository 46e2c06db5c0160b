import Foundation
import SwdockArchive
import SwdockEngine
import SwdockOCI
import SwdockSnapshot
import SwdockTestSupport

/// TEST-ONLY image source while the image side (ImageService) is built in parallel: unpacks
/// the busybox fixture's layers (SWDOCK_FIXTURES) with the real LayerApplier into the real
/// snapshotter, committed under their chain IDs, and resolves a few references to it the way
/// Docker would (name, name:tag, full ID, ID prefix). The lead swaps in ImageService.
final class FixtureImageResolver: ImageResolver, @unchecked Sendable {
    let image: LocalImage
    /// References that name the image (normalised forms are not needed by these tests).
    let references: Set<String>

    init(catalog: FixtureCatalog, snapshotter: any Snapshotter, fixture name: String = "busybox",
         references: Set<String> = ["busybox", "busybox:latest", "docker.io/library/busybox:latest"]) throws {
        guard let fixture = catalog.fixture(name), let tag = fixture.tag("latest"), let manifest = tag.images.first else {
            throw FixtureError("fixture \(name)", "not in the catalog")
        }
        guard let configURL = catalog.layoutBlob(fixture: fixture, digest: manifest.config.digest) else {
            throw FixtureError("fixture \(name)", "config blob \(manifest.config.digest) missing")
        }
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(contentsOf: configURL))
        var diffIDs: [Digest] = []
        var parent: String?
        for layer in manifest.layers {
            diffIDs.append(try Digest(parsing: layer.diffID))
            let chainID = ChainID.compute(diffIDs).last!.description
            defer { parent = chainID }
            if (try? snapshotter.stat(chainID)) != nil { continue }
            guard let blob = catalog.layoutBlob(fixture: fixture, digest: layer.digest) else {
                throw FixtureError("fixture \(name)", "layer blob \(layer.digest) missing")
            }
            let key = "extract-\(chainID)"
            _ = try snapshotter.prepare(key, parent: parent)
            switch try snapshotter.writeTarget(key) {
            case .layerDirectory(let directory):
                _ = try LayerApplier.apply(file: blob.path, into: directory, options: LayerApplyOptions(target: .overlayLayer))
            case .fullTree(let directory):
                _ = try LayerApplier.apply(file: blob.path, into: directory, options: LayerApplyOptions(target: .mergedTree))
            }
            try snapshotter.commit(chainID, key: key)
        }
        image = LocalImage(id: manifest.config.digest, config: config, chainID: parent, repoTags: ["busybox:latest"])
        self.references = references
    }

    func resolveImage(_ nameOrID: String) throws(EngineError) -> LocalImage {
        let hex = image.id.dropFirst("sha256:".count)
        if references.contains(nameOrID) || nameOrID == image.id || nameOrID == String(hex) { return image }
        let bare = nameOrID.hasPrefix("sha256:") ? String(nameOrID.dropFirst(7)) : nameOrID
        if bare.count >= 4, bare.allSatisfy(\.isHexDigit), hex.hasPrefix(bare) { return image }
        throw EngineError(.notFound, "No such image: \(nameOrID.contains(":") || nameOrID.contains("@") ? nameOrID : nameOrID + ":latest")")
    }
}
