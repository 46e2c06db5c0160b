import SwdockOCI
import SwdockRegistry

extension ImageService {
    /// `docker pull --all-tags REPO` (`POST /images/create?fromImage=REPO` with no tag): lists
    /// the repository's tags (`/v2/<name>/tags/list`, every page) and pulls each for `platform`
    /// in the registry's order, as dockerd's `pullRepository`: each tag's messages as a single
    /// pull writes them up to its "Digest:", then one closing line for the repository,
    /// `Status: Downloaded newer image for REPO` when any tag brought something new (new
    /// content or a tag that moved), else `Status: Image is up to date for REPO`. A tag that
    /// fails ends the whole pull with its error, as in dockerd.
    public func pullAllTags(_ repositoryText: String, platform: Platform? = nil, credential: RegistryCredential? = nil,
                            progress: @escaping @Sendable (PullProgress) -> Void = { _ in }) async throws(EngineError) -> [PullOutcome] {
        let repository: Reference
        do { repository = try Reference(parsing: repositoryText) } catch {
            throw EngineError(.invalidArgument, error.message)
        }
        guard repository.tag == nil, repository.digest == nil else {
            throw EngineError(.invalidArgument, "tag can't be used with --all-tags/-a")
        }
        let client: RegistryClient
        if let credential {
            client = RegistryClient(configuration: registry, credentials: StaticCredentials([repository.domain: credential]))
        } else {
            client = self.client
        }
        let tags: [String]
        do { tags = try await client.listTags(of: repository) } catch {
            throw Self.pullError(error, repository)
        }
        guard !tags.isEmpty else {
            throw EngineError(.notFound, "repository \(repository.familiarName) has no tags")
        }
        var outcomes: [PullOutcome] = []
        for tag in tags {
            let reference = Reference(domain: repository.domain, path: repository.path, tag: tag)
            outcomes.append(try await pull(reference.description, platform: platform, credential: credential,
                                           reportStatus: false, progress: progress))
        }
        let newer = outcomes.contains(where: \.downloadedNewer)
        progress(PullProgress(status: newer ? "Status: Downloaded newer image for \(repository.familiarName)"
                                            : "Status: Image is up to date for \(repository.familiarName)"))
        return outcomes
    }
}
