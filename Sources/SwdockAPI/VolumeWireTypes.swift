/// A volume as `GET /volumes/{name}` and `GET /volumes` show it (Docker's `volume.Volume`).
public struct VolumeInfo: Codable, Sendable, Equatable {
    public var CreatedAt: String
    public var Driver: String
    public var Labels: [String: String]
    public var Mountpoint: String
    public var Name: String
    public var Options: [String: String]
    public var Scope: String
    public init(CreatedAt: String, Driver: String, Labels: [String: String], Mountpoint: String, Name: String,
                Options: [String: String], Scope: String = "local") {
        self.CreatedAt = CreatedAt
        self.Driver = Driver
        self.Labels = Labels
        self.Mountpoint = Mountpoint
        self.Name = Name
        self.Options = Options
        self.Scope = Scope
    }
}

/// `GET /volumes`' body.
public struct VolumeListResponse: Codable, Sendable, Equatable {
    public var Volumes: [VolumeInfo]
    public var Warnings: [String]
    public init(Volumes: [VolumeInfo], Warnings: [String] = []) { self.Volumes = Volumes; self.Warnings = Warnings }
}

/// `POST /volumes/create`'s body (every key optional, as the CLI and docker-py send it).
public struct VolumeCreateRequest: Codable, Sendable, Equatable {
    public var Name: String?
    public var Driver: String?
    public var DriverOpts: [String: String]?
    public var Labels: [String: String]?
    public init(Name: String? = nil, Driver: String? = nil, DriverOpts: [String: String]? = nil, Labels: [String: String]? = nil) {
        self.Name = Name
        self.Driver = Driver
        self.DriverOpts = DriverOpts
        self.Labels = Labels
    }
}

/// `POST /volumes/prune`'s body.
public struct VolumePruneReport: Codable, Sendable, Equatable {
    public var VolumesDeleted: [String]
    public var SpaceReclaimed: Int64
    public init(VolumesDeleted: [String], SpaceReclaimed: Int64) { self.VolumesDeleted = VolumesDeleted; self.SpaceReclaimed = SpaceReclaimed }
}
