import Foundation

/// How the distribution client reaches registries (the daemon's `daemon.json` settings).
public struct RegistryConfiguration: Sendable {
    /// Hosts (`host`, `host:port`) or IPv4 CIDRs (`10.0.0.0/8`) allowed over plain HTTP or
    /// unverified TLS (`insecure-registries`). localhost, 127.0.0.0/8 and ::1 always are.
    public var insecureRegistries: [String]
    /// Mirrors tried before Docker Hub for `docker.io` images (`registry-mirrors`), as URLs.
    public var mirrors: [String]
    /// Whether Docker Hub itself is tried after the mirrors failed (Docker always does).
    public var fallbackToOrigin: Bool
    /// Per-registry TLS material as Docker's `certs.d`: `<dir>/<host[:port]>/ca.crt`, `*.crt`
    /// (extra CAs), `client.cert` + `client.key` (client certificate).
    public var certsDirectory: String
    /// The system CA bundle the per-registry CAs are added to.
    public var systemCABundle: String?
    /// Parallel blob downloads per pull (`max-concurrent-downloads`).
    public var maxConcurrentDownloads: Int
    /// Attempts per request on 5xx, 429 and connection loss (the first included).
    public var maxAttempts: Int
    /// First back-off delay; doubled per attempt, at most 8 s.
    public var retryBaseDelay: Duration
    public var timeouts: TransferTimeouts
    /// Whether localhost, 127.0.0.0/8 and ::1 are insecure without being listed (Docker's
    /// default). Turned off, loopback registries need verified TLS like any other.
    public var loopbackIsInsecure: Bool

    public init(insecureRegistries: [String] = [], mirrors: [String] = [], fallbackToOrigin: Bool = true,
                certsDirectory: String = "/etc/swdock/certs.d", systemCABundle: String? = nil,
                maxConcurrentDownloads: Int = RegistryDefaults.maxConcurrentDownloads, maxAttempts: Int = 5,
                retryBaseDelay: Duration = .milliseconds(250), timeouts: TransferTimeouts = TransferTimeouts(),
                loopbackIsInsecure: Bool = true) {
        self.insecureRegistries = insecureRegistries
        self.mirrors = mirrors
        self.fallbackToOrigin = fallbackToOrigin
        self.certsDirectory = certsDirectory
        self.systemCABundle = systemCABundle ?? RegistryConfiguration.findSystemCABundle()
        self.maxConcurrentDownloads = max(1, maxConcurrentDownloads)
        self.maxAttempts = max(1, maxAttempts)
        self.retryBaseDelay = retryBaseDelay
        self.timeouts = timeouts
        self.loopbackIsInsecure = loopbackIsInsecure
    }

    static func findSystemCABundle() -> String? {
        ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Whether `host` (`name`, `name:port`, `[v6]:port`) may be used without verified TLS.
    public func isInsecure(_ host: String) -> Bool {
        let name = RegistryConfiguration.hostName(host)
        if loopbackIsInsecure {
            if name == "localhost" || name == "::1" { return true }
            if let ip = IPv4(name), ip.octets.0 == 127 { return true }
        }
        for entry in insecureRegistries {
            let entry = entry.lowercased()
            if entry == host.lowercased() || entry == name { return true }
            if let slash = entry.firstIndex(of: "/"), let network = IPv4(String(entry[..<slash])),
               let bits = Int(entry[entry.index(after: slash)...]), (0...32).contains(bits), let ip = IPv4(name) {
                let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
                if ip.value & mask == network.value & mask { return true }
            }
        }
        return false
    }

    /// The host without port and brackets.
    static func hostName(_ host: String) -> String {
        let lower = host.lowercased()
        if lower.hasPrefix("["), let close = lower.firstIndex(of: "]") {
            return String(lower[lower.index(after: lower.startIndex)..<close])
        }
        if let colon = lower.lastIndex(of: ":"), lower.firstIndex(of: ":") == colon { return String(lower[..<colon]) }
        return lower
    }
}

struct IPv4 {
    let octets: (UInt8, UInt8, UInt8, UInt8)
    var value: UInt32 { UInt32(octets.0) << 24 | UInt32(octets.1) << 16 | UInt32(octets.2) << 8 | UInt32(octets.3) }
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else { return nil }
        octets = (parts[0]!, parts[1]!, parts[2]!, parts[3]!)
    }
}

/// One place a repository can be pulled from.
public struct RegistryEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `host[:port]` as it appears in URLs and in `certs.d`.
    public let host: String
    /// `https://host` or `http://host`; nil means "probe": https, then http when insecure.
    public let scheme: String?
    /// The registry name credentials are looked up under (`docker.io`, `localhost:5000`).
    public let credentialKey: String
    public let isMirror: Bool
    /// Path prefix of a mirror URL (`https://mirror/some/prefix`).
    public let pathPrefix: String

    public init(host: String, scheme: String? = nil, credentialKey: String, isMirror: Bool = false, pathPrefix: String = "") {
        self.host = host
        self.scheme = scheme
        self.credentialKey = credentialKey
        self.isMirror = isMirror
        self.pathPrefix = pathPrefix
    }

    public var description: String { (scheme.map { "\($0)://" } ?? "") + host + pathPrefix }
}

extension RegistryConfiguration {
    /// Endpoints to try for a reference's domain, in order: mirrors then Docker Hub for
    /// `docker.io`, the registry itself otherwise.
    public func endpoints(for domain: String) -> [RegistryEndpoint] {
        guard domain == RegistryDefaults.defaultRegistry else {
            return [RegistryEndpoint(host: domain, credentialKey: domain)]
        }
        var result: [RegistryEndpoint] = []
        for mirror in mirrors {
            guard let url = URL(string: mirror.hasSuffix("/") ? String(mirror.dropLast()) : mirror),
                  let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let hostName = url.host
            else { continue }
            let host = url.port.map { "\(hostName):\($0)" } ?? hostName
            result.append(RegistryEndpoint(host: host, scheme: scheme, credentialKey: host, isMirror: true,
                                           pathPrefix: url.path))
        }
        if fallbackToOrigin || result.isEmpty {
            result.append(RegistryEndpoint(host: RegistryDefaults.defaultRegistryAPIHost, scheme: "https",
                                           credentialKey: RegistryDefaults.defaultRegistry))
        }
        return result
    }
}
