/// The engine's networks as the API server sees them. Network references are an ID, a name or
/// a unique ID prefix; container references as in `ContainerBackend`. Methods throw `APIError`
/// with Docker's status (404 "network x not found", 409 for a network with active endpoints).
public protocol NetworkBackend: Sendable {
    /// `GET /networks?filters=` (filters: name, id, driver, label, type).
    func listNetworks(filters: Filters) async throws -> [NetworkResource]
    /// `GET /networks/{id}`.
    func inspectNetwork(_ id: String) async throws -> NetworkResource
    /// `POST /networks/create`.
    func createNetwork(_ request: NetworkCreateRequest) async throws -> NetworkCreateResponse
    /// `DELETE /networks/{id}`.
    func removeNetwork(_ id: String) async throws
    /// `POST /networks/{id}/connect`.
    func connectNetwork(_ id: String, request: NetworkConnectRequest) async throws
    /// `POST /networks/{id}/disconnect`.
    func disconnectNetwork(_ id: String, request: NetworkDisconnectRequest) async throws
    /// `POST /networks/prune?filters=` (filters: label).
    func pruneNetworks(filters: Filters) async throws -> NetworkPruneReport
}
