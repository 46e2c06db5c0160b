/// One entry of a registry's JSON error body (`{"errors":[{"code":…,"message":…}]}`).
public struct RegistryErrorDetail: Hashable, Sendable, Decodable {
    public let code: String
    public let message: String?

    /// As Docker prints it: `manifest unknown: manifest unknown`, `unauthorized: authentication required`.
    public var rendered: String {
        let name = code.lowercased().replacingOccurrences(of: "_", with: " ")
        guard let message, !message.isEmpty else { return name }
        return "\(name): \(message)"
    }
}

/// The error of the distribution client: what failed, for which repository or blob, and why.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case unauthorized, denied, manifestUnknown, nameUnknown, blobUnknown, notFound, tooManyRequests
        /// Something the client refuses on purpose (schema 1, an unknown media type).
        case unsupported
        case digestMismatch, sizeMismatch
        /// The connection failed (refused, reset, TLS) after the retries.
        case transport
        /// The registry answered with an unexpected status or a body that could not be read.
        case badResponse
        case noMatchingPlatform
        /// The content store failed.
        case content
        case cancelled
        case invalidArgument
    }

    public let code: Code
    public let message: String
    public let httpStatus: Int?
    public let details: [RegistryErrorDetail]
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil, details: [RegistryErrorDetail] = [],
                cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.details = details
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    /// Whether another attempt may succeed (5xx, 429, connection trouble).
    var isRetryable: Bool {
        switch code {
        case .transport, .tooManyRequests: return true
        case .badResponse: return (httpStatus ?? 0) >= 500
        default: return false
        }
    }
}

import Foundation

extension RegistryError {
    /// Builds the error for a non-success HTTP answer to `step`, keeping the registry's codes
    /// and messages (`unauthorized: …`, `manifest unknown: …`).
    static func fromResponse(status: Int, body: [UInt8], step: String) -> RegistryError {
        struct Body: Decodable { var errors: [RegistryErrorDetail]? ; var details: String? }
        let parsed = try? JSONDecoder().decode(Body.self, from: Data(body.prefix(64 * 1024)))
        let details = parsed?.errors ?? []
        var text = details.map(\.rendered).joined(separator: "; ")
        if text.isEmpty, let more = parsed?.details { text = more }
        if text.isEmpty {
            let raw = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            text = raw.isEmpty || raw.hasPrefix("<") ? "HTTP status \(status)" : raw
        }
        let first = details.first?.code
        let code: Code
        switch (status, first) {
        case (_, "UNAUTHORIZED"), (401, _): code = .unauthorized
        case (_, "DENIED"), (403, _): code = .denied
        case (_, "MANIFEST_UNKNOWN"): code = .manifestUnknown
        case (_, "NAME_UNKNOWN"): code = .nameUnknown
        case (_, "BLOB_UNKNOWN"): code = .blobUnknown
        case (429, _), (_, "TOOMANYREQUESTS"): code = .tooManyRequests
        case (404, _): code = .notFound
        default: code = .badResponse
        }
        if code == .unauthorized && !text.lowercased().hasPrefix("unauthorized") { text = "unauthorized: " + text }
        return RegistryError(code, "\(step): \(text)", httpStatus: status, details: details)
    }
}
