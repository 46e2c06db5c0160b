import NIOHTTP1
import SwdockAPI

/// One decoded request as a route handler sees it.
public struct APIRequest: Sendable {
    public let method: HTTPMethod
    /// The path without the `/v1.NN` prefix and without the query (`/containers/json`).
    public let path: String
    /// The API version of the `/v1.NN` prefix; nil for unversioned paths (meaning the current one).
    public let apiVersion: APIVersion?
    public let query: QueryParameters
    public let headers: HTTPHeaders
    /// The whole body (bounded by the server's limit).
    public let body: [UInt8]
    /// The `{name}` parameters of the matched route.
    public var parameters: [String: String] = [:]

    /// The version the request speaks: its prefix, or the server's own when unversioned.
    public var effectiveVersion: APIVersion { apiVersion ?? .current }

    /// The route parameter `name` (always present for a matched route).
    public func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// True when the client asked to take over the connection (`Connection: Upgrade`, `Upgrade: tcp`).
    public var wantsUpgrade: Bool {
        headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
            && headers["upgrade"].contains { $0.lowercased() == "tcp" }
    }
}
