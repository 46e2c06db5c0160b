import SwdockAPI
import SwdockEngine
import SwdockOS

/// `/volumes` served by the engine's `VolumeService`.
extension VolumeService: VolumeBackend {
    static func wire(_ volume: VolumeDescription) -> VolumeInfo {
        VolumeInfo(CreatedAt: Timestamp(seconds: volume.createdAt.seconds, nanoseconds: 0).rfc3339Nano, Driver: volume.driver, Labels: volume.labels,
                   Mountpoint: volume.mountpoint, Name: volume.name, Options: volume.options)
    }

    func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as EngineError { throw error.apiError }
    }

    public func listVolumes(filters: Filters) async throws -> VolumeListResponse {
        try mapped { VolumeListResponse(Volumes: try list(filters: filters.fields).map(Self.wire)) }
    }

    public func createVolume(_ request: VolumeCreateRequest) async throws -> VolumeInfo {
        try mapped {
            Self.wire(try create(name: request.Name, driver: request.Driver, labels: request.Labels ?? [:],
                                 options: request.DriverOpts ?? [:]).0)
        }
    }

    public func inspectVolume(_ name: String) async throws -> VolumeInfo {
        try mapped { Self.wire(try inspect(name)) }
    }

    public func removeVolume(_ name: String, force: Bool) async throws {
        try mapped { try remove(name, force: force) }
    }

    public func pruneVolumes(filters: Filters) async throws -> VolumePruneReport {
        try mapped {
            let (removed, reclaimed) = try prune(filters: filters.fields)
            return VolumePruneReport(VolumesDeleted: removed, SpaceReclaimed: reclaimed)
        }
    }
}
