import SwdockOS

/// What the store keeps of a container besides its state (the record's `config` column, JSON):
/// the create request merged with the image as Docker's inspect shows it, and what the engine
/// decided at create. Version 1.
struct ContainerDocument: Codable, Sendable {
    var Version = 1
    /// The merged `Config` (Docker's shape).
    var Config: ContainerConfiguration
    /// The adapted `HostConfig` (Docker's shape; NetworkMode as resolved).
    var HostConfig: HostConfiguration
    var Path: String
    var Args: [String]
    /// The runtime name the container runs with.
    var Runtime: String
    /// The storage driver of its snapshot (`overlayfs`, …).
    var Driver: String
    /// The image's chain ID (its committed snapshot), nil for an image without layers.
    var ChainID: String?
    var RestartCount = 0
    /// Docker's HasBeenManuallyStopped: the user stopped or killed it (no restart policy
    /// applies; `unless-stopped` stays down at daemon start). nil: not stopped by the user.
    var ManuallyStopped: Bool?
    /// Mounts other than Docker's standard ones, for inspect's `Mounts`.
    var Mounts: [ContainerMountPoint]
    /// The json-file log, nil with log driver `none`.
    var LogPath: String?
    var LogMaxSize: Int64?
    var LogMaxFiles: Int
}

/// One entry of inspect's `Mounts` (Docker's `types.MountPoint`).
public struct ContainerMountPoint: Codable, Sendable, Equatable {
    public var `Type`: String
    /// The volume's name (type volume only).
    public var Name: String?
    public var Source: String
    public var Destination: String
    /// The volume's driver (type volume only).
    public var Driver: String?
    public var Mode: String
    public var RW: Bool
    public var Propagation: String
    /// The volume was created for this container (removed by `rm -v` and `--rm`).
    public var Anonymous: Bool?
}

/// The service's view of one container for list, inspect and df.
public struct ContainerInfo: Sendable {
    public var id: String
    /// `/name`.
    public var name: String
    public var created: Timestamp
    public var path: String
    public var args: [String]
    public var state: ContainerState
    /// `sha256:…` of the image.
    public var imageID: String
    public var config: ContainerConfiguration
    public var hostConfig: HostConfiguration
    public var runtime: String
    public var restartCount: Int
    public var resolvConfPath: String
    public var hostnamePath: String
    public var hostsPath: String
    public var logPath: String
    public var driver: String
    /// GraphDriver.Data (LowerDir, UpperDir, WorkDir, MergedDir for overlay).
    public var graphDriverData: [String: String]
    public var mounts: [ContainerMountPoint]
    /// Bytes the container wrote (its snapshot), when sizes were asked for.
    public var sizeRw: Int64?
    /// The container's whole filesystem (its layer plus the image's), when sizes were asked for.
    public var sizeRootFs: Int64?
    /// NetworkSettings (nil: the engine runs without networking).
    public var network: ContainerNetworkInfo? = nil

    /// `Command` of `docker ps`: the path and arguments joined by spaces.
    public var command: String { ([path] + args).joined(separator: " ") }
}

/// What `create` answers.
public struct ContainerCreated: Sendable, Equatable {
    public var id: String
    public var warnings: [String]
}

/// A lower-layer error kept as its text (for causes that are not Sendable, like Foundation's).
struct DescribedError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = "\(error)" }
}
