import Foundation
import SwdockArchive
import SwdockOCI
import SwdockOS

/// What `docker commit` asks for (`POST /commit`'s query and body).
public struct ContainerCommitOptions: Sendable {
    public var repository: String?
    public var tag: String?
    public var author: String
    public var comment: String
    /// Freeze the container while its layer is read (the default since API 1.13).
    public var pause: Bool
    /// `--change` Dockerfile instructions.
    public var changes: [String]
    /// The request body: a container Config (docker-py's `conf`) used instead of the
    /// container's own as the base of the new image's config; nil or empty: the container's.
    public var configJSON: [UInt8]?

    public init(repository: String? = nil, tag: String? = nil, author: String = "", comment: String = "",
                pause: Bool = true, changes: [String] = [], configJSON: [UInt8]? = nil) {
        self.repository = repository
        self.tag = tag
        self.author = author
        self.comment = comment
        self.pause = pause
        self.changes = changes
        self.configJSON = configJSON
    }
}

extension ContainerService {
    /// `POST /commit`: makes an image of the container's writable layer, as moby's
    /// `CreateImageFromContainer`: pauses a running container (unless `pause` is false), writes
    /// its layer (`LayerWriter`), builds the config from the base config with the changes
    /// applied and completed from the container's Config (moby's `merge`), lets the image side
    /// store it, tags it, and publishes the container's `commit` event. Returns the image ID.
    public func commit(_ ref: String, options: ContainerCommitOptions) async throws -> String {
        guard let committer = images as? any ImageCommitting else {
            throw EngineError(.notSupported, "not supported: commit without an image store")
        }
        let container = try await offload { try self.resolve(ref) }
        let id = container.id
        switch container.state.Status {
        case .dead: throw EngineError(.conflict, "You cannot commit container \(id) which is Dead")
        case .removing: throw EngineError(.conflict, "You cannot commit container \(id) which is being removed")
        default: break
        }
        // Everything that can be refused is checked before the container is frozen.
        let configuration = container.document.Config
        var base = Self.imageConfig(of: configuration)
        var hostConfiguration = configuration
        if let body = options.configJSON, !body.isEmpty,
           String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) != "null" {
            do {
                base = try JSONDecoder().decode(ContainerConfig.self, from: Data(body))
                hostConfiguration = try JSONDecoder().decode(ContainerConfiguration.self, from: Data(body))
            } catch {
                throw EngineError(.invalidArgument, "invalid container config in the commit request: \(error)")
            }
        }
        try CommitChanges.apply(options.changes, to: &base)
        let merged = Self.commitMerge(base, Self.imageConfig(of: configuration))
        if let repository = options.repository { _ = try ImageService.commitReference(repository: repository, tag: options.tag) }
        let configJSON: [UInt8]
        let containerJSON: [UInt8]
        do {
            let object = try ImageService.dockerConfigObject(
                merged, hostname: hostConfiguration.hostname, domainname: hostConfiguration.domainname,
                attachStdin: hostConfiguration.attachStdin, attachStdout: hostConfiguration.attachStdout,
                attachStderr: hostConfiguration.attachStderr, tty: hostConfiguration.tty,
                openStdin: hostConfiguration.openStdin, stdinOnce: hostConfiguration.stdinOnce, image: configuration.image)
            configJSON = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            containerJSON = Array(try JSONEncoder().encode(configuration))
        } catch {
            throw EngineError(.system, "encode the config of the commit of \(id)", cause: DescribedError(error))
        }

        var paused = false
        if options.pause && container.state.Status == .running {
            try await pause(id)
            paused = true
        }
        let layer: WritableLayer
        let imageID: String
        do {
            layer = try writableLayer(of: container)
            let excluded = Self.engineMountPoints
            let request = ImageCommitRequest(
                parentImageID: container.record.image, containerID: id,
                writeLayer: { outputs in
                    switch layer {
                    case .overlay(let upper, _):
                        return try LayerWriter.overlayUpper(upper, excluding: excluded, to: outputs)
                    case .tree(let tree, let image):
                        let changes = try LayerChanges.trees(new: tree, old: image, excluding: excluded)
                        return try LayerWriter.changes(changes, in: tree, to: outputs)
                    }
                },
                config: configJSON, containerConfig: containerJSON, author: options.author, comment: options.comment,
                createdBy: (configuration.cmd ?? []).joined(separator: " "),
                repository: options.repository, tag: options.tag)
            imageID = try await committer.commitImage(request)
        } catch {
            if paused { try? await unpause(id) }
            throw error
        }
        if paused { try? await unpause(id) }
        var imageRef = ""
        if let repository = options.repository,
           let normalised = try? ImageService.commitReference(repository: repository, tag: options.tag) {
            imageRef = ImageService.familiar(normalised)
        }
        emit("commit", id: id, extra: ["comment": options.comment, "imageID": imageID, "imageRef": imageRef])
        return imageID
    }

    /// The container's Config as image-config defaults (for `merge`).
    static func imageConfig(of configuration: ContainerConfiguration) -> ContainerConfig {
        var config = ContainerConfig(
            user: configuration.user.isEmpty ? nil : configuration.user,
            exposedPorts: configuration.exposedPorts.flatMap { $0.isEmpty ? nil : Dictionary(uniqueKeysWithValues: $0.map { ($0, EmptyObject()) }) },
            env: configuration.env, entrypoint: configuration.entrypoint, cmd: configuration.cmd,
            volumes: configuration.volumes.flatMap { $0.isEmpty ? nil : Dictionary(uniqueKeysWithValues: $0.map { ($0, EmptyObject()) }) },
            workingDir: configuration.workingDir.isEmpty ? nil : configuration.workingDir,
            labels: configuration.labels, stopSignal: configuration.stopSignal.isEmpty ? nil : configuration.stopSignal)
        config.argsEscaped = nil
        return config
    }

    /// moby's `daemon/commit.go` `merge(userConf, imageConf)`: what the commit's config leaves
    /// empty comes from the container's.
    static func commitMerge(_ user: ContainerConfig, _ image: ContainerConfig) -> ContainerConfig {
        var result = user
        if (result.user ?? "").isEmpty { result.user = image.user }
        if (result.exposedPorts ?? [:]).isEmpty {
            result.exposedPorts = image.exposedPorts
        } else {
            for (port, value) in image.exposedPorts ?? [:] where result.exposedPorts![port] == nil { result.exposedPorts![port] = value }
        }
        if (result.env ?? []).isEmpty {
            result.env = image.env
        } else {
            let names = Set(result.env!.map(ContainerConfiguration.envName))
            for variable in image.env ?? [] where !names.contains(ContainerConfiguration.envName(variable)) {
                result.env!.append(variable)
            }
        }
        var labels = result.labels ?? [:]
        for (key, value) in image.labels ?? [:] where labels[key] == nil { labels[key] = value }
        result.labels = labels
        if (result.entrypoint ?? []).isEmpty {
            if (result.cmd ?? []).isEmpty {
                result.cmd = image.cmd
                result.argsEscaped = image.argsEscaped
            }
            if result.entrypoint == nil { result.entrypoint = image.entrypoint }
        }
        if let theirs = image.healthcheck {
            if var ours = result.healthcheck {
                if (ours.test ?? []).isEmpty { ours.test = theirs.test }
                if (ours.interval ?? 0) == 0 { ours.interval = theirs.interval }
                if (ours.timeout ?? 0) == 0 { ours.timeout = theirs.timeout }
                if (ours.startPeriod ?? 0) == 0 { ours.startPeriod = theirs.startPeriod }
                if (ours.retries ?? 0) == 0 { ours.retries = theirs.retries }
                result.healthcheck = ours
            } else {
                result.healthcheck = theirs
            }
        }
        if (result.workingDir ?? "").isEmpty { result.workingDir = image.workingDir }
        if (result.volumes ?? [:]).isEmpty {
            result.volumes = image.volumes
        } else {
            for (path, value) in image.volumes ?? [:] { result.volumes![path] = value }
        }
        if (result.stopSignal ?? "").isEmpty { result.stopSignal = image.stopSignal }
        return result
    }
}
