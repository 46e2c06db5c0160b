import Foundation
import SwdockOS

/// One engine event, as dockerd's `events.Message` carries it: what kind of object (`type`:
/// container, image, volume, network), what happened (`action`: create, start, die, …; exec
/// actions carry the command after a colon, `exec_create: echo hi`), the object (`actorID`) and
/// its attributes (name, image, exitCode, signal, the container's labels, …).
public struct EngineEvent: Sendable, Equatable {
    public var type: String
    public var action: String
    public var actorID: String
    public var attributes: [String: String]
    /// `local` for everything on one host.
    public var scope: String
    /// Nanoseconds since the epoch; strictly increasing within one bus.
    public var timeNano: Int64

    public init(type: String, action: String, actorID: String, attributes: [String: String] = [:],
                scope: String = "local", timeNano: Int64 = 0) {
        self.type = type
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        self.scope = scope
        self.timeNano = timeNano
    }
}

/// Which events a listener wants: Docker's `/events` filters. Different keys must all match;
/// several values of one key match when any does.
///
/// - `type`: the event's type; `event`: its action (`exec_create` also matches `exec_create: …`);
/// - `container`: a container event's ID (or its unique prefix) or name; `image`: a container
///   event's image attribute or an image event's ID/reference; `volume`, `network`: the actor's
///   ID or name; `label`: `key` or `key=value` among the attributes.
public struct EventFilter: Sendable, Equatable {
    public var fields: [String: [String]]

    /// The keys `/events` accepts (anything else is a 400, as dockerd).
    public static let knownKeys: Set<String> = ["container", "image", "event", "type", "label", "volume", "network", "scope"]

    public init(_ fields: [String: [String]] = [:]) throws(EngineError) {
        for key in fields.keys.sorted() where !Self.knownKeys.contains(key) {
            throw EngineError(.invalidArgument, "invalid filter '\(key)'")
        }
        self.fields = fields
    }

    public func matches(_ event: EngineEvent) -> Bool {
        for (key, values) in fields where !values.isEmpty {
            guard values.contains(where: { Self.matches(key: key, value: $0, event) }) else { return false }
        }
        return true
    }

    static func matches(key: String, value: String, _ event: EngineEvent) -> Bool {
        let name = event.attributes["name"]
        switch key {
        case "type": return event.type == value
        case "event":
            return event.action == value || event.action.hasPrefix(value + ":")
        case "scope": return event.scope == value
        case "container":
            guard event.type == "container" else { return false }
            return event.actorID == value || (value.count >= 1 && event.actorID.hasPrefix(value)) || name == value
                || "/" + (name ?? "") == value
        case "image":
            if event.type == "image" { return event.actorID == value || name == value || event.actorID == "sha256:" + value }
            guard let image = event.attributes["image"] else { return false }
            return image == value || image == value + ":latest" || image.split(separator: ":").first.map(String.init) == value
        case "volume", "network":
            return event.type == key && (event.actorID == value || name == value)
        case "label":
            if let equals = value.firstIndex(of: "=") {
                return event.attributes[String(value[..<equals])] == String(value[value.index(after: equals)...])
            }
            return event.attributes[value] != nil
        default:
            return false
        }
    }
}

/// The engine's in-memory event bus: every side publishes here, `/events` listeners subscribe.
///
/// History: the last `historyLimit` events (default 1024, dockerd keeps 256) stay in memory so
/// that `since` can replay them; nothing is kept across daemon restarts (a restarted daemon's
/// history starts empty).
public final class EventBus: @unchecked Sendable {
    public static let defaultHistoryLimit = 1024
    public let historyLimit: Int

    private struct State {
        var history: [EngineEvent] = []
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriber = 0
        var lastTime: Int64 = 0
    }
    private struct Subscriber {
        var filter: EventFilter
        var continuation: AsyncStream<EngineEvent>.Continuation
    }
    private let state = Locked(State())

    public init(historyLimit: Int = EventBus.defaultHistoryLimit) {
        self.historyLimit = max(1, historyLimit)
    }

    /// Stamps the event (now, strictly after the previous one), keeps it in the history and
    /// hands it to every subscriber whose filter matches. Never blocks on a slow listener
    /// (their streams buffer).
    public func publish(_ event: EngineEvent) {
        var event = event
        let now = Timestamp.now()
        let wall = now.seconds * 1_000_000_000 + Int64(now.nanoseconds)
        let receivers = state.withLock { state -> [AsyncStream<EngineEvent>.Continuation] in
            event.timeNano = max(wall, state.lastTime + 1)
            state.lastTime = event.timeNano
            state.history.append(event)
            if state.history.count > historyLimit { state.history.removeFirst(state.history.count - historyLimit) }
            return state.subscribers.values.filter { $0.filter.matches(event) }.map(\.continuation)
        }
        for receiver in receivers { receiver.yield(event) }
    }

    /// Publishes `action` on `actorID` of `type`.
    public func publish(type: String, action: String, actorID: String, attributes: [String: String] = [:]) {
        publish(EngineEvent(type: type, action: action, actorID: actorID, attributes: attributes))
    }

    /// The events of the history in `[since, until]` (nanoseconds; nil: unbounded).
    public func history(sinceNanoseconds since: Int64?, untilNanoseconds until: Int64?, filter: EventFilter) -> [EngineEvent] {
        state.withLock { state in
            state.history.filter { ($0.timeNano >= since ?? Int64.min) && ($0.timeNano <= until ?? Int64.max) && filter.matches($0) }
        }
    }

    /// Docker's `/events`: the matching history from `since` (none without `since`), then live
    /// events until `until` (nil: until the stream is cancelled). The history and the live part
    /// are taken under one lock, so no event is lost or repeated between them. With `until` in
    /// the past the stream ends after the history.
    public func subscribe(sinceNanoseconds since: Int64?, untilNanoseconds until: Int64?, filter: EventFilter) -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream<EngineEvent>.makeStream(bufferingPolicy: .unbounded)
        let now = Timestamp.now()
        let wall = now.seconds * 1_000_000_000 + Int64(now.nanoseconds)
        let key = state.withLock { state -> Int? in
            if let since {
                for event in state.history where event.timeNano >= since && event.timeNano <= until ?? Int64.max && filter.matches(event) {
                    continuation.yield(event)
                }
            }
            if let until, until <= wall { return nil }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = Subscriber(filter: filter, continuation: continuation)
            return key
        }
        guard let key else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        if let until {
            // Ends the stream when `until` passes: events stamped later are not delivered.
            let delay = Double(until - wall) / 1e9
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
                continuation.finish()
            }
        }
        return stream
    }

    /// How many listeners are subscribed (`/info`'s NEventsListener).
    public var listenerCount: Int { state.withLock { $0.subscribers.count } }
}
