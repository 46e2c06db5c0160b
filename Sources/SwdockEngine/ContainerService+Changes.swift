import SwdockArchive
import SwdockSnapshot

extension ContainerService {
    /// The engine's bind mounts into every container: their mount points (made in the
    /// writable layer when the image lacks the file) are neither a change nor committed, as
    /// Docker keeps them in its init layer.
    static let engineMountPoints: Set<String> = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]

    /// `GET /containers/{id}/changes`: the container's writable layer against its image
    /// (`LayerChanges`: the overlay upper directory over the image's layers, or the vfs tree
    /// against the image's tree), in dockerd's path order.
    public func changes(_ ref: String) async throws -> [LayerChange] {
        try await offload {
            let container = try self.resolve(ref)
            return try self.withContainerLock(container.id) { try self.layerChanges(of: container) }
        }
    }

    /// How a container's writable layer is read: its overlay upper with the lower layers, or
    /// its full tree with the image's.
    enum WritableLayer {
        case overlay(upper: String, lowers: [String])
        case tree(String, image: String?)
    }

    func writableLayer(of container: Loaded) throws(EngineError) -> WritableLayer {
        guard let directories = snapshotter as? any SnapshotDirectories else {
            throw EngineError(.notSupported, "not supported: reading the layers of storage driver \(snapshotter.driverName)")
        }
        do {
            let own = try directories.contentDirectory(container.id)
            var ancestors: [String] = []
            var parent = try snapshotter.stat(container.id).parent
            while let name = parent {
                ancestors.append(try directories.contentDirectory(name))
                parent = try snapshotter.stat(name).parent
            }
            switch try snapshotter.writeTarget(container.id) {
            case .layerDirectory: return .overlay(upper: own, lowers: ancestors)
            case .fullTree: return .tree(own, image: ancestors.first)
            }
        } catch {
            throw EngineError(.system, "find the writable layer of container \(container.id)", cause: error)
        }
    }

    func layerChanges(of container: Loaded) throws(EngineError) -> [LayerChange] {
        let layer = try writableLayer(of: container)
        do {
            switch layer {
            case .overlay(let upper, let lowers):
                return try LayerChanges.overlay(upper: upper, lowers: lowers, excluding: Self.engineMountPoints)
            case .tree(let tree, let image):
                return try LayerChanges.trees(new: tree, old: image, excluding: Self.engineMountPoints)
            }
        } catch {
            throw EngineError(.system, "compute the changes of container \(container.id)", cause: error)
        }
    }
}
