import NIOHTTP1
import SwdockAPI

/// A route handler: gets the request with its path parameters, answers or throws (`APIError` for
/// Docker's statuses, anything else becomes 500).
public typealias RouteHandler = @Sendable (APIRequest) async throws -> APIResponse

/// A path pattern in Docker's style: literal segments, `{name}` for one segment, and `{name*}`
/// for one or more segments (dockerd's `{name:.*}`, so image references with slashes and colons
/// fit: `/images/{name*}/json` matches `/images/localhost:5000/busybox:latest/json`).
public struct RoutePattern: Sendable, CustomStringConvertible {
    enum Segment: Sendable {
        case literal(String)
        case parameter(String)
        case greedy(String)
    }

    let segments: [Segment]
    public let description: String

    public init(_ pattern: String) {
        description = pattern
        segments = pattern.split(separator: "/").map { part in
            if part.hasPrefix("{"), part.hasSuffix("*}") { return .greedy(String(part.dropFirst().dropLast(2))) }
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
    }

    /// The parameters when `path` matches; greedy parameters take as many segments as they can.
    public func match(_ path: String) -> [String: String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        // "/" splits into ["", ""]; a trailing slash leaves an empty last segment that never matches.
        var result: [String: String] = [:]
        return Self.match(segments[...], parts[...], &result) ? result : nil
    }

    private static func match(_ segments: ArraySlice<Segment>, _ parts: ArraySlice<String>,
                              _ result: inout [String: String]) -> Bool {
        guard let first = segments.first else { return parts.isEmpty }
        switch first {
        case .literal(let text):
            guard parts.first == text else { return false }
            return match(segments.dropFirst(), parts.dropFirst(), &result)
        case .parameter(let name):
            guard let part = parts.first, !part.isEmpty else { return false }
            result[name] = part
            return match(segments.dropFirst(), parts.dropFirst(), &result)
        case .greedy(let name):
            // Longest first, as a greedy regex would.
            var take = parts.count
            while take >= 1 {
                let value = parts.prefix(take).joined(separator: "/")
                if !value.isEmpty, match(segments.dropFirst(), parts.dropFirst(take), &result) {
                    result[name] = value
                    return true
                }
                take -= 1
            }
            return false
        }
    }
}

/// Matches requests to handlers. Routes are tried in the order they were added; routes without
/// a handler are Docker endpoints swdock does not serve yet and answer 501.
public struct Router: Sendable {
    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: RoutePattern
        let handler: RouteHandler?
        var streamsBody = false
    }

    private var routes: [Route] = []

    public init() {}

    /// Serves `method pattern` with `handler`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(Route(method: method, pattern: RoutePattern(pattern), handler: handler))
    }

    /// Serves `method pattern` with `handler`, which reads the body from `bodyStream` as it
    /// arrives (no size limit; the connection reads on as the handler consumes). For archive
    /// uploads: `POST /images/load`, `PUT /containers/{id}/archive`, imports.
    public mutating func addUpload(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(Route(method: method, pattern: RoutePattern(pattern), handler: handler, streamsBody: true))
    }

    /// True when the request's route was added with `addUpload` (decided from the head alone).
    public func streamsBody(_ method: HTTPMethod, path: String) -> Bool {
        for route in routes where route.method == method {
            if route.pattern.match(path) != nil { return route.streamsBody }
        }
        return false
    }

    /// Declares a Docker endpoint that is known but not implemented: it answers
    /// 501 `not supported: METHOD PATTERN`.
    public mutating func declare(_ method: HTTPMethod, _ pattern: String) {
        routes.append(Route(method: method, pattern: RoutePattern(pattern), handler: nil))
    }

    /// The handler for a request (with its parameters filled in), a 501 for declared routes, and
    /// 404 "page not found" for everything else, including a known path with another method
    /// (dockerd answers both the same way).
    public func resolve(_ request: APIRequest) -> (RouteHandler, APIRequest) {
        var request = request
        for route in routes where route.method == request.method {
            guard let parameters = route.pattern.match(request.path) else { continue }
            request.parameters = parameters
            guard let handler = route.handler else {
                let what = "\(route.method.rawValue) \(route.pattern)"
                return ({ _ in throw APIError.notSupported("\(what) is not implemented by swdockd yet") }, request)
            }
            return (handler, request)
        }
        return ({ _ in throw APIError.pageNotFound }, request)
    }
}
