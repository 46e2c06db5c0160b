import Foundation
import SwdockEngine
import SwdockMetadata
import SwdockOCI
import SwdockSnapshot

/// INTERIM (until the image side's ImageService lands and replaces it in Swdockd.swift): finds
/// images in the metadata store (tags, IDs, ID prefixes), reads their config blob from the
/// content store and derives the chain ID of their layers, which is the committed snapshot the
/// pull created.
struct StoreImageResolver: ImageResolver {
    let database: Database
    let layout: EngineLayout

    func resolveImage(_ nameOrID: String) throws(EngineError) -> LocalImage {
        let notFound = EngineError(.notFound, "No such image: \(Self.display(nameOrID))")
        let id: String
        do {
            id = try database.read { connection throws -> String? in
                let bare = nameOrID.hasPrefix("sha256:") ? String(nameOrID.dropFirst(7)) : nameOrID
                if bare.count == 64, bare.allSatisfy(\.isHexDigit), try connection.image(id: "sha256:" + bare) != nil {
                    return "sha256:" + bare
                }
                if let reference = try? Reference.parseDockerRef(nameOrID),
                   let tagged = try connection.imageID(forTag: reference.description) {
                    return tagged
                }
                if bare.count >= 4, bare.allSatisfy(\.isHexDigit) {
                    let matches = try connection.allImages().filter { $0.id.dropFirst(7).hasPrefix(bare) }
                    if matches.count == 1 { return matches[0].id }
                }
                return nil
            } ?? { throw notFound }()
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.system, "look up image \(nameOrID)", cause: DescribedText("\(error)"))
        }
        let blob = layout.contentRoot + "/blobs/sha256/" + id.dropFirst(7)
        let config: ImageConfig
        do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(contentsOf: URL(fileURLWithPath: blob))) } catch {
            throw EngineError(.system, "read the config of image \(id)", cause: DescribedText("\(error)"))
        }
        let chainID = ChainID.compute(config.rootfs.diffIDs).last?.description
        return LocalImage(id: id, config: config, chainID: chainID)
    }

    /// How dockerd names a missing image (`busybox` → `busybox:latest`).
    static func display(_ text: String) -> String {
        text.contains(":") || text.contains("@") ? text : text + ":latest"
    }
}

struct DescribedText: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
