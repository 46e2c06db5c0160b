import SwdockAPI
import SwdockEngine

/// `POST /containers/{id}/update`.
public enum ContainerUpdateRoutes {
    public static func add(to router: inout Router, backend: any ContainerUpdateBackend) {
        router.add(.POST, "/containers/{name*}/update") { request in
            let policy = try ContainerUpdateRestartPolicy.parseUpdate(request.body)
            return try .json(try await backend.updateContainer(request.parameter("name"), restartPolicy: policy))
        }
    }
}

extension ContainerService: ContainerUpdateBackend {
    public func updateContainer(_ id: String, restartPolicy: ContainerUpdateRestartPolicy?) async throws -> ContainerUpdateResponse {
        do {
            if let restartPolicy {
                try await updateRestartPolicy(id, HostConfiguration.RestartPolicy(name: restartPolicy.Name,
                                                                                  maximumRetryCount: restartPolicy.MaximumRetryCount ?? 0))
            } else {
                _ = try await inspect(id, size: false)
            }
        } catch let error as EngineError { throw error.apiError }
        return ContainerUpdateResponse()
    }
}
