import SwdockAPI
import SwdockEngine

/// `/events` served from the engine's bus.
extension EventBus: EventBackend {
    public func events(sinceNanoseconds: Int64?, untilNanoseconds: Int64?, filters: Filters) async throws -> AsyncStream<EventMessage> {
        let filter: EventFilter
        do { filter = try EventFilter(filters.fields.mapValues { $0.sorted() }) } catch { throw error.apiError }
        let events = subscribe(sinceNanoseconds: sinceNanoseconds, untilNanoseconds: untilNanoseconds, filter: filter)
        let (stream, continuation) = AsyncStream<EventMessage>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            for await event in events {
                continuation.yield(EventMessage(type: event.type, action: event.action,
                                                actor: EventActor(ID: event.actorID, Attributes: event.attributes),
                                                scope: event.scope, timeNano: event.timeNano))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
