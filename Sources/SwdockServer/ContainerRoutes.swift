import NIOHTTP1
import SwdockAPI

/// `/containers/...`: the routes served through `ContainerBackend`.
public enum ContainerRoutes {
    public static func add(to router: inout Router, backend: any ContainerBackend) {
        router.add(.POST, "/containers/create") { request in
            let body = try ContainerCreateRequest.decode(request.body)
            let name = request.query["name"].flatMap { $0.isEmpty ? nil : $0 }
            return try .json(try await backend.createContainer(name: name, request: body), status: .created)
        }
        router.add(.GET, "/containers/json") { request in
            var query = ContainerListQuery()
            query.all = request.query.bool("all")
            query.limit = try request.query.int("limit", default: 0)
            query.size = request.query.bool("size")
            query.filters = try Filters(query: request.query)
            return try .json(try await backend.listContainers(query))
        }
        router.add(.POST, "/containers/prune") { request in
            try .json(try await backend.pruneContainers(filters: try Filters(query: request.query)))
        }
        router.add(.POST, "/containers/{name*}/start") { request in
            try await backend.startContainer(request.parameter("name")) ? .noContent : .error(.notModified())
        }
        router.add(.POST, "/containers/{name*}/stop") { request in
            try await backend.stopContainer(request.parameter("name"), timeout: try timeout(request)) ? .noContent : .error(.notModified())
        }
        router.add(.POST, "/containers/{name*}/restart") { request in
            try await backend.restartContainer(request.parameter("name"), timeout: try timeout(request))
            return .noContent
        }
        router.add(.POST, "/containers/{name*}/kill") { request in
            try await backend.killContainer(request.parameter("name"), signal: request.query["signal"] ?? "")
            return .noContent
        }
        router.add(.POST, "/containers/{name*}/wait") { request in
            let handle = try await backend.waitContainer(request.parameter("name"), condition: request.query["condition"] ?? "")
            // Headers go out now (the CLI sends start only after it has them); the body at the condition.
            return .jsonStream { writer in
                let watcher = Task {
                    await writer.waitForClose()
                    handle.cancel()
                }
                defer { watcher.cancel() }
                guard let result = await handle.result() else { return }
                var bytes = try OrderedJSONEncoder().encode(result)
                bytes.append(UInt8(ascii: "\n"))
                try await writer.write(bytes)
            }
        }
        // attach (with stdin), resize, exec, pause, stats
        InteractiveRoutes.add(to: &router, backend: backend)
        router.add(.GET, "/containers/{name*}/logs") { request in
            var options = ContainerLogsOptions()
            options.stdout = request.query.bool("stdout")
            options.stderr = request.query.bool("stderr")
            guard options.stdout || options.stderr else {
                throw APIError.badRequest("Bad parameters: you must choose at least one stream")
            }
            options.follow = request.query.bool("follow")
            options.timestamps = request.query.bool("timestamps")
            if let tail = request.query["tail"], let count = Int(tail), count >= 0 { options.tail = count }
            options.sinceNanoseconds = try time(request, "since")
            options.untilNanoseconds = try time(request, "until")
            let output = try await backend.containerLogs(request.parameter("name"), options: options)
            // dockerd 20.10 sends no Content-Type on logs at API 1.41.
            return APIResponse(status: .ok, body: .stream { writer in
                let pump = Task {
                    for await chunk in output.chunks { try await writer.write(frame(chunk, tty: output.tty)) }
                }
                // A follower that hangs up while the container is silent ends the follow too.
                let watcher = Task {
                    await writer.waitForClose()
                    pump.cancel()
                }
                defer { watcher.cancel() }
                try await pump.value
            })
        }
        router.add(.GET, "/containers/{name*}/json") { request in
            try .json(try await backend.inspectContainer(request.parameter("name"), size: request.query.bool("size")))
        }
        router.add(.GET, "/containers/{name*}/top") { request in
            try .json(try await backend.topContainer(request.parameter("name"), psArgs: request.query["ps_args"] ?? ""))
        }
        router.add(.POST, "/containers/{name*}/rename") { request in
            try await backend.renameContainer(request.parameter("name"), to: request.query["name"] ?? "")
            return .noContent
        }
        router.add(.DELETE, "/containers/{name*}") { request in
            try await backend.removeContainer(request.parameter("name"), force: request.query.bool("force"),
                                              volumes: request.query.bool("v"))
            return .noContent
        }
    }

    /// Docker's stream framing without a TTY: `[stream, 0, 0, 0, size (big-endian u32)]` + bytes.
    static func frame(_ chunk: ContainerOutputChunk, tty: Bool) -> [UInt8] {
        if tty { return chunk.bytes }
        let size = UInt32(chunk.bytes.count)
        var bytes: [UInt8] = [chunk.stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff),
                              UInt8(size & 0xff)]
        bytes.append(contentsOf: chunk.bytes)
        return bytes
    }

    /// `t` of stop/restart: seconds; absent means the container's or the daemon's default.
    static func timeout(_ request: APIRequest) throws -> Int? {
        guard let text = request.query["t"], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw APIError.badRequest("invalid value for t: \(text)") }
        return value
    }

    /// `since`/`until` of logs: Unix seconds with an optional fraction (`1700000000.5`); 0 or
    /// absent means no bound.
    static func time(_ request: APIRequest, _ name: String) throws -> Int64? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else { throw APIError.badRequest("invalid value for \(name): \(text)") }
        var nanoseconds: Int64 = 0
        if parts.count == 2 {
            var digits = String(parts[1].prefix(9))
            guard digits.allSatisfy(\.isNumber) else { throw APIError.badRequest("invalid value for \(name): \(text)") }
            while digits.count < 9 { digits += "0" }
            nanoseconds = Int64(digits) ?? 0
        }
        let total = seconds * 1_000_000_000 + nanoseconds
        return total == 0 ? nil : total
    }
}
