import Foundation
import NIOHTTP1
import SwdockAPI
import SwdockEngine
import SwdockOS

/// `HEAD|GET|PUT /containers/{id}/archive` and `GET /containers/{id}/export`.
public enum ContainerArchiveRoutes {
    public static func add(to router: inout Router, backend: any ContainerArchiveBackend) {
        router.add(.HEAD, "/containers/{name*}/archive") { request in
            do {
                let stat = try await backend.containerPathStat(request.parameter("name"), path: try path(request))
                return APIResponse(status: .ok, headers: [ContainerPathStatResponse.header: try header(stat),
                                                          "Content-Type": "application/json"], body: .bytes([]))
            } catch let error as APIError {
                // A HEAD answer has no body: only the status tells.
                return APIResponse(status: HTTPResponseStatus(statusCode: error.status),
                                   headers: ["Content-Type": "application/json"], body: .bytes([]))
            }
        }
        router.add(.GET, "/containers/{name*}/archive") { request in
            let (stat, stream) = try await backend.containerArchive(request.parameter("name"), path: try path(request))
            return APIResponse(status: .ok, headers: ["Content-Type": "application/x-tar",
                                                      ContainerPathStatResponse.header: try header(stat)],
                               body: .stream { writer in try await pump(stream, to: writer) })
        }
        router.addUpload(.PUT, "/containers/{name*}/archive") { request in
            try await backend.extractToContainer(request.parameter("name"), path: try path(request),
                                                 noOverwriteDirNonDir: request.query.bool("noOverwriteDirNonDir"),
                                                 copyUIDGID: request.query.bool("copyUIDGID"), body: request.bodyStream)
            return APIResponse(status: .ok, body: .bytes([]))
        }
        router.add(.GET, "/containers/{name*}/export") { request in
            let stream = try await backend.exportContainer(request.parameter("name"))
            return APIResponse(status: .ok, headers: ["Content-Type": "application/x-tar"],
                               body: .stream { writer in try await pump(stream, to: writer) })
        }
    }

    /// dockerd: `path` is required ("Path cannot be empty").
    static func path(_ request: APIRequest) throws -> String {
        guard let path = request.query["path"], !path.isEmpty else { throw APIError.badRequest("Path cannot be empty") }
        return path
    }

    /// base64 of the stat's JSON, as dockerd's `setContainerPathStatHeader`.
    static func header(_ stat: ContainerPathStatResponse) throws -> String {
        Data(try OrderedJSONEncoder().encode(stat)).base64EncodedString()
    }

    static func pump(_ stream: any ArchiveByteStream, to writer: any ResponseBodyWriter) async throws {
        do {
            while true {
                let bytes = try await stream.read()
                if bytes.isEmpty { break }
                try await writer.write(bytes)
            }
        } catch {
            try? await stream.finish()
            throw error
        }
        try await stream.finish()
    }
}

extension ContainerArchiveStream: ArchiveByteStream {}

extension ContainerService: ContainerArchiveBackend {
    public func containerPathStat(_ id: String, path: String) async throws -> ContainerPathStatResponse {
        try await archiveMapped { Self.wire(try await statPath(id, path: path)) }
    }

    public func containerArchive(_ id: String, path: String) async throws -> (ContainerPathStatResponse, any ArchiveByteStream) {
        try await archiveMapped {
            let stream = try await archivePath(id, path: path)
            return (Self.wire(stream.stat!), stream)
        }
    }

    public func extractToContainer(_ id: String, path: String, noOverwriteDirNonDir: Bool, copyUIDGID: Bool,
                                   body: RequestBody) async throws {
        try await archiveMapped {
            try await extractArchive(id, path: path, noOverwriteDirNonDir: noOverwriteDirNonDir, copyUIDGID: copyUIDGID) { pipe in
                try await body.write(to: pipe)
            }
        }
    }

    public func exportContainer(_ id: String) async throws -> any ArchiveByteStream {
        try await archiveMapped { try await export(id) }
    }

    static func wire(_ stat: ContainerPathStat) -> ContainerPathStatResponse {
        ContainerPathStatResponse(name: stat.name, size: stat.size, mode: stat.mode, mtime: stat.mtime, linkTarget: stat.linkTarget)
    }

    /// Engine errors as Docker's statuses; a read-only destination is dockerd's 403.
    func archiveMapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as EngineError {
            if error.message.hasSuffix("is marked read-only") { throw APIError(status: 403, error.message) }
            throw error.apiError
        }
    }
}
