import NIOHTTP1
import SwdockAPI

/// `GET /events`: newline-separated JSON objects, chunked, as dockerd streams them.
public enum EventRoutes {
    public static func add(to router: inout Router, backend: any EventBackend) {
        router.add(.GET, "/events") { request in
            let since = try ContainerRoutes.time(request, "since")
            let until = try ContainerRoutes.time(request, "until")
            let events = try await backend.events(sinceNanoseconds: since, untilNanoseconds: until,
                                                  filters: try Filters(query: request.query))
            return .jsonStream { writer in
                let relay = Task {
                    for await event in events {
                        var bytes = Array(try APIResponse.encoder.encode(event))
                        bytes.append(UInt8(ascii: "\n"))
                        try await writer.write(bytes)
                    }
                }
                // The client hanging up ends the stream (and its subscription on the bus).
                let watcher = Task {
                    await writer.waitForClose()
                    relay.cancel()
                }
                defer { watcher.cancel() }
                try await withTaskCancellationHandler {
                    try await relay.value
                } onCancel: { relay.cancel() }
            }
        }
    }
}
