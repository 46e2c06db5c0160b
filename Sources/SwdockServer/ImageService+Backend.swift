import Foundation
import SwdockAPI
import SwdockEngine
import SwdockOCI
import SwdockRegistry

/// `ImageBackend` over the engine's `ImageService`: request values in, dockerd's wire shapes out.
public struct ImageServiceBackend: ImageBackend {
    public let service: ImageService

    public init(service: ImageService) { self.service = service }

    /// The engine's errors as Docker statuses.
    static func apiError(_ error: EngineError) -> APIError {
        switch error.code {
        case .invalidArgument: return .badRequest(error.message, cause: error.cause.map { "\($0)" })
        case .notFound: return .notFound(error.message)
        case .conflict: return .conflict(error.message)
        case .notSupported: return .notSupported(error.message)
        case .system: return .internalError(error.message, cause: error.cause.map { "\($0)" })
        }
    }

    func run<T>(_ body: () async throws(EngineError) -> T) async throws -> T {
        do { return try await body() } catch { throw Self.apiError(error) }
    }

    public func pullImage(_ request: ImagePullRequest, progress: @escaping @Sendable (ImagePullMessage) -> Void) async throws {
        var platform: Platform?
        if let text = request.platform {
            do { platform = try Platform(parsing: text) } catch { throw APIError.badRequest("\(error)") }
        }
        var credential: RegistryCredential?
        if let header = request.registryAuth {
            do { credential = try RegistryAuthHeader.decode(header)?.credential } catch {
                throw APIError.badRequest(error.message)
            }
        }
        let emit: @Sendable (PullProgress) -> Void = { message in progress(Self.wire(message)) }
        if request.allTags {
            _ = try await run { () async throws(EngineError) in
                try await service.pullAllTags(request.reference, platform: platform, credential: credential, progress: emit)
            }
            return
        }
        _ = try await run { () async throws(EngineError) in
            try await service.pull(request.reference, platform: platform, credential: credential, progress: emit)
        }
    }

    static func wire(_ message: PullProgress) -> ImagePullMessage {
        guard message.isLayer else { return ImagePullMessage(status: message.status, id: message.id) }
        let detail = ImagePullMessage.ProgressDetail(current: message.current, total: message.total)
        let bar = message.current.flatMap { current in ImagePullMessage.progressBar(current: current, total: message.total ?? 0) }
        return ImagePullMessage(status: message.status, progressDetail: detail, progress: bar, id: message.id)
    }

    public func listImages(all: Bool, filters: Filters, digests: Bool) async throws -> [ImageSummary] {
        try filters.validate(accepted: ["dangling", "label", "reference", "before", "since"])
        var engineFilters = ImageListFilters()
        engineFilters.dangling = try filters.bool("dangling")
        engineFilters.labels = filters.values("label")
        engineFilters.references = filters.values("reference")
        engineFilters.before = filters.values("before").first
        engineFilters.since = filters.values("since").first
        let images = try await run { () throws(EngineError) in try service.list(filters: engineFilters) }
        return images.map { image in
            var summary = Self.summary(image)
            // dockerd computes these only for /system/df.
            summary.Containers = -1
            return summary
        }
    }

    public func imageDiskUsage() async throws -> ImageDiskUsage {
        let usage = try await run { () throws(EngineError) in try service.diskUsage() }
        return ImageDiskUsage(layersSize: usage.layersSize, images: usage.images.map { entry in
            var summary = Self.summary(entry.image)
            summary.SharedSize = entry.sharedSize
            return summary
        })
    }

    static func summary(_ image: ImageDetails) -> ImageSummary {
        let dangling = image.repoTags.isEmpty && image.repoDigests.isEmpty
        return ImageSummary(Containers: image.containers, Created: image.createdNanoseconds / 1_000_000_000, Id: image.id,
                            Labels: image.config.config?.labels,
                            RepoDigests: dangling ? ["<none>@<none>"] : image.repoDigests,
                            RepoTags: dangling ? ["<none>:<none>"] : image.repoTags,
                            Size: image.size, VirtualSize: image.size)
    }

    public func inspectImage(_ name: String) async throws -> ImageInspect {
        let image = try await run { () throws(EngineError) in try service.inspect(name) }
        let config = Self.wire(image.config.config)
        return ImageInspect(Id: image.id, RepoTags: image.repoTags, RepoDigests: image.repoDigests,
                            Comment: image.config.comment ?? "", Created: image.config.created ?? "",
                            Container: image.config.container ?? "", ContainerConfig: Self.wire(image.config.containerConfig),
                            DockerVersion: image.config.dockerVersion ?? "",
                            Author: image.config.author ?? "", Config: config, Architecture: image.config.architecture,
                            Variant: image.config.variant, Os: image.config.os, OsVersion: image.config.osVersion,
                            Size: image.size, VirtualSize: image.size,
                            GraphDriver: .init(Data: nil, Name: service.snapshotter.driverName == "overlayfs" ? "overlay2" : service.snapshotter.driverName),
                            RootFS: .init(Type: image.config.rootfs.type, Layers: image.config.rootfs.diffIDs.map(\.description)),
                            Metadata: .init(LastTagTime: "0001-01-01T00:00:00Z"))
    }

    static func wire(_ config: ContainerConfig?) -> ImageContainerConfig {
        var wire = ImageContainerConfig()
        guard let config else { return wire }
        wire.User = config.user ?? ""
        wire.ExposedPorts = config.exposedPorts?.mapValues { _ in [:] }
        wire.Env = config.env
        wire.Cmd = config.cmd
        wire.ArgsEscaped = config.argsEscaped
        wire.Volumes = config.volumes?.mapValues { _ in [:] }
        wire.WorkingDir = config.workingDir ?? ""
        wire.Entrypoint = config.entrypoint
        wire.OnBuild = config.onBuild
        wire.Labels = config.labels
        wire.StopSignal = config.stopSignal
        wire.Shell = config.shell
        return wire
    }

    public func tagImage(_ name: String, repository: String, tag: String?) async throws {
        try await run { () throws(EngineError) in try service.tag(name, repository: repository, tag: tag) }
    }

    public func removeImage(_ name: String, force: Bool, noprune: Bool) async throws -> [ImageDeleteResponseItem] {
        try await run { () async throws(EngineError) in try await service.remove(name, force: force, noprune: noprune) }.map(Self.wire)
    }

    static func wire(_ item: ImageDeleteItem) -> ImageDeleteResponseItem {
        switch item {
        case .untagged(let reference): return ImageDeleteResponseItem(Untagged: reference)
        case .deleted(let id): return ImageDeleteResponseItem(Deleted: id)
        }
    }

    public func pruneImages(filters: Filters) async throws -> ImagePruneReport {
        try filters.validate(accepted: ["dangling", "label", "until"])
        let all = try filters.bool("dangling") == false
        var until: Int64?
        if let text = filters.values("until").first {
            if let seconds = Double(text) { until = Int64(seconds * 1e9) } else {
                throw APIError.badRequest("not supported: until=\(text) (only Unix timestamps)")
            }
        }
        let labels = filters.values("label")
        let (items, reclaimed) = try await run { () async throws(EngineError) in
            try await service.prune(all: all, labels: labels, untilNanoseconds: until)
        }
        return ImagePruneReport(ImagesDeleted: items.isEmpty ? nil : items.map(Self.wire), SpaceReclaimed: reclaimed)
    }

    public func imageHistory(_ name: String) async throws -> [ImageHistoryResponseItem] {
        try await run { () throws(EngineError) in try service.history(name) }.map { item in
            ImageHistoryResponseItem(Comment: item.comment, Created: item.createdSeconds, CreatedBy: item.createdBy,
                                     Id: item.id, Size: item.size, Tags: item.tags.isEmpty ? nil : item.tags)
        }
    }

    public func saveImages(_ names: [String], format: ImageArchiveFormat,
                           write: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        try await run { () async throws(EngineError) in
            switch format {
            case .docker: try await service.save(names, write: write)
            case .oci: try await service.saveOCI(names, write: write)
            }
        }
    }

    public func loadImages(archive: RequestBody) async throws -> [String] {
        try await run { () async throws(EngineError) in try await service.load(archive: archive) }
    }
}
