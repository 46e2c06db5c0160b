#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockOS

/// What `POST /images/create` asks for.
public struct ImagePullRequest: Sendable, Equatable {
    /// `fromImage` with `tag` applied: `busybox:latest`, `host:5000/app@sha256:…`.
    public var reference: String
    /// `platform` (`os/arch[/variant]`), nil when empty.
    public var platform: String?
    /// The decoded `X-Registry-Auth` header (base64url JSON), nil when absent or `{}`.
    public var registryAuth: String?
    /// `fromImage` names a repository without a tag (`docker pull --all-tags`): every tag is pulled.
    public var allTags: Bool

    public init(reference: String, platform: String? = nil, registryAuth: String? = nil, allTags: Bool = false) {
        self.reference = reference
        self.platform = platform
        self.registryAuth = registryAuth
        self.allTags = allTags
    }

    /// dockerd's `fromImage` + `tag`: a digest in `tag` pins the content, otherwise it is the tag.
    public static func reference(fromImage: String, tag: String) -> String {
        guard !tag.isEmpty else { return fromImage }
        if tag.hasPrefix("sha256:") { return fromImage + "@" + tag }
        return fromImage + ":" + tag
    }
}

/// One line of the pull stream, as dockerd's `jsonmessage.JSONMessage`.
public struct ImagePullMessage: Encodable, Sendable, Equatable {
    public var status: String
    /// Present (possibly `{}`) on layer messages.
    public var progressDetail: ProgressDetail?
    /// The bar dockerd renders (`[==>   ]  1.2MB/4.5MB`), nil when empty.
    public var progress: String?
    public var id: String?

    public struct ProgressDetail: Encodable, Sendable, Equatable {
        public var current: Int64?
        public var total: Int64?
        public init(current: Int64? = nil, total: Int64? = nil) {
            self.current = current
            self.total = total
        }
    }

    public init(status: String, progressDetail: ProgressDetail? = nil, progress: String? = nil, id: String? = nil) {
        self.status = status
        self.progressDetail = progressDetail
        self.progress = progress
        self.id = id
    }

    /// dockerd's `JSONProgress.String()` at its default width: a 50-column bar and the
    /// numbers in decimal units (`units.HumanSize`).
    public static func progressBar(current: Int64, total: Int64) -> String? {
        guard current > 0 || total > 0 else { return nil }
        guard total > 0 else { return String(repeating: " ", count: max(0, 8 - humanSize(current).count)) + humanSize(current) }
        let percentage = min(50, Int(Double(current) / Double(total) * 100) / 2)
        let bar = "[" + String(repeating: "=", count: percentage) + ">" + String(repeating: " ", count: max(0, 50 - percentage)) + "] "
        let currentText = humanSize(current)
        let padded = String(repeating: " ", count: max(0, 8 - currentText.count)) + currentText
        return bar + (current > total ? padded : padded + "/" + humanSize(total))
    }

    /// `units.HumanSize`: four significant digits, decimal units.
    public static func humanSize(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var size = Double(bytes)
        var unit = 0
        while size >= 1000 && unit < units.count - 1 {
            size /= 1000
            unit += 1
        }
        return goFormatG4(size) + units[unit]
    }

    /// Go's `%.4g` for values in [0, 1000): shortest of up to 4 significant digits.
    static func goFormatG4(_ value: Double) -> String {
        if value == 0 { return "0" }
        let digitsBefore = value >= 100 ? 3 : value >= 10 ? 2 : 1
        let decimals = max(0, 4 - digitsBefore)
        var text = CFormat.fixed(value, decimals: decimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        // Rounding up to 1000 (999.95 → "1000") is what %g prints as "1000" too.
        return text
    }

    /// The message as one line of dockerd's stream, keys in Go's field order
    /// (`status`, `progressDetail`, `progress`, `id`), ending in `\r\n`.
    public var line: [UInt8] {
        var text = "{\"status\":" + JSONQuoting.quote(status, escapingHTML: true)
        if let detail = progressDetail {
            var fields: [String] = []
            if let current = detail.current { fields.append("\"current\":\(current)") }
            if let total = detail.total { fields.append("\"total\":\(total)") }
            text += ",\"progressDetail\":{" + fields.joined(separator: ",") + "}"
        }
        if let progress { text += ",\"progress\":" + JSONQuoting.quote(progress, escapingHTML: true) }
        if let id { text += ",\"id\":" + JSONQuoting.quote(id, escapingHTML: true) }
        return Array((text + "}\r\n").utf8)
    }

    /// dockerd's mid-stream error object.
    public static func errorLine(_ message: String) -> [UInt8] {
        let quoted = JSONQuoting.quote(message, escapingHTML: true)
        return Array("{\"errorDetail\":{\"message\":\(quoted)},\"error\":\(quoted)}\r\n".utf8)
    }
}

/// JSON as dockerd writes it (`/` unescaped), one document per line ending in `\r\n`.
public enum APIJSON {
    public static func encodeLine<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var bytes = (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
        bytes += [13, 10]
        return bytes
    }
}

/// An entry of `GET /images/json` (API 1.41).
public struct ImageSummary: Codable, Sendable, Equatable {
    public var Containers: Int
    public var Created: Int64
    public var Id: String
    public var Labels: [String: String]?
    public var ParentId: String
    public var RepoDigests: [String]
    public var RepoTags: [String]
    public var SharedSize: Int64
    public var Size: Int64
    public var VirtualSize: Int64

    public init(Containers: Int, Created: Int64, Id: String, Labels: [String: String]?, ParentId: String = "",
                RepoDigests: [String], RepoTags: [String], SharedSize: Int64 = -1, Size: Int64, VirtualSize: Int64) {
        self.Containers = Containers
        self.Created = Created
        self.Id = Id
        self.Labels = Labels
        self.ParentId = ParentId
        self.RepoDigests = RepoDigests
        self.RepoTags = RepoTags
        self.SharedSize = SharedSize
        self.Size = Size
        self.VirtualSize = VirtualSize
    }

    enum CodingKeys: String, CodingKey {
        case Containers, Created, Id, Labels, ParentId, RepoDigests, RepoTags, SharedSize, Size, VirtualSize
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Containers, forKey: .Containers)
        try c.encode(Created, forKey: .Created)
        try c.encode(Id, forKey: .Id)
        if let Labels { try c.encode(Labels, forKey: .Labels) } else { try c.encodeNil(forKey: .Labels) }
        try c.encode(ParentId, forKey: .ParentId)
        try c.encode(RepoDigests, forKey: .RepoDigests)
        try c.encode(RepoTags, forKey: .RepoTags)
        try c.encode(SharedSize, forKey: .SharedSize)
        try c.encode(Size, forKey: .Size)
        try c.encode(VirtualSize, forKey: .VirtualSize)
    }
}

/// `GET /images/{name}/json` (API 1.41): dockerd's `types.ImageInspect`.
public struct ImageInspect: Codable, Sendable, Equatable {
    public var Id: String
    public var RepoTags: [String]
    public var RepoDigests: [String]
    public var Parent: String
    public var Comment: String
    public var Created: String
    public var Container: String
    public var ContainerConfig: ImageContainerConfig
    public var DockerVersion: String
    public var Author: String
    public var Config: ImageContainerConfig
    public var Architecture: String
    public var Variant: String?
    public var Os: String
    public var OsVersion: String?
    public var Size: Int64
    public var VirtualSize: Int64
    public var GraphDriver: GraphDriverData
    public var RootFS: RootFSData
    public var Metadata: MetadataData

    public struct GraphDriverData: Codable, Sendable, Equatable {
        public var Data: [String: String]?
        public var Name: String
        public init(Data: [String: String]?, Name: String) {
            self.Data = Data
            self.Name = Name
        }
        enum CodingKeys: String, CodingKey { case Data, Name }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let Data { try c.encode(Data, forKey: .Data) } else { try c.encodeNil(forKey: .Data) }
            try c.encode(Name, forKey: .Name)
        }
    }

    public struct RootFSData: Codable, Sendable, Equatable {
        public var `Type`: String
        public var Layers: [String]
        public init(Type: String, Layers: [String]) {
            self.Type = Type
            self.Layers = Layers
        }
    }

    public struct MetadataData: Codable, Sendable, Equatable {
        public var LastTagTime: String
        public init(LastTagTime: String) { self.LastTagTime = LastTagTime }
    }

    public init(Id: String, RepoTags: [String], RepoDigests: [String], Parent: String = "", Comment: String = "",
                Created: String, Container: String = "", ContainerConfig: ImageContainerConfig, DockerVersion: String = "",
                Author: String, Config: ImageContainerConfig, Architecture: String, Variant: String?, Os: String,
                OsVersion: String?, Size: Int64, VirtualSize: Int64, GraphDriver: GraphDriverData, RootFS: RootFSData,
                Metadata: MetadataData) {
        self.Id = Id
        self.RepoTags = RepoTags
        self.RepoDigests = RepoDigests
        self.Parent = Parent
        self.Comment = Comment
        self.Created = Created
        self.Container = Container
        self.ContainerConfig = ContainerConfig
        self.DockerVersion = DockerVersion
        self.Author = Author
        self.Config = Config
        self.Architecture = Architecture
        self.Variant = Variant
        self.Os = Os
        self.OsVersion = OsVersion
        self.Size = Size
        self.VirtualSize = VirtualSize
        self.GraphDriver = GraphDriver
        self.RootFS = RootFS
        self.Metadata = Metadata
    }
}

/// The `Config` of an image as dockerd renders it (`container.Config`).
public struct ImageContainerConfig: Codable, Sendable, Equatable {
    public var Hostname = ""
    public var Domainname = ""
    public var User = ""
    public var AttachStdin = false
    public var AttachStdout = false
    public var AttachStderr = false
    public var ExposedPorts: [String: [String: String]]?
    public var Tty = false
    public var OpenStdin = false
    public var StdinOnce = false
    public var Env: [String]?
    public var Cmd: [String]?
    public var ArgsEscaped: Bool?
    public var Image = ""
    public var Volumes: [String: [String: String]]?
    public var WorkingDir = ""
    public var Entrypoint: [String]?
    public var OnBuild: [String]?
    public var Labels: [String: String]?
    public var StopSignal: String?
    public var Shell: [String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case Hostname, Domainname, User, AttachStdin, AttachStdout, AttachStderr, ExposedPorts, Tty, OpenStdin,
             StdinOnce, Env, Cmd, ArgsEscaped, Image, Volumes, WorkingDir, Entrypoint, OnBuild, Labels, StopSignal, Shell
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Hostname, forKey: .Hostname)
        try c.encode(Domainname, forKey: .Domainname)
        try c.encode(User, forKey: .User)
        try c.encode(AttachStdin, forKey: .AttachStdin)
        try c.encode(AttachStdout, forKey: .AttachStdout)
        try c.encode(AttachStderr, forKey: .AttachStderr)
        try c.encodeIfPresent(ExposedPorts, forKey: .ExposedPorts)
        try c.encode(Tty, forKey: .Tty)
        try c.encode(OpenStdin, forKey: .OpenStdin)
        try c.encode(StdinOnce, forKey: .StdinOnce)
        if let Env { try c.encode(Env, forKey: .Env) } else { try c.encodeNil(forKey: .Env) }
        if let Cmd { try c.encode(Cmd, forKey: .Cmd) } else { try c.encodeNil(forKey: .Cmd) }
        try c.encodeIfPresent(ArgsEscaped, forKey: .ArgsEscaped)
        try c.encode(Image, forKey: .Image)
        if let Volumes { try c.encode(Volumes, forKey: .Volumes) } else { try c.encodeNil(forKey: .Volumes) }
        try c.encode(WorkingDir, forKey: .WorkingDir)
        if let Entrypoint { try c.encode(Entrypoint, forKey: .Entrypoint) } else { try c.encodeNil(forKey: .Entrypoint) }
        if let OnBuild { try c.encode(OnBuild, forKey: .OnBuild) } else { try c.encodeNil(forKey: .OnBuild) }
        if let Labels { try c.encode(Labels, forKey: .Labels) } else { try c.encodeNil(forKey: .Labels) }
        try c.encodeIfPresent(StopSignal, forKey: .StopSignal)
        try c.encodeIfPresent(Shell, forKey: .Shell)
    }
}

/// An entry of `DELETE /images/{name}`: exactly one of the two is set.
public struct ImageDeleteResponseItem: Codable, Sendable, Equatable {
    public var Untagged: String?
    public var Deleted: String?
    public init(Untagged: String? = nil, Deleted: String? = nil) {
        self.Untagged = Untagged
        self.Deleted = Deleted
    }
}

/// `POST /images/prune`.
public struct ImagePruneReport: Codable, Sendable, Equatable {
    public var ImagesDeleted: [ImageDeleteResponseItem]?
    public var SpaceReclaimed: Int64
    public init(ImagesDeleted: [ImageDeleteResponseItem]?, SpaceReclaimed: Int64) {
        self.ImagesDeleted = ImagesDeleted
        self.SpaceReclaimed = SpaceReclaimed
    }
    enum CodingKeys: String, CodingKey { case ImagesDeleted, SpaceReclaimed }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let ImagesDeleted { try c.encode(ImagesDeleted, forKey: .ImagesDeleted) } else { try c.encodeNil(forKey: .ImagesDeleted) }
        try c.encode(SpaceReclaimed, forKey: .SpaceReclaimed)
    }
}

/// An entry of `GET /images/{name}/history`.
public struct ImageHistoryResponseItem: Codable, Sendable, Equatable {
    public var Comment: String
    public var Created: Int64
    public var CreatedBy: String
    public var Id: String
    public var Size: Int64
    public var Tags: [String]?
    public init(Comment: String, Created: Int64, CreatedBy: String, Id: String, Size: Int64, Tags: [String]?) {
        self.Comment = Comment
        self.Created = Created
        self.CreatedBy = CreatedBy
        self.Id = Id
        self.Size = Size
        self.Tags = Tags
    }
    enum CodingKeys: String, CodingKey { case Comment, Created, CreatedBy, Id, Size, Tags }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Comment, forKey: .Comment)
        try c.encode(Created, forKey: .Created)
        try c.encode(CreatedBy, forKey: .CreatedBy)
        try c.encode(Id, forKey: .Id)
        try c.encode(Size, forKey: .Size)
        if let Tags { try c.encode(Tags, forKey: .Tags) } else { try c.encodeNil(forKey: .Tags) }
    }
}

/// The image part of `GET /system/df`: `LayersSize` and `Images` (summaries with `Containers`
/// and `SharedSize` filled in, as dockerd fills them only there).
public struct ImageDiskUsage: Sendable, Equatable {
    public var layersSize: Int64
    public var images: [ImageSummary]
    public init(layersSize: Int64, images: [ImageSummary]) {
        self.layersSize = layersSize
        self.images = images
    }
}
