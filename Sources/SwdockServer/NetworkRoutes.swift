import Foundation
import NIOHTTP1
import SwdockAPI

/// `/networks/...`: the routes served through `NetworkBackend`.
public enum NetworkRoutes {
    public static func add(to router: inout Router, backend: any NetworkBackend) {
        router.add(.GET, "/networks") { request in
            try .json(try await backend.listNetworks(filters: try Filters(query: request.query)))
        }
        router.add(.POST, "/networks/create") { request in
            let body: NetworkCreateRequest = try decode(request.body)
            return try .json(try await backend.createNetwork(body), status: .created)
        }
        router.add(.POST, "/networks/prune") { request in
            try .json(try await backend.pruneNetworks(filters: try Filters(query: request.query)))
        }
        router.add(.GET, "/networks/{id}") { request in
            try .json(try await backend.inspectNetwork(request.parameter("id")))
        }
        router.add(.DELETE, "/networks/{id}") { request in
            try await backend.removeNetwork(request.parameter("id"))
            return .noContent
        }
        router.add(.POST, "/networks/{id}/connect") { request in
            try await backend.connectNetwork(request.parameter("id"), request: try decode(request.body))
            return APIResponse(status: .ok, body: .bytes([]))
        }
        router.add(.POST, "/networks/{id}/disconnect") { request in
            try await backend.disconnectNetwork(request.parameter("id"), request: try decode(request.body))
            return APIResponse(status: .ok, body: .bytes([]))
        }
    }

    static func decode<T: Decodable>(_ body: [UInt8]) throws(APIError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body.isEmpty ? Array("{}".utf8) : body)) } catch {
            throw APIError.badRequest("invalid JSON: \(error)")
        }
    }
}
