/// The engine's image side as the API server sees it: pull (`POST /images/create`), list,
/// inspect, tag, remove, prune, history, save/load. Wire types live in `Image*.swift` here.
public protocol ImageBackend: Sendable {
    /// `POST /images/create?fromImage=&tag=`: pulls and calls `progress` with each message in
    /// order. An error thrown before the first message becomes the HTTP answer; after it, the
    /// server ends the stream with an `errorDetail` message.
    func pullImage(_ request: ImagePullRequest, progress: @escaping @Sendable (ImagePullMessage) -> Void) async throws
    /// `GET /images/json`.
    func listImages(all: Bool, filters: Filters, digests: Bool) async throws -> [ImageSummary]
    /// `GET /images/{name}/json`.
    func inspectImage(_ name: String) async throws -> ImageInspect
    /// `POST /images/{name}/tag?repo=&tag=`.
    func tagImage(_ name: String, repository: String, tag: String?) async throws
    /// `DELETE /images/{name}?force=&noprune=`.
    func removeImage(_ name: String, force: Bool, noprune: Bool) async throws -> [ImageDeleteResponseItem]
    /// `POST /images/prune?filters=`.
    func pruneImages(filters: Filters) async throws -> ImagePruneReport
    /// `GET /images/{name}/history`.
    func imageHistory(_ name: String) async throws -> [ImageHistoryResponseItem]
    /// `GET /images/get?names=…`, `GET /images/{name}/get`: a docker-archive tar, or with
    /// `format` `oci` (swdock's `format=oci` query parameter) an OCI image layout tar, written
    /// through `write` as it is produced.
    func saveImages(_ names: [String], format: ImageArchiveFormat, write: @escaping @Sendable ([UInt8]) async throws -> Void) async throws
    /// The image part of `GET /system/df`.
    func imageDiskUsage() async throws -> ImageDiskUsage
    /// `POST /images/load`: loads a docker-archive or an OCI image layout tar of any size, read
    /// from the request as it arrives; returns dockerd's lines ("Loaded image: x").
    func loadImages(archive: RequestBody) async throws -> [String]
}

/// The tar formats `docker save` / `swdock save` write.
public enum ImageArchiveFormat: String, Sendable, CaseIterable {
    /// `manifest.json` + `<config>.json` + `<diffID>/layer.tar` (what dockerd reads and writes).
    case docker
    /// An OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) plus `manifest.json`.
    case oci
}
