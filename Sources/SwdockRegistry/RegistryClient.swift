#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockContent
import SwdockOCI
import SwdockOS

/// A manifest document as fetched: its exact bytes (the digest is over them), what it is, and
/// the digest that was verified.
public struct FetchedManifest: Sendable {
    public let bytes: [UInt8]
    public let digest: Digest
    public let mediaType: String
    public let kind: ManifestKind
}

/// A repository on one endpoint: where blobs and manifests of an image are fetched from.
public struct RegistryRepository: Sendable, Hashable, CustomStringConvertible {
    public let endpoint: RegistryEndpoint
    /// The repository path (`library/busybox`).
    public let path: String
    public init(endpoint: RegistryEndpoint, path: String) {
        self.endpoint = endpoint
        self.path = path
    }
    public var description: String { "\(endpoint.host)/\(path)" }
    var pullScope: String { "repository:\(path):pull" }
}

/// Progress of one blob download: bytes of the blob present so far, and its size.
public typealias BlobProgress = @Sendable (_ current: Int64, _ total: Int64) -> Void

/// How a blob fetch ended.
public struct BlobFetchOutcome: Sendable, Hashable {
    /// The blob was in the store already (or another writer stored it meanwhile).
    public let alreadyExists: Bool
    /// Bytes that came over the network in this fetch.
    public let bytesDownloaded: Int64
    /// Bytes taken from an interrupted earlier ingest (re-hashed, not downloaded).
    public let resumedFrom: Int64
    /// Attempts made (1 when nothing had to be retried).
    public let attempts: Int
}

/// The distribution client (OCI distribution-spec / Docker registry API v2) on libcurl.
///
/// It probes `/v2/` once per host (choosing https, or http for insecure hosts), authenticates
/// (anonymous, Basic, Bearer token flow with tokens cached per scope, one retry on 401), fetches
/// manifests with digest checks, and downloads blobs into a `ContentStore` with retries,
/// back-off and Range resume. Transfers run on its own threads; its methods are `async`.
public final class RegistryClient: Sendable {
    public let configuration: RegistryConfiguration
    public let credentials: any CredentialSource
    let workers: CurlWorkers
    private let state = Locked(ClientState())

    struct HostInfo: Sendable {
        let baseURL: String
        let tls: TLSSettings
        var challenge: AuthChallenge?
    }

    struct CachedToken: Sendable {
        let token: String
        let expires: ContinuousClock.Instant
    }

    struct ClientState: Sendable {
        var hosts: [RegistryEndpoint: HostInfo] = [:]
        var tokens: [String: CachedToken] = [:]
        var caBundles: [String: String] = [:]
    }

    public init(configuration: RegistryConfiguration = RegistryConfiguration(),
                credentials: any CredentialSource = AnonymousCredentials()) {
        self.configuration = configuration
        self.credentials = credentials
        // One thread per parallel download plus one so manifests and tokens never queue behind blobs.
        workers = CurlWorkers(threads: configuration.maxConcurrentDownloads + 1)
    }

    deinit {
        workers.shutdown()
        // The combined CA bundles curl reads are this client's own temporary files.
        for path in state.withLock({ Array($0.caBundles.values) }) { unlink(path) }
    }

    // MARK: Probe and TLS

    /// Probes `GET /v2/` on the endpoint (once; the result is cached) and returns what was learnt.
    func hostInfo(_ endpoint: RegistryEndpoint) async throws(RegistryError) -> HostInfo {
        if let known = state.withLock({ $0.hosts[endpoint] }) { return known }
        let insecure = configuration.isInsecure(endpoint.host)
        var tls = tlsSettings(for: endpoint.host)
        var schemes: [String]
        if let scheme = endpoint.scheme {
            schemes = [scheme]
        } else {
            schemes = insecure ? ["https", "http"] : ["https"]
        }
        if insecure { tls.verify = false }
        var lastError: RegistryError?
        for scheme in schemes {
            if scheme == "http" && !insecure && endpoint.scheme != "http" { continue }
            let base = "\(scheme)://\(endpoint.host)\(endpoint.pathPrefix)"
            let request = HTTPRequest(url: base + "/v2/", tls: tls)
            do throws(RegistryError) {
                let response = try await perform(request, step: "probe \(base)/v2/", attempts: 2)
                var info = HostInfo(baseURL: base, tls: tls, challenge: nil)
                if response.status == 401, let header = response.header("www-authenticate") {
                    info.challenge = AuthChallenge.parse(header).first { $0.scheme == "bearer" }
                        ?? AuthChallenge.parse(header).first
                } else if response.status == 404 {
                    throw RegistryError(.badResponse, "probe \(base)/v2/: not a registry (404)", httpStatus: 404)
                }
                let stored = info
                state.withLock { $0.hosts[endpoint] = stored }
                return info
            } catch {
                lastError = error
                guard error.code == .transport else { throw error }
            }
        }
        throw lastError ?? RegistryError(.transport, "probe \(endpoint.host): no usable scheme")
    }

    /// TLS settings from `certs.d/<host>`: CAs added to the system bundle, a client pair.
    func tlsSettings(for host: String) -> TLSSettings {
        var settings = TLSSettings()
        let directory = configuration.certsDirectory + "/" + host
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return settings }
        let cas = names.filter { $0.hasSuffix(".crt") }.sorted()
        if !cas.isEmpty {
            if let bundle = state.withLock({ $0.caBundles[host] }) {
                settings.caBundle = bundle
            } else {
                var pem = Data()
                if let system = configuration.systemCABundle, let data = FileManager.default.contents(atPath: system) {
                    pem.append(data)
                    pem.append(10)
                }
                for name in cas {
                    if let data = FileManager.default.contents(atPath: directory + "/" + name) {
                        pem.append(data)
                        pem.append(10)
                    }
                }
                let path = NSTemporaryDirectory() + "swdock-ca-\(getpid())-\(host.replacingOccurrences(of: "/", with: "_")).pem"
                if FileManager.default.createFile(atPath: path, contents: pem, attributes: [.posixPermissions: 0o600]) {
                    settings.caBundle = path
                    state.withLock { $0.caBundles[host] = path }
                }
            }
        }
        if let cert = names.filter({ $0.hasSuffix(".cert") }).sorted().first {
            let key = String(cert.dropLast(".cert".count)) + ".key"
            if names.contains(key) {
                settings.clientCertificate = directory + "/" + cert
                settings.clientKey = directory + "/" + key
            }
        }
        return settings
    }

    // MARK: Requests with retries

    /// Runs a request on a worker, retrying 5xx, 429 and connection loss with back-off.
    func perform(_ request: HTTPRequest, step: String, attempts: Int? = nil) async throws(RegistryError) -> HTTPResponse {
        let maxAttempts = attempts ?? configuration.maxAttempts
        var attempt = 0
        while true {
            attempt += 1
            do {
                let timeouts = configuration.timeouts
                let response = try await workers.run { easy, cancelled in
                    try easy.run(request, timeouts: timeouts, cancelled: cancelled)
                }
                if (response.status >= 500 || response.status == 429) && attempt < maxAttempts {
                    try await backoff(attempt)
                    continue
                }
                return response
            } catch let error as CurlFailure {
                if error.isRetryable && attempt < maxAttempts {
                    try await backoff(attempt)
                    continue
                }
                throw RegistryError(.transport, "\(step): \(error.message)", cause: error)
            } catch let error as RegistryError {
                throw error
            } catch {
                throw RegistryError(.badResponse, step, cause: ErrorText(error))
            }
        }
    }

    func backoff(_ attempt: Int) async throws(RegistryError) {
        let delay = configuration.retryBaseDelay * (1 << min(attempt - 1, 5))
        do { try await Task.sleep(for: min(delay, .seconds(8))) } catch {
            throw RegistryError(.cancelled, "cancelled while waiting to retry")
        }
    }

    // MARK: Authentication

    /// The `Authorization` header for a request in `scope`, or nil to go anonymous.
    func authorization(_ endpoint: RegistryEndpoint, _ info: HostInfo, scope: String,
                       refresh: Bool) async throws(RegistryError) -> String? {
        let credential = try credentials.credential(for: endpoint.credentialKey)
        if let token = credential?.registryToken { return "Bearer \(token)" }
        guard let challenge = info.challenge else { return nil }
        switch challenge.scheme {
        case "basic":
            return credential?.basicHeader
        case "bearer":
            return "Bearer " + (try await token(challenge, scope: scope, credential: credential, refresh: refresh))
        default:
            throw RegistryError(.unsupported, "not supported: authentication scheme \"\(challenge.scheme)\" of \(endpoint.host)")
        }
    }

    /// A bearer token for `scope` from the challenge's realm, cached until it expires.
    func token(_ challenge: AuthChallenge, scope: String, credential: RegistryCredential?,
               refresh: Bool) async throws(RegistryError) -> String {
        guard let realm = challenge.parameters["realm"], let realmURL = URL(string: realm),
              realmURL.scheme == "https" || realmURL.scheme == "http" else {
            throw RegistryError(.badResponse, "bearer challenge without a usable realm: \(challenge.parameters)")
        }
        let service = challenge.parameters["service"]
        var scopes = [scope]
        if let extra = challenge.parameters["scope"] {
            for s in extra.split(separator: " ").map(String.init) where !scopes.contains(s) { scopes.append(s) }
        }
        let who = credential?.username ?? (credential?.identityToken != nil ? "<identity>" : "")
        let key = [realm, service ?? "", scopes.joined(separator: " "), who].joined(separator: "|")
        if !refresh, let cached = state.withLock({ $0.tokens[key] }), cached.expires > .now { return cached.token }

        var components = URLComponents(url: realmURL, resolvingAgainstBaseURL: false)!
        var request: HTTPRequest
        if let refreshToken = credential?.identityToken {
            // OAuth2 refresh-token grant, as Docker does for an identity token.
            var form = URLComponents()
            form.queryItems = [URLQueryItem(name: "grant_type", value: "refresh_token"),
                               URLQueryItem(name: "refresh_token", value: refreshToken),
                               URLQueryItem(name: "client_id", value: "swdock")]
                + (service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
                + scopes.map { URLQueryItem(name: "scope", value: $0) }
            request = HTTPRequest(method: "POST", url: realm,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                  body: Array((form.percentEncodedQuery ?? "").utf8))
        } else {
            var items = components.queryItems ?? []
            if let service { items.append(URLQueryItem(name: "service", value: service)) }
            items += scopes.map { URLQueryItem(name: "scope", value: $0) }
            if let username = credential?.username, !username.isEmpty { items.append(URLQueryItem(name: "account", value: username)) }
            components.queryItems = items
            request = HTTPRequest(url: components.url!.absoluteString)
            if let basic = credential?.basicHeader { request.headers.append(("Authorization", basic)) }
        }
        let host = realmURL.host ?? ""
        request.tls = tlsSettings(for: realmURL.port.map { "\(host):\($0)" } ?? host)
        if configuration.isInsecure(host) { request.tls.verify = false }
        let response = try await perform(request, step: "fetch token from \(realm)")
        guard response.status == 200 else {
            throw RegistryError.fromResponse(status: response.status, body: response.body,
                                             step: "fetch token for \(scope) from \(realm)")
        }
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(response.body)),
              let token = [answer.token, answer.access_token].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw RegistryError(.badResponse, "fetch token for \(scope) from \(realm): no token in the answer")
        }
        // The spec's minimum lifetime is 60 s; renew a little early.
        let lifetime = max(answer.expires_in ?? 60, 60)
        let expires = ContinuousClock.now + .seconds(lifetime - 10)
        state.withLock { $0.tokens[key] = CachedToken(token: token, expires: expires) }
        return token
    }

    /// Sends a request in the repository's pull scope with authentication: the cached token
    /// first, and on 401 a fresh one (re-reading the challenge), once.
    func authorizedRequest(_ repository: RegistryRepository, step: String,
                           _ make: (String) -> HTTPRequest) async throws(RegistryError) -> HTTPResponse {
        var info = try await hostInfo(repository.endpoint)
        for attempt in 0..<2 {
            var request = make(info.baseURL)
            request.tls = info.tls
            if let auth = try await authorization(repository.endpoint, info, scope: repository.pullScope, refresh: attempt > 0) {
                request.headers.append(("Authorization", auth))
            }
            let response = try await perform(request, step: step)
            if response.status == 401, attempt == 0 {
                if let updated = updateChallenge(repository.endpoint, response) { info = updated }
                continue
            }
            return response
        }
        preconditionFailure("unreachable")
    }

    /// Records the challenge of a 401; returns the updated host info when it changed.
    func updateChallenge(_ endpoint: RegistryEndpoint, _ response: HTTPResponse) -> HostInfo? {
        guard let header = response.header("www-authenticate") else { return nil }
        let challenges = AuthChallenge.parse(header)
        guard let challenge = challenges.first(where: { $0.scheme == "bearer" }) ?? challenges.first else { return nil }
        return state.withLock { state -> HostInfo? in
            guard var info = state.hosts[endpoint] else { return nil }
            info.challenge = challenge
            state.hosts[endpoint] = info
            return info
        }
    }

    // MARK: Manifests

    /// Fetches a manifest by tag or digest and verifies its digest: against `reference` when it
    /// is a digest, else against `Docker-Content-Digest` when the registry sends one.
    public func fetchManifest(_ repository: RegistryRepository, reference: String) async throws(RegistryError) -> FetchedManifest {
        let step = "fetch manifest \(reference) of \(repository)"
        let response = try await authorizedRequest(repository, step: step) { base in
            HTTPRequest(url: "\(base)/v2/\(repository.path)/manifests/\(reference)",
                        headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))])
        }
        guard response.status == 200 else {
            throw RegistryError.fromResponse(status: response.status, body: response.body, step: step)
        }
        let digest = Digest.sha256(of: response.body)
        if let expected = try? Digest(parsing: reference), expected != digest {
            throw RegistryError(.digestMismatch, "\(step): content has digest \(digest)")
        }
        if let header = response.header("docker-content-digest"), let claimed = try? Digest(parsing: header),
           claimed.algorithm == "sha256", claimed != digest {
            throw RegistryError(.digestMismatch, "\(step): registry says \(claimed), content has digest \(digest)")
        }
        guard let (kind, mediaType) = ManifestKind.classify(contentType: response.header("content-type"), body: response.body) else {
            throw RegistryError(.unsupported, "not supported: \(step): unknown manifest media type \(response.header("content-type") ?? "(none)")")
        }
        return FetchedManifest(bytes: response.body, digest: digest, mediaType: mediaType, kind: kind)
    }

    // MARK: Blobs

    /// Fetches a small blob (an image config) into memory, verifying size and digest.
    public func fetchBlobBytes(_ repository: RegistryRepository, _ descriptor: Descriptor,
                               limit: Int = 16 << 20) async throws(RegistryError) -> [UInt8] {
        let step = "fetch blob \(descriptor.digest) of \(repository)"
        guard descriptor.size <= limit else {
            throw RegistryError(.unsupported, "not supported: \(step): \(descriptor.size) bytes is too large for a config")
        }
        let response = try await authorizedRequest(repository, step: step) { base in
            HTTPRequest(url: "\(base)/v2/\(repository.path)/blobs/\(descriptor.digest)")
        }
        guard response.status == 200 else {
            throw RegistryError.fromResponse(status: response.status, body: response.body, step: step)
        }
        guard Int64(response.body.count) == descriptor.size else {
            throw RegistryError(.sizeMismatch, "\(step): got \(response.body.count) bytes, expected \(descriptor.size)")
        }
        let digest = Digest.sha256(of: response.body)
        guard digest == descriptor.digest else {
            throw RegistryError(.digestMismatch, "\(step): content has digest \(digest)")
        }
        return response.body
    }
}

