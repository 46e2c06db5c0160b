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
    /// The whole body (bounded by the server's limit); empty for upload routes, which read
    /// `bodyStream` instead.
    public let body: [UInt8]
    /// The body as it arrives, for routes added with `Router.addUpload` (unbounded, read with
    /// backpressure); for every other route the already-complete `body` as one chunk.
    public var bodyStream: RequestBody
    /// The `{name}` parameters of the matched route.
    public var parameters: [String: String] = [:]

    public init(method: HTTPMethod, path: String, apiVersion: APIVersion?, query: QueryParameters,
                headers: HTTPHeaders, body: [UInt8], bodyStream: RequestBody? = nil) {
        self.method = method
        self.path = path
        self.apiVersion = apiVersion
        self.query = query
        self.headers = headers
        self.body = body
        self.bodyStream = bodyStream ?? RequestBody(bytes: body)
    }

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
