/// `GET /system/df`: what images, containers, volumes and the build cache use on disk, in
/// dockerd's shape. Each side of the engine fills its part (SystemRoutes assembles them).
public struct SystemDiskUsage: Codable, Sendable, Equatable {
    public var LayersSize: Int64 = 0
    public var Images: [ImageSummary] = []
    public var Containers: [ContainerSummary] = []
    /// Volumes come with the volume service; until then the list is empty, as on a dockerd without volumes.
    public var Volumes: [JSONValue] = []
    /// swdock has no builder: always empty, as dockerd without BuildKit history.
    public var BuildCache: [JSONValue] = []
    public var BuilderSize: Int64 = 0
    public init() {}
}
