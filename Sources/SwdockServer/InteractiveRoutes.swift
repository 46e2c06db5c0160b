import Foundation
import NIOHTTP1
import SwdockAPI

/// Attach (with stdin), resize, exec, pause/unpause and stats: the routes served through
/// `ContainerStreamsBackend`. The hijacked streams follow the trace (§3.1): `101 UPGRADED`,
/// output framed unless TTY, stdin raw, the client's half-close is the end of its stdin, and
/// the daemon closes its side when the output ends (or the client typed the detach keys).
public enum InteractiveRoutes {
    public static func add(to router: inout Router, backend: any ContainerStreamsBackend) {
        router.add(.POST, "/containers/{name*}/attach") { request in
            var options = ContainerAttachOptions()
            options.stream = request.query.bool("stream")
            options.stdout = request.query.bool("stdout")
            options.stderr = request.query.bool("stderr")
            options.logs = request.query.bool("logs")
            let keys = try detachKeys(request.query["detachKeys"], backend)
            let streams = try await backend.attachContainerStreams(request.parameter("name"), options: options,
                                                                   stdin: request.query.bool("stdin"))
            return .hijack { stream in try await pump(stream, streams, detachKeys: keys) }
        }
        router.add(.POST, "/containers/{name*}/resize") { request in
            let (height, width) = try size(request)
            try await backend.resizeContainer(request.parameter("name"), height: height, width: width)
            return APIResponse(status: .ok, body: .bytes([]))
        }
        router.add(.POST, "/containers/{name*}/exec") { request in
            let body: ExecCreateRequest
            do { body = try JSONDecoder().decode(ExecCreateRequest.self, from: Data(request.body)) } catch {
                throw APIError.badRequest("invalid exec config: \(error)")
            }
            _ = try DetachKeys(parsing: body.DetachKeys ?? "")
            return try .json(try await backend.createExec(request.parameter("name"), request: body), status: .created)
        }
        router.add(.POST, "/exec/{name*}/start") { request in
            var body = ExecStartRequest()
            if !request.body.isEmpty {
                do { body = try JSONDecoder().decode(ExecStartRequest.self, from: Data(request.body)) } catch {
                    throw APIError.badRequest("invalid exec start config: \(error)")
                }
            }
            let id = request.parameter("name")
            let inspect = try await backend.inspectExec(id)
            let keys = try detachKeys(inspect.DetachKeys, backend)
            let start = body
            if start.Detach == true {
                _ = try await backend.startExec(id, request: start)
                // dockerd answers a detached start with 200 and no body.
                return APIResponse(status: .ok, body: .bytes([]))
            }
            // As dockerd: the stream is upgraded first; a start that fails then writes its
            // error as text on it (the CLI prints it and takes the exit code from exec inspect).
            return .hijack(contentType: inspect.ProcessConfig.tty ? "application/vnd.docker.raw-stream"
                                                                  : "application/vnd.docker.multiplexed-stream") { stream in
                let streams: ContainerStreams
                do { streams = try await backend.startExec(id, request: start) } catch {
                    let message = (error as? APIError)?.message ?? "\(error)"
                    // On the stdout stream (framed unless TTY), as dockerd writes it.
                    let chunk = ContainerOutputChunk(stream: 1, bytes: Array((message + "\r\n").utf8))
                    try? await stream.write(ContainerRoutes.frame(chunk, tty: inspect.ProcessConfig.tty))
                    return
                }
                try await pump(stream, streams, detachKeys: keys)
            }
        }
        router.add(.GET, "/exec/{name*}/json") { request in
            try .json(try await backend.inspectExec(request.parameter("name")))
        }
        router.add(.POST, "/exec/{name*}/resize") { request in
            let (height, width) = try size(request)
            try await backend.resizeExec(request.parameter("name"), height: height, width: width)
            return APIResponse(status: .ok, body: .bytes([]))
        }
        router.add(.POST, "/containers/{name*}/pause") { request in
            try await backend.pauseContainer(request.parameter("name"))
            return .noContent
        }
        router.add(.POST, "/containers/{name*}/unpause") { request in
            try await backend.unpauseContainer(request.parameter("name"))
            return .noContent
        }
        router.add(.GET, "/containers/{name*}/stats") { request in
            let id = request.parameter("name")
            let streaming = request.query.bool("stream", default: true)
            let oneShot = request.query.bool("one-shot")
            if !streaming {
                var (stats, running) = try await backend.containerStats(id, previous: nil)
                if running && !oneShot {
                    // As dockerd: the answer carries the previous sample (a second earlier) as precpu.
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    stats = try await backend.containerStats(id, previous: stats).stats
                }
                return try .json(stats)
            }
            let first = try await backend.containerStats(id, previous: nil)
            return .jsonStream { writer in
                var (stats, running) = first
                let watcher = Task { await writer.waitForClose() }
                defer { watcher.cancel() }
                while true {
                    var line = try OrderedJSONEncoder().encode(stats)
                    line.append(UInt8(ascii: "\n"))
                    try await writer.write(line)
                    guard running, !writer.isClientGone else { return }
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    (stats, running) = try await backend.containerStats(id, previous: stats)
                    if !running { return }
                }
            }
        }
    }

    /// `h` and `w` of resize (dockerd: "invalid …" 400 when not numbers).
    static func size(_ request: APIRequest) throws -> (Int, Int) {
        guard let height = Int(request.query["h"] ?? ""), let width = Int(request.query["w"] ?? ""),
              height >= 0, width >= 0, height <= 65535, width <= 65535 else {
            throw APIError.badRequest("strconv.Atoi: parsing \"\(request.query["h"] ?? "")\": invalid syntax")
        }
        return (height, width)
    }

    /// The request's detach sequence, else the daemon's default.
    static func detachKeys(_ text: String?, _ backend: any ContainerStreamsBackend) throws(APIError) -> DetachKeys {
        if let text, !text.isEmpty { return try DetachKeys(parsing: text) }
        return try DetachKeys(parsing: backend.defaultDetachKeys)
    }

    /// Runs a hijacked session: the client's bytes → stdin, output → the client, framed unless
    /// TTY; closes when the output ends or on detach. As dockerd, only a TTY session watches
    /// for the detach keys: without one, stdin is binary-safe (a 0x10 0x11 in piped data is data).
    static func pump(_ stream: any HijackedStream, _ streams: ContainerStreams, detachKeys: DetachKeys) async throws {
        let input = streams.input
        let tty = streams.output.tty
        let output = Task {
            for await chunk in streams.output.chunks {
                try await stream.write(ContainerRoutes.frame(chunk, tty: tty))
            }
        }
        let reader = Task {
            var matcher = DetachKeyMatcher(detachKeys)
            for await bytes in stream.input {
                guard let input else { continue }  // no stdin: the client's bytes are dropped
                let (pass, detached) = tty ? matcher.feed(bytes) : (bytes, false)
                if !pass.isEmpty { try? await input.write(pass) }
                if detached {
                    await input.detach()
                    output.cancel()
                    return
                }
            }
            await input?.end()
        }
        defer { reader.cancel() }
        _ = await output.result
        await stream.close()
    }
}
