import Foundation
import SwdockOCI

/// The distribution spec's tag listing (`GET /v2/<name>/tags/list`), for `docker pull --all-tags`.
extension RegistryClient {
    /// Every tag of `repository`, in the registry's order, following `Link: <…>; rel="next"`
    /// pages (the spec's pagination; `pageSize` asks for `n` tags per page).
    public func listTags(_ repository: RegistryRepository, pageSize: Int? = nil) async throws(RegistryError) -> [String] {
        struct Page: Decodable {
            var name: String?
            var tags: [String]?
        }
        let step = "list tags of \(repository)"
        var tags: [String] = []
        var next: String? = "/v2/\(repository.path)/tags/list" + (pageSize.map { "?n=\($0)" } ?? "")
        var pages = 0
        while let path = next {
            pages += 1
            guard pages <= 10_000 else { throw RegistryError(.badResponse, "\(step): more than 10000 pages") }
            let response = try await authorizedRequest(repository, step: step) { base in
                HTTPRequest(url: Self.resolve(path, against: base), headers: [("Accept", "application/json")])
            }
            guard response.status == 200 else {
                throw RegistryError.fromResponse(status: response.status, body: response.body, step: step)
            }
            let page: Page
            do { page = try JSONDecoder().decode(Page.self, from: Data(response.body)) } catch {
                throw RegistryError(.badResponse, "\(step): invalid answer: \(error)")
            }
            tags += page.tags ?? []
            next = response.header("link").flatMap(Self.nextLink)
        }
        return tags
    }

    /// Lists the tags of `reference`'s repository on the first endpoint (mirrors, then the
    /// registry) that answers, as a pull tries them.
    public func listTags(of reference: Reference, pageSize: Int? = nil) async throws(RegistryError) -> [String] {
        var lastError: RegistryError?
        for endpoint in configuration.endpoints(for: reference.domain) {
            do {
                return try await listTags(RegistryRepository(endpoint: endpoint, path: reference.path), pageSize: pageSize)
            } catch {
                lastError = error
                if endpoint.isMirror { continue }
                throw error
            }
        }
        throw lastError ?? RegistryError(.invalidArgument, "list tags of \(reference.familiarName): no endpoint")
    }

    /// The target of the `rel="next"` entry of a `Link` header (RFC 8288), nil when none.
    static func nextLink(_ header: String) -> String? {
        for entry in header.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return pair.count == 2 && pair[0].lowercased() == "rel"
                    && pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ").contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }

    /// `link` made absolute: a path is relative to the origin of `base` (scheme and host; the
    /// registry answers with `/v2/…` paths), a full URL stays as it is.
    static func resolve(_ link: String, against base: String) -> String {
        if link.hasPrefix("http://") || link.hasPrefix("https://") { return link }
        guard link.hasPrefix("/") else { return base + "/" + link }
        var origin = Substring(base)
        if let schemeEnd = base.range(of: "://") {
            let rest = base[schemeEnd.upperBound...]
            origin = base[..<(rest.firstIndex(of: "/") ?? base.endIndex)]
        }
        // A mirror's path prefix is part of base: keep it when the link does not repeat it.
        let prefix = base.dropFirst(origin.count)
        if !prefix.isEmpty, !link.hasPrefix(String(prefix) + "/") { return base + link }
        return origin + link
    }
}
