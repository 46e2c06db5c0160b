import Foundation
import NIOHTTP1
import SwdockAPI

/// `/volumes/...` served through `VolumeBackend`.
public enum VolumeRoutes {
    public static func add(to router: inout Router, backend: any VolumeBackend) {
        router.add(.GET, "/volumes") { request in
            try .json(try await backend.listVolumes(filters: try Filters(query: request.query)))
        }
        router.add(.POST, "/volumes/create") { request in
            let body: VolumeCreateRequest
            if request.body.isEmpty { body = VolumeCreateRequest() } else {
                do { body = try JSONDecoder().decode(VolumeCreateRequest.self, from: Data(request.body)) } catch {
                    throw APIError.badRequest("invalid volume create request: \(error)")
                }
            }
            return try .json(try await backend.createVolume(body), status: .created)
        }
        router.add(.POST, "/volumes/prune") { request in
            try .json(try await backend.pruneVolumes(filters: try Filters(query: request.query)))
        }
        router.add(.GET, "/volumes/{name}") { request in
            try .json(try await backend.inspectVolume(request.parameter("name")))
        }
        router.add(.DELETE, "/volumes/{name}") { request in
            try await backend.removeVolume(request.parameter("name"), force: request.query.bool("force"))
            return .noContent
        }
    }
}
