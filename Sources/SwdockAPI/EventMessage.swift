/// One object of the `/events` stream, as dockerd writes it (`events.Message`), including the
/// legacy `status`/`id`/`from` fields that dockerd still fills for container and image events.
public struct EventMessage: Codable, Sendable, Equatable {
    public var status: String?
    public var id: String?
    public var from: String?
    public var `Type`: String
    public var Action: String
    public var Actor: EventActor
    public var scope: String
    public var time: Int64
    public var timeNano: Int64

    public init(type: String, action: String, actor: EventActor, scope: String, timeNano: Int64) {
        self.Type = type
        self.Action = action
        self.Actor = actor
        self.scope = scope
        self.timeNano = timeNano
        self.time = timeNano / 1_000_000_000
        // dockerd's legacy fields: only container and image events carry them.
        if type == "container" || type == "image" {
            status = action
            id = actor.ID
            from = type == "container" ? actor.Attributes["image"] : nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case status, id, from, `Type` = "Type", Action, Actor, scope, time, timeNano
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encode(Type, forKey: .Type)
        try c.encode(Action, forKey: .Action)
        try c.encode(Actor, forKey: .Actor)
        try c.encode(scope, forKey: .scope)
        try c.encode(time, forKey: .time)
        try c.encode(timeNano, forKey: .timeNano)
    }
}

/// `Actor` of an event: the object's ID and its attributes (name, image, exitCode, labels…).
public struct EventActor: Codable, Sendable, Equatable {
    public var ID: String
    public var Attributes: [String: String]
    public init(ID: String, Attributes: [String: String]) { self.ID = ID; self.Attributes = Attributes }
}

/// `/events` as the API server sees it.
public protocol EventBackend: Sendable {
    /// `GET /events?since=&until=&filters=`: times are nanoseconds since the epoch (nil: no
    /// bound). The stream yields the matching history from `since`, then live events, and ends
    /// at `until`. Unknown filter keys are a 400.
    func events(sinceNanoseconds: Int64?, untilNanoseconds: Int64?, filters: Filters) async throws -> AsyncStream<EventMessage>
}
