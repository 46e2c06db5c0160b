/// An image reference, parsed and normalised exactly as Docker does (distribution/reference
/// `ParseNormalizedNamed`): `busybox` is `docker.io/library/busybox`, `host:port/repo` and
/// `localhost/repo` keep their registry, `repo:tag@sha256:…` keeps both tag and digest.
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host, with port when given (`docker.io`, `localhost:5000`, `[::1]:5000`).
    public let domain: String
    /// The repository path inside the registry (`library/busybox`).
    public let path: String
    public let tag: String?
    public let digest: Digest?

    public static let defaultDomain = "docker.io"
    static let legacyDefaultDomain = "index.docker.io"
    static let officialRepositoryPrefix = "library/"
    static let defaultTag = "latest"
    /// Longest repository name (domain and path) distribution accepts.
    public static let nameTotalLengthMax = 255

    public init(domain: String, path: String, tag: String? = nil, digest: Digest? = nil) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference as the docker CLI and daemon do (`ParseNormalizedNamed`): the result
    /// always has a domain; no default tag is added (see `normalizedForPull`).
    public init(parsing text: String) throws(ReferenceError) {
        if text.utf8.count == 64, text.utf8.allSatisfy(Reference.isLowerHex) {
            throw ReferenceError(.identifierAsName,
                                 "invalid repository name (\(text)), cannot specify 64-byte hexadecimal strings")
        }
        let (domain, remainder) = Reference.splitDockerDomain(text)
        let remoteName = remainder.firstIndex(of: ":").map { String(remainder[..<$0]) } ?? remainder
        if remoteName.lowercased() != remoteName {
            throw ReferenceError(.nameContainsUppercase, "invalid reference format: repository name must be lowercase")
        }
        self = try Reference.parseAnchored(domain + "/" + remainder)
    }

    /// distribution's `Parse` on a full reference (`domain/path[:tag][@digest]`).
    static func parseAnchored(_ text: String) throws(ReferenceError) -> Reference {
        guard let match = Reference.match(text) else {
            if text.isEmpty { throw ReferenceError(.nameEmpty, "repository name must have at least one component") }
            if Reference.match(text.lowercased()) != nil {
                throw ReferenceError(.nameContainsUppercase, "repository name must be lowercase")
            }
            throw ReferenceError(.invalidFormat, "invalid reference format")
        }
        if match.name.utf8.count > nameTotalLengthMax {
            throw ReferenceError(.nameTooLong, "repository name must not be more than \(nameTotalLengthMax) characters")
        }
        var digest: Digest?
        if let digestText = match.digest {
            do {
                digest = try Digest(parsing: digestText)
            } catch {
                switch error {
                case .unsupportedAlgorithm:
                    throw ReferenceError(.invalidDigest, "unsupported digest algorithm")
                case .invalid:
                    let encoded = digestText.split(separator: ":", maxSplits: 1).last.map(String.init) ?? ""
                    let lengthOK = digestText.hasPrefix("sha256:") ? encoded.utf8.count == 64 : encoded.utf8.count == 128
                    throw ReferenceError(.invalidDigest, lengthOK ? "invalid checksum digest format"
                                                                  : "invalid checksum digest length")
                }
            }
        }
        return Reference(domain: match.domain, path: match.path, tag: match.tag, digest: digest)
    }

    /// distribution's `splitDockerDomain`: the first component is a registry when it has a `.`
    /// or `:` or is `localhost`; otherwise the reference is on Docker Hub.
    static func splitDockerDomain(_ name: String) -> (domain: String, remainder: String) {
        var domain: String
        var remainder: String
        if let slash = name.firstIndex(of: "/") {
            let first = name[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" {
                domain = String(first)
                remainder = String(name[name.index(after: slash)...])
            } else {
                domain = defaultDomain
                remainder = name
            }
        } else {
            domain = defaultDomain
            remainder = name
        }
        if domain == legacyDefaultDomain { domain = defaultDomain }
        if domain == defaultDomain && !remainder.contains("/") {
            remainder = officialRepositoryPrefix + remainder
        }
        return (domain, remainder)
    }

    // MARK: Grammar (distribution/reference regexp.go), matched by hand so that character
    // classes are ASCII exactly as in Go's RE2.

    struct Parts { var name: String; var domain: String; var path: String; var tag: String?; var digest: String? }

    static func match(_ text: String) -> Parts? {
        let bytes = Array(text.utf8)
        // Split off `@digest` first: '@' appears nowhere else in the grammar.
        var nameAndTag = bytes[...]
        var digest: String?
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            let digestBytes = bytes[(at + 1)...]
            guard isDigest(digestBytes) else { return nil }
            digest = String(decoding: digestBytes, as: UTF8.self)
            nameAndTag = bytes[..<at]
        }
        // A tag follows the last ':' when what follows has no '/'; otherwise the ':' is a port.
        var name = nameAndTag
        var tag: String?
        if let colon = nameAndTag.lastIndex(of: UInt8(ascii: ":")),
           !nameAndTag[(colon + 1)...].contains(UInt8(ascii: "/")) {
            let tagBytes = nameAndTag[(colon + 1)...]
            // `host:5000` alone (no path) is not a tag: the name would then be `host` with no
            // path; try the tag reading first, as the regexp's backtracking does.
            if isTag(tagBytes), let parts = splitName(nameAndTag[..<colon]) {
                tag = String(decoding: tagBytes, as: UTF8.self)
                return Parts(name: String(decoding: nameAndTag[..<colon], as: UTF8.self), domain: parts.0,
                             path: parts.1, tag: tag, digest: digest)
            }
        }
        name = nameAndTag
        guard let (domain, path) = splitName(name) else { return nil }
        return Parts(name: String(decoding: name, as: UTF8.self), domain: domain, path: path, tag: tag, digest: digest)
    }

    /// `name := [domain '/'] path-component ['/' path-component]*`; the domain is the first
    /// component when that also parses as a path (the regexp's optional group is greedy).
    static func splitName(_ name: ArraySlice<UInt8>) -> (String, String)? {
        let components = name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard let first = components.first else { return nil }
        let string = { (s: ArraySlice<UInt8>) in String(decoding: s, as: UTF8.self) }
        if components.count > 1, isDomain(first), components.dropFirst().allSatisfy(isPathComponent) {
            return (string(first), string(name[(first.endIndex + 1)...]))
        }
        guard components.allSatisfy(isPathComponent) else { return nil }
        return ("", string(name))
    }

    static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
    static func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (b >= 65 && b <= 90) }
    static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == 95 }
    static func isLowerHex(_ b: UInt8) -> Bool { (b >= 97 && b <= 102) || (b >= 48 && b <= 57) }
    static func isHex(_ b: UInt8) -> Bool { isLowerHex(b) || (b >= 65 && b <= 70) }

    /// `path-component := [a-z0-9]+ (separator [a-z0-9]+)*`, separator `[._]|__|[-]+`.
    static func isPathComponent(_ c: ArraySlice<UInt8>) -> Bool {
        var i = c.startIndex
        func alnumRun() -> Bool {
            let start = i
            while i < c.endIndex, isLowerAlnum(c[i]) { i += 1 }
            return i > start
        }
        guard alnumRun() else { return false }
        while i < c.endIndex {
            let b = c[i]
            if b == 46 { i += 1 }  // .
            else if b == 95 { i += 1; if i < c.endIndex, c[i] == 95 { i += 1 } }  // _ or __
            else if b == 45 { while i < c.endIndex, c[i] == 45 { i += 1 } }  // -+
            else { return false }
            guard alnumRun() else { return false }
        }
        return true
    }

    /// `domain := host [':' [0-9]+]`, host a DNS name of `[a-zA-Z0-9-]` labels or `[ipv6]`.
    static func isDomain(_ d: ArraySlice<UInt8>) -> Bool {
        var host = d
        if let close = d.lastIndex(of: UInt8(ascii: "]")), d.first == UInt8(ascii: "[") {
            let inner = d[(d.startIndex + 1)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ isHex($0) || $0 == 58 }) else { return false }
            let rest = d[(close + 1)...]
            return rest.isEmpty || isPort(rest)
        }
        if let colon = d.firstIndex(of: 58) {
            guard isPort(d[colon...]) else { return false }
            host = d[..<colon]
        }
        let labels = host.split(separator: 46, omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard let first = label.first, let last = label.last, isAlnum(first), isAlnum(last) else { return false }
            return label.allSatisfy { isAlnum($0) || $0 == 45 }
        }
    }

    static func isPort(_ p: ArraySlice<UInt8>) -> Bool {
        p.first == 58 && p.count > 1 && p.dropFirst().allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// `tag := [\w][\w.-]{0,127}`.
    static func isTag(_ t: ArraySlice<UInt8>) -> Bool {
        guard let first = t.first, isWord(first), t.count <= 128 else { return false }
        return t.allSatisfy { isWord($0) || $0 == 46 || $0 == 45 }
    }

    /// `digest := [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ':' [0-9a-fA-F]{32,}`.
    static func isDigest(_ d: ArraySlice<UInt8>) -> Bool {
        guard let colon = d.firstIndex(of: 58) else { return false }
        let algorithm = d[..<colon], encoded = d[(colon + 1)...]
        guard encoded.count >= 32, encoded.allSatisfy(isHex) else { return false }
        let isLetter = { (b: UInt8) in (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        var expectLetter = true
        for b in algorithm {
            if expectLetter { guard isLetter(b) else { return false }; expectLetter = false; continue }
            if isAlnum(b) { continue }
            if b == 45 || b == 95 || b == 43 || b == 46 { expectLetter = true; continue }
            return false
        }
        return !expectLetter
    }

    // MARK: Rendering

    /// `domain/path`, the fully qualified repository name.
    public var name: String { "\(domain)/\(path)" }

    /// The full normalised string: `docker.io/library/busybox:latest`, `host/repo@sha256:…`.
    public var description: String {
        var text = name
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The name as the docker CLI shows it: `busybox`, `user/app`, `localhost:5000/app`.
    public var familiarName: String {
        guard domain == Reference.defaultDomain else { return name }
        if path.hasPrefix(Reference.officialRepositoryPrefix) {
            let rest = path.dropFirst(Reference.officialRepositoryPrefix.count)
            if !rest.contains("/") { return String(rest) }
        }
        return path
    }

    /// The reference as the docker CLI shows it: `busybox:latest`, `busybox@sha256:…`.
    public var familiarString: String {
        var text = familiarName
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// With the default tag `latest` when neither tag nor digest is given (`TagNameOnly`).
    public var normalizedForPull: Reference {
        (tag == nil && digest == nil) ? Reference(domain: domain, path: path, tag: Reference.defaultTag) : self
    }

    /// Docker's `ParseDockerRef`: normalised, `latest` added, and the tag dropped when a digest
    /// pins the content (`repo:tag@sha256:…` → `repo@sha256:…`).
    public static func parseDockerRef(_ text: String) throws(ReferenceError) -> Reference {
        let reference = try Reference(parsing: text)
        if let digest = reference.digest { return Reference(domain: reference.domain, path: reference.path, digest: digest) }
        return reference.normalizedForPull
    }

    /// What a registry is asked for: the digest when there is one, otherwise the tag (default `latest`).
    public var manifestReference: String { digest?.description ?? tag ?? Reference.defaultTag }

    public func with(tag: String?) -> Reference { Reference(domain: domain, path: path, tag: tag, digest: digest) }
    public func with(digest: Digest?) -> Reference { Reference(domain: domain, path: path, tag: tag, digest: digest) }
}

/// Why a reference was refused; `message` is Docker's text for the same input.
public struct ReferenceError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        case invalidFormat, nameContainsUppercase, nameEmpty, nameTooLong, invalidDigest, identifierAsName
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
