import Foundation
import SwdockAPI

/// `/images/...`: the routes served through `ImageBackend`.
public enum ImageRoutes {
    public static func add(to router: inout Router, backend: any ImageBackend) {
        // An upload route: `fromSrc=-` (import) streams its body; a pull has none.
        router.addUpload(.POST, "/images/create") { request in try await pull(request, backend: backend) }
        router.add(.GET, "/images/json") { request in
            var filters = try Filters(query: request.query)
            // The legacy `filter=NAME` parameter of API < 1.28 clients is a reference filter.
            if let legacy = request.query["filter"], !legacy.isEmpty { filters.add("reference", legacy) }
            return try .json(try await backend.listImages(all: request.query.bool("all"), filters: filters,
                                                          digests: request.query.bool("digests")))
        }
        router.add(.POST, "/images/prune") { request in
            try .json(try await backend.pruneImages(filters: try Filters(query: request.query)))
        }
        router.add(.GET, "/images/get") { request in
            try await save(request.query.values("names"), format: try archiveFormat(request), backend: backend)
        }
        router.add(.GET, "/images/{name*}/get") { request in
            try await save([request.parameter("name")], format: try archiveFormat(request), backend: backend)
        }
        // An upload route: the archive is read as it arrives, of any size (ImageService+Load).
        router.addUpload(.POST, "/images/load") { request in
            let lines = try await backend.loadImages(archive: request.bodyStream)
            struct Line: Encodable { var stream: String }
            return APIResponse.jsonStream { writer in
                for line in lines { try await writer.write(APIJSON.encodeLine(Line(stream: line + "\n"))) }
            }
        }
        router.add(.GET, "/images/{name*}/json") { request in
            try .json(try await backend.inspectImage(request.parameter("name")))
        }
        router.add(.GET, "/images/{name*}/history") { request in
            try .json(try await backend.imageHistory(request.parameter("name")))
        }
        router.add(.POST, "/images/{name*}/tag") { request in
            guard let repository = request.query["repo"], !repository.isEmpty else {
                throw APIError.badRequest("repository name must have at least one component")
            }
            try await backend.tagImage(request.parameter("name"), repository: repository, tag: request.query["tag"])
            return APIResponse(status: .created, body: .bytes([]))
        }
        router.add(.DELETE, "/images/{name*}") { request in
            try .json(try await backend.removeImage(request.parameter("name"), force: request.query.bool("force"),
                                                    noprune: request.query.bool("noprune")))
        }
    }

    /// The archive streams as `application/x-tar`; the names are resolved first so that a
    /// missing image is a plain 404.
    static func save(_ names: [String], format: ImageArchiveFormat, backend: any ImageBackend) async throws -> APIResponse {
        guard !names.isEmpty else { throw APIError.badRequest("no image names given (names=)") }
        for name in names { _ = try await backend.inspectImage(name) }
        return APIResponse(status: .ok, headers: ["Content-Type": "application/x-tar"], body: .stream { writer in
            try await backend.saveImages(names, format: format) { bytes in try await writer.write(bytes) }
        })
    }

    /// swdock's `format=docker|oci` parameter of `/images/get` (dockerd has none: docker-archive).
    static func archiveFormat(_ request: APIRequest) throws -> ImageArchiveFormat {
        guard let text = request.query["format"], !text.isEmpty else { return .docker }
        guard let format = ImageArchiveFormat(rawValue: text) else {
            throw APIError.badRequest("invalid archive format \"\(text)\": docker or oci")
        }
        return format
    }

    /// One item of the pull's progress channel.
    private enum PullItem: Sendable {
        case message(ImagePullMessage)
        case failed(any Error)
        case finished
    }

    /// Runs the pull and waits for its first message: an error before it is a plain HTTP error
    /// (as dockerd, whose first write is "Pulling from …" after the manifest resolved); after
    /// it, the messages stream as JSON lines ending in `\r\n`, and a failure ends the stream
    /// with dockerd's `{"errorDetail":{"message":…},"error":…}`.
    static func pull(_ request: APIRequest, backend: any ImageBackend) async throws -> APIResponse {
        if let source = request.query["fromSrc"], !source.isEmpty {
            return try await CommitRoutes.importImage(request, source: source, backend: backend)
        }
        guard let fromImage = request.query["fromImage"], !fromImage.isEmpty else {
            throw APIError.badRequest("fromImage or fromSrc is required")
        }
        let tag = request.query["tag"] ?? ""
        // No tag anywhere: dockerd pulls every tag of the repository (what `docker pull -a` sends).
        let allTags = tag.isEmpty && !fromImage.contains("@") && !lastComponentHasTag(fromImage)
        let platform = request.query["platform"].flatMap { $0.isEmpty ? nil : $0 }
        let pullRequest = ImagePullRequest(reference: ImagePullRequest.reference(fromImage: fromImage, tag: tag),
                                           platform: platform, registryAuth: request.headers["X-Registry-Auth"].first,
                                           allTags: allTags)
        let (items, continuation) = AsyncStream<PullItem>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            do {
                try await backend.pullImage(pullRequest) { continuation.yield(.message($0)) }
                continuation.yield(.finished)
            } catch {
                continuation.yield(.failed(error))
            }
            continuation.finish()
        }
        var iterator = items.makeAsyncIterator()
        guard let first = await iterator.next() else { throw APIError.internalError("pull ended without an answer") }
        switch first {
        case .failed(let error): throw error
        case .finished: return APIResponse.jsonStream { _ in }
        case .message(let message):
            let rest = IteratorBox(iterator)
            return APIResponse.jsonStream { writer in
                do {
                    try await writer.write(message.line)
                    while let item = await rest.next() {
                        switch item {
                        case .message(let message): try await writer.write(message.line)
                        case .failed(let error): try await writer.write(ImagePullMessage.errorLine(Self.message(of: error)))
                        case .finished: break
                        }
                    }
                } catch {
                    // The client went away: stop the pull (what it stored stays verified).
                    task.cancel()
                    throw error
                }
            }
        }
    }

    static func message(of error: any Error) -> String {
        if let error = error as? APIError { return error.message }
        return String(describing: error)
    }

    /// `name:tag` (a colon after the last slash) names a tag itself.
    static func lastComponentHasTag(_ reference: String) -> Bool {
        let last = reference.split(separator: "/").last ?? ""
        return last.contains(":")
    }

    /// Lets the stream producer continue an iterator begun by the handler.
    private final class IteratorBox: @unchecked Sendable {
        private var iterator: AsyncStream<PullItem>.AsyncIterator
        init(_ iterator: AsyncStream<PullItem>.AsyncIterator) { self.iterator = iterator }
        func next() async -> PullItem? { await iterator.next() }
    }
}
