import NIOHTTP1
import SwdockAPI

/// Splits a request target into the version prefix, the path and the query, and applies
/// dockerd's version checks.
enum APIPath {
    enum Parsed {
        case request(APIRequest)
        /// Refused before routing; the version (when one was given) decides the error's format.
        case failure(APIError, APIVersion?)
    }

    static func parse(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) -> Parsed {
        let pathPart: Substring
        let queryPart: Substring
        if let mark = uri.firstIndex(of: "?") {
            pathPart = uri[..<mark]
            queryPart = uri[uri.index(after: mark)...]
        } else {
            pathPart = uri[...]
            queryPart = ""
        }
        var path = String(pathPart)
        var version: APIVersion?
        // dockerd's route prefix is `/v{version:[0-9.]+}`.
        if path.hasPrefix("/v") {
            let rest = path.dropFirst(2)
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            let after = rest.dropFirst(digits.count)
            if !digits.isEmpty, after.isEmpty || after.hasPrefix("/") {
                guard let parsed = APIVersion(digits) else {
                    return .failure(.badRequest("invalid API version \"\(digits)\""), nil)
                }
                if parsed > .current {
                    return .failure(.badRequest("client version \(parsed) is too new. Maximum supported API version is \(APIVersion.current)"), parsed)
                }
                if parsed < .minimum {
                    // Old clients get dockerd's plain-text form (see APIResponse.error).
                    return .failure(APIError(status: 400, "client version \(parsed) is too old. Minimum supported API version is \(APIVersion.minimum), please upgrade your client to a newer version"), parsed)
                }
                version = parsed
                path = after.isEmpty ? "/" : String(after)
            }
        }
        return .request(APIRequest(method: method, path: path, apiVersion: version, query: QueryParameters(queryPart),
                                   headers: headers, body: body))
    }
}
