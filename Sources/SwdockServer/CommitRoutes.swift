import Foundation
import SwdockAPI
import SwdockOS

/// `GET /containers/{id}/changes`, `POST /commit` and the import half of `POST /images/create`.
public enum CommitRoutes {
    public static func add(to router: inout Router, backend: any ContainerCommitBackend) {
        router.add(.GET, "/containers/{name*}/changes") { request in
            let changes = try await backend.containerChanges(request.parameter("name"))
            // dockerd answers a nil slice, so no changes is `null`.
            if changes.isEmpty { return APIResponse(status: .ok, headers: ["Content-Type": "application/json"], body: .bytes(Array("null\n".utf8))) }
            return try .json(changes)
        }
        router.add(.POST, "/commit") { request in
            var query = ContainerCommitQuery()
            query.repository = request.query["repo"].flatMap { $0.isEmpty ? nil : $0 }
            query.tag = request.query["tag"].flatMap { $0.isEmpty ? nil : $0 }
            query.author = request.query["author"] ?? ""
            query.comment = request.query["comment"] ?? ""
            // API ≥ 1.13 pauses unless told not to (dockerd's postCommit).
            query.pause = request.query.bool("pause", default: true) || (request.query["pause"] ?? "x").isEmpty
            query.changes = request.query.values("changes")
            query.config = request.body
            let container = request.query["container"] ?? ""
            let id = try await backend.commitContainer(container, options: query)
            struct IDResponse: Encodable { var Id: String }
            return try .json(IDResponse(Id: id), status: .created)
        }
    }

    /// `POST /images/create?fromSrc=-|URL&repo=&tag=&message=&changes=&platform=`: answers
    /// dockerd's `{"status":"sha256:…"}` line once the image exists; errors before that are
    /// plain HTTP errors (dockerd writes nothing before the import ends for `-`).
    static func importImage(_ request: APIRequest, source: String, backend: any ImageBackend) async throws -> APIResponse {
        guard let importer = backend as? any ImageImportBackend else { throw APIError.notSupported("image import (fromSrc)") }
        let from: ImageImportRequest.Source
        if source == "-" {
            from = .body(request.bodyStream)
        } else {
            // dockerd takes a bare host[/path] as http://.
            from = .url(source.contains("://") ? source : "http://" + source)
        }
        let importRequest = ImageImportRequest(source: from,
                                               repository: request.query["repo"].flatMap { $0.isEmpty ? nil : $0 },
                                               tag: request.query["tag"].flatMap { $0.isEmpty ? nil : $0 },
                                               message: request.query["message"] ?? "",
                                               changes: request.query.values("changes"),
                                               platform: request.query["platform"].flatMap { $0.isEmpty ? nil : $0 })
        let id = try await importer.importImage(importRequest) { _, _ in }
        struct Status: Encodable { var status: String }
        let line = APIJSON.encodeLine(Status(status: id))
        return .jsonStream { writer in try await writer.write(line) }
    }
}
