import SwdockAPI
import SwdockEngine

/// `docker diff` and `docker commit` served by the engine's `ContainerService`.
extension ContainerService: ContainerCommitBackend {
    public func containerChanges(_ id: String) async throws -> [ContainerChangeItem] {
        try await mapped { try await changes(id).map { ContainerChangeItem(Path: $0.path, Kind: $0.kind.rawValue) } }
    }

    public func commitContainer(_ container: String, options: ContainerCommitQuery) async throws -> String {
        try await mapped {
            try await commit(container, options: ContainerCommitOptions(
                repository: options.repository, tag: options.tag, author: options.author, comment: options.comment,
                pause: options.pause, changes: options.changes, configJSON: options.config.isEmpty ? nil : options.config))
        }
    }
}
