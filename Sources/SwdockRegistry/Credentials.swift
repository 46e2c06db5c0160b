import Foundation

/// What a client authenticates to a registry with.
public struct RegistryCredential: Hashable, Sendable {
    public var username: String?
    public var password: String?
    /// An OAuth refresh token (`identitytoken` in Docker's auth config): exchanged at the token
    /// realm with `grant_type=refresh_token`.
    public var identityToken: String?
    /// A bearer token to send to the registry as is (`registrytoken`).
    public var registryToken: String?

    public init(username: String? = nil, password: String? = nil, identityToken: String? = nil,
                registryToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
        self.registryToken = registryToken
    }

    var hasBasic: Bool { username?.isEmpty == false }

    var basicHeader: String? {
        guard let username, !username.isEmpty else { return nil }
        return "Basic " + Data("\(username):\(password ?? "")".utf8).base64EncodedString()
    }
}

/// Where credentials for a registry host come from.
public protocol CredentialSource: Sendable {
    /// Credentials for `registry` (`docker.io`, `localhost:5000`, …), or nil for anonymous.
    func credential(for registry: String) throws(RegistryError) -> RegistryCredential?
}

/// No credentials: every registry is used anonymously.
public struct AnonymousCredentials: CredentialSource {
    public init() {}
    public func credential(for registry: String) -> RegistryCredential? { nil }
}

/// A fixed table of credentials by registry host (what the daemon builds from `X-Registry-Auth`).
public struct StaticCredentials: CredentialSource {
    public let table: [String: RegistryCredential]
    public init(_ table: [String: RegistryCredential]) {
        var normalised: [String: RegistryCredential] = [:]
        for (key, value) in table { normalised[DockerConfigCredentials.registryKey(key)] = value }
        self.table = normalised
    }
    public func credential(for registry: String) -> RegistryCredential? {
        table[DockerConfigCredentials.registryKey(registry)]
    }
}

/// Tries sources in order; the first that has credentials wins.
public struct ChainedCredentials: CredentialSource {
    public let sources: [any CredentialSource]
    public init(_ sources: [any CredentialSource]) { self.sources = sources }
    public func credential(for registry: String) throws(RegistryError) -> RegistryCredential? {
        for source in sources {
            if let found = try source.credential(for: registry) { return found }
        }
        return nil
    }
}

/// Decoding of the Engine API's `X-Registry-Auth` header: base64url of a JSON auth config.
public enum RegistryAuthHeader {
    struct AuthConfig: Decodable {
        var username: String?
        var password: String?
        var auth: String?
        var serveraddress: String?
        var identitytoken: String?
        var registrytoken: String?
    }

    /// The credential and the server it names. An empty header or `{}` means anonymous (nil).
    /// Accepts the URL-safe and the standard alphabet, with or without padding, as Docker does.
    public static func decode(_ value: String) throws(RegistryError) -> (credential: RegistryCredential, serverAddress: String?)? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard let data = base64Decode(trimmed) else {
            throw RegistryError(.invalidArgument, "decode X-Registry-Auth: not base64")
        }
        if data.allSatisfy({ $0 == 32 || $0 == 10 }) { return nil }
        let config: AuthConfig
        do { config = try JSONDecoder().decode(AuthConfig.self, from: data) } catch {
            throw RegistryError(.invalidArgument, "decode X-Registry-Auth: invalid JSON", cause: ErrorText(error))
        }
        var credential = RegistryCredential(username: config.username, password: config.password,
                                            identityToken: config.identitytoken.nilIfEmpty,
                                            registryToken: config.registrytoken.nilIfEmpty)
        if credential.username.nilIfEmpty == nil, let auth = config.auth, let pair = DockerConfigCredentials.decodeAuth(auth) {
            credential.username = pair.0
            credential.password = pair.1
        }
        if credential.username.nilIfEmpty == nil && credential.identityToken == nil && credential.registryToken == nil {
            return nil
        }
        return (credential, config.serveraddress.nilIfEmpty)
    }

    static func base64Decode(_ text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}

/// The text of an underlying error that is not itself `Sendable`.
struct ErrorText: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(describing: error) }
}

extension Optional where Wrapped == String {
    var nilIfEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}

/// Credentials from a docker CLI config file (`~/.docker/config.json`): `auths` entries
/// (base64 `auth` or `username`/`password`, `identitytoken`, `registrytoken`), and credential
/// helpers (`credsStore` for all, `credHelpers` per registry) run as `docker-credential-<name> get`.
public struct DockerConfigCredentials: CredentialSource {
    public let path: String
    /// Where `docker-credential-*` helpers are looked up (default: `$PATH`).
    public let helperSearchPath: [String]

    /// The key Docker uses for Docker Hub in `auths`.
    public static let dockerHubKey = "https://index.docker.io/v1/"

    public init(path: String = DockerConfigCredentials.defaultPath, helperSearchPath: [String]? = nil) {
        self.path = path
        self.helperSearchPath = helperSearchPath
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        return (env["HOME"] ?? "/root") + "/.docker/config.json"
    }

    struct ConfigFile: Decodable {
        struct Entry: Decodable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
            var registrytoken: String?
        }
        var auths: [String: Entry]?
        var credsStore: String?
        var credHelpers: [String: String]?
    }

    /// The host form of an `auths` key or a reference domain: scheme and path dropped,
    /// Docker Hub's aliases folded into `docker.io`.
    public static func registryKey(_ key: String) -> String {
        var text = key.lowercased()
        if let range = text.range(of: "://") { text = String(text[range.upperBound...]) }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        switch text {
        case "index.docker.io", "registry-1.docker.io", "docker.io", "registry.hub.docker.com": return "docker.io"
        default: return text
        }
    }

    static func decodeAuth(_ auth: String) -> (String, String)? {
        guard let data = Data(base64Encoded: auth) ?? RegistryAuthHeader.base64Decode(auth) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    public func credential(for registry: String) throws(RegistryError) -> RegistryCredential? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let config: ConfigFile
        do {
            config = try JSONDecoder().decode(ConfigFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RegistryError(.invalidArgument, "read docker config \"\(path)\"", cause: ErrorText(error))
        }
        let wanted = DockerConfigCredentials.registryKey(registry)
        if let helpers = config.credHelpers {
            for (key, helper) in helpers where DockerConfigCredentials.registryKey(key) == wanted {
                return try fromHelper(helper, serverURL: key)
            }
        }
        if let store = config.credsStore, !store.isEmpty {
            let serverURL = wanted == "docker.io" ? DockerConfigCredentials.dockerHubKey : registry
            if let found = try fromHelper(store, serverURL: serverURL) { return found }
        }
        for (key, entry) in config.auths ?? [:] where DockerConfigCredentials.registryKey(key) == wanted {
            var credential = RegistryCredential(username: entry.username.nilIfEmpty, password: entry.password,
                                                identityToken: entry.identitytoken.nilIfEmpty,
                                                registryToken: entry.registrytoken.nilIfEmpty)
            if credential.username == nil, let auth = entry.auth.nilIfEmpty, let pair = DockerConfigCredentials.decodeAuth(auth) {
                credential.username = pair.0
                credential.password = pair.1
            }
            if credential.username != nil || credential.identityToken != nil || credential.registryToken != nil {
                return credential
            }
        }
        return nil
    }

    /// Runs `docker-credential-<helper> get` with the server URL on stdin. A helper that does not
    /// know the server answers "credentials not found in native keychain": that is anonymous.
    func fromHelper(_ helper: String, serverURL: String) throws(RegistryError) -> RegistryCredential? {
        let name = "docker-credential-" + helper
        guard let executable = helperSearchPath.map({ $0 + "/" + name })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RegistryError(.unauthorized, "get credentials for \(serverURL): \(name) not found in PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["get"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let data: Data
        do {
            try process.run()
            input.fileHandleForWriting.write(Data(serverURL.utf8))
            try input.fileHandleForWriting.close()
            data = output.fileHandleForReading.readDataToEndOfFile()
            _ = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
        } catch {
            throw RegistryError(.unauthorized, "run \(name) get for \(serverURL)", cause: ErrorText(error))
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus != 0 {
            if text.contains("credentials not found") { return nil }
            throw RegistryError(.unauthorized, "\(name) get for \(serverURL) failed: \(text)")
        }
        struct Answer: Decodable { var Username: String?; var Secret: String? }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw RegistryError(.unauthorized, "\(name) get for \(serverURL): unreadable answer")
        }
        // Docker's convention: the user name "<token>" marks an identity (refresh) token.
        if answer.Username == "<token>" { return RegistryCredential(identityToken: answer.Secret) }
        return RegistryCredential(username: answer.Username, password: answer.Secret)
    }
}
