import Foundation
import SwdockArchive
import SwdockOCI
import SwdockOS
import SwdockRegistry

/// Where `docker import` reads its tarball from.
public enum ImageImportSource: Sendable {
    /// A descriptor (a pipe fed by the request body, or a file), read to its end.
    case descriptor(FileDescriptor)
    /// An http(s) URL, fetched by the daemon.
    case url(String)
}

/// What `docker import` asks for besides the tarball.
public struct ImageImportOptions: Sendable {
    public var repository: String?
    public var tag: String?
    /// `--message`: the config's and the history entry's comment.
    public var message: String
    /// `--change` Dockerfile instructions.
    public var changes: [String]
    /// `--platform`; nil: this host's.
    public var platform: Platform?
    /// Called once the tarball was read to its end and before anything is stored: throws when
    /// the input ended early (a client that went away mid-upload), so no partial image is made.
    public var checkInput: @Sendable () async throws -> Void = {}

    public init(repository: String? = nil, tag: String? = nil, message: String = "", changes: [String] = [], platform: Platform? = nil) {
        self.repository = repository
        self.tag = tag
        self.message = message
        self.changes = changes
        self.platform = platform
    }
}

extension ImageService {
    /// `docker import`: the (decompressed) tarball becomes the only layer of a new image whose
    /// config is an empty container Config with `changes` applied, as moby's `ImportImage`.
    /// `progress` gets (received, total) while a URL downloads. Returns the image ID.
    public func importImage(from source: ImageImportSource, options: ImageImportOptions,
                            progress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }) async throws(EngineError) -> String {
        if let platform = options.platform, platform.os != "linux" {
            throw EngineError(.invalidArgument, "operating system is not supported: \(platform.os)")
        }
        var config = ContainerConfig()
        try CommitChanges.apply(options.changes, to: &config)
        if let repository = options.repository { _ = try Self.commitReference(repository: repository, tag: options.tag) }
        do {
            return try await gate.withShared { () async throws -> String in
                let file = try scratchFile("import")
                defer { unlink(file) }
                let written = try await onThread("import tarball") { () throws -> LayerWriteResult in
                    let output = try FileDescriptor.open(file, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
                    defer { output.close() }
                    switch source {
                    case .descriptor(let input):
                        return try RootfsTarball.decompress(from: input, to: output)
                    case .url(let url):
                        let download = file + ".download"
                        defer { unlink(download) }
                        let raw = try FileDescriptor.open(download, O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
                        defer { raw.close() }
                        try URLDownload.fetch(url, to: raw, progress: progress)
                        guard lseek(raw.rawValue, 0, SEEK_SET) == 0 else {
                            throw EngineError(.system, "rewind the download of \(url)")
                        }
                        return try RootfsTarball.decompress(from: raw, to: output)
                    }
                }
                try await options.checkInput()
                let platform = options.platform ?? Platform.host
                let created = Self.rfc3339Now()
                var history: [String: Any] = ["created": created]
                if !options.message.isEmpty { history["comment"] = options.message }
                var object: [String: Any] = [
                    "architecture": platform.architecture,
                    "os": platform.os,
                    "config": try Self.dockerConfigObject(config),
                    "container_config": try Self.dockerConfigObject(ContainerConfig()),
                    "created": created,
                    "docker_version": Self.dockerVersion,
                    "history": [history],
                    "rootfs": ["type": "layers", "diff_ids": [written.diffID.description]],
                ]
                if !options.message.isEmpty { object["comment"] = options.message }
                if let variant = platform.variant { object["variant"] = variant }
                return try await storeImage(configObject: object, parentLayers: [], parentDiffIDs: [], layerFile: file,
                                            layer: written, repository: options.repository, tag: options.tag, what: "import")
            }
        } catch let error as EngineError {
            throw error
        } catch let error as ArchiveError {
            throw EngineError(.invalidArgument, "import: \(error.description)")
        } catch let error as RegistryError {
            throw EngineError(.invalidArgument, "import: \(error.description)")
        } catch {
            throw EngineError(.system, "import image", cause: ErrorDescription(error))
        }
    }

    /// Docker's full container `Config` JSON (every field, empty ones included, as Go encodes
    /// `container.Config`) carrying what `config` sets.
    static func dockerConfigObject(_ config: ContainerConfig, hostname: String = "", domainname: String = "",
                                   attachStdin: Bool = false, attachStdout: Bool = false, attachStderr: Bool = false,
                                   tty: Bool = false, openStdin: Bool = false, stdinOnce: Bool = false,
                                   image: String = "") throws -> [String: Any] {
        var object: [String: Any] = [
            "Hostname": hostname, "Domainname": domainname, "User": config.user ?? "",
            "AttachStdin": attachStdin, "AttachStdout": attachStdout, "AttachStderr": attachStderr,
            "Tty": tty, "OpenStdin": openStdin, "StdinOnce": stdinOnce,
            "Env": config.env.map { $0 as Any } ?? NSNull(),
            "Cmd": config.cmd.map { $0 as Any } ?? NSNull(),
            "Image": image,
            "Volumes": config.volumes.map { $0.mapValues { _ in [String: Any]() } as Any } ?? NSNull(),
            "WorkingDir": config.workingDir ?? "",
            "Entrypoint": config.entrypoint.map { $0 as Any } ?? NSNull(),
            "OnBuild": config.onBuild.map { $0 as Any } ?? NSNull(),
            "Labels": config.labels.map { $0 as Any } ?? NSNull(),
        ]
        if let ports = config.exposedPorts { object["ExposedPorts"] = ports.mapValues { _ in [String: Any]() } }
        if let healthcheck = config.healthcheck { object["Healthcheck"] = try jsonObject(healthcheck) }
        if config.argsEscaped == true { object["ArgsEscaped"] = true }
        if let stopSignal = config.stopSignal, !stopSignal.isEmpty { object["StopSignal"] = stopSignal }
        if let shell = config.shell { object["Shell"] = shell }
        return object
    }
}
