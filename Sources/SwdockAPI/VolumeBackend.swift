/// The engine's volumes as the API server sees them. Errors are `APIError`s with Docker's
/// status (404 "get NAME: no such volume", 409 "remove NAME: volume is in use - [IDs]").
public protocol VolumeBackend: Sendable {
    /// `GET /volumes?filters=` (dangling, name, label, driver).
    func listVolumes(filters: Filters) async throws -> VolumeListResponse
    /// `POST /volumes/create`: 201 with the volume (an existing name answers the existing volume).
    func createVolume(_ request: VolumeCreateRequest) async throws -> VolumeInfo
    /// `GET /volumes/{name}`.
    func inspectVolume(_ name: String) async throws -> VolumeInfo
    /// `DELETE /volumes/{name}?force=`.
    func removeVolume(_ name: String, force: Bool) async throws
    /// `POST /volumes/prune?filters=`: unused anonymous volumes (`all=true`: every unused one).
    func pruneVolumes(filters: Filters) async throws -> VolumePruneReport
}
