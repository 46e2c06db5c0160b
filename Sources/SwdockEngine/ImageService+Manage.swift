import Foundation
import SwdockMetadata
import SwdockOCI
import SwdockOS
import SwdockSnapshot

/// An image as `docker images` and `docker image inspect` show it.
public struct ImageDetails: Sendable {
    public var id: String
    /// Familiar references (`busybox:latest`, `127.0.0.1:5000/app:1`).
    public var repoTags: [String]
    public var repoDigests: [String]
    public var config: ImageConfig
    /// Unix nanoseconds of the config's `created` (the pull time when it has none).
    public var createdNanoseconds: Int64
    /// Bytes used by the image's layer snapshots.
    public var size: Int64
    /// The chain ID of the top layer (the snapshot containers start from).
    public var chainID: String?
    /// Containers created from the image.
    public var containers: Int
    /// Per layer (bottom first): the diffID and the bytes of its snapshot.
    public var layerSizes: [Int64]
}

/// One entry of `DELETE /images/{name}` and of prune reports.
public enum ImageDeleteItem: Sendable, Equatable {
    case untagged(String)
    case deleted(String)
}

/// Filters of `GET /images/json`.
public struct ImageListFilters: Sendable {
    public var dangling: Bool?
    /// `key` or `key=value`.
    public var labels: [String] = []
    /// Glob patterns on the familiar reference.
    public var references: [String] = []
    public var before: String?
    public var since: String?

    public init(dangling: Bool? = nil, labels: [String] = [], references: [String] = [], before: String? = nil, since: String? = nil) {
        self.dangling = dangling
        self.labels = labels
        self.references = references
        self.before = before
        self.since = since
    }
}

/// One line of `docker history`, newest first.
public struct ImageHistoryItem: Sendable, Equatable {
    public var id: String
    public var createdSeconds: Int64
    public var createdBy: String
    public var tags: [String]
    public var size: Int64
    public var comment: String
}

extension ImageService {
    static func familiar(_ normalised: String) -> String {
        (try? Reference(parsing: normalised))?.familiarString ?? normalised
    }

    func containerUsers(of imageID: String) throws(EngineError) -> [(id: String, running: Bool)] {
        try metadata("find containers of image \(imageID)") { c in
            try c.query("SELECT id, coalesce(json_extract(state, '$.Status'), '') FROM containers WHERE image = ? ORDER BY id",
                        [imageID]) { row in (try row.string(0), ["running", "paused", "restarting"].contains(try row.string(1))) }
        }
    }

    func details(_ image: StoredImage) throws(EngineError) -> ImageDetails {
        let chains = image.chainIDs
        let sizes = chains.map { (try? snapshotter.usage($0.description).size) ?? 0 }
        return ImageDetails(id: image.record.id, repoTags: image.tags.map(Self.familiar),
                            repoDigests: image.digests.map(Self.familiar), config: image.config,
                            createdNanoseconds: image.record.createdNanoseconds, size: image.record.size,
                            chainID: chains.last?.description, containers: try containerUsers(of: image.record.id).count,
                            layerSizes: sizes)
    }

    /// `docker image inspect`.
    public func inspect(_ nameOrID: String) throws(EngineError) -> ImageDetails {
        let id = try resolveImageID(nameOrID)
        guard let image = try storedImage(id: id) else { throw EngineError(.notFound, "No such image: \(Self.displayName(nameOrID))") }
        return try details(image)
    }

    /// `docker images`, newest first as dockerd sorts them.
    public func list(filters: ImageListFilters = ImageListFilters()) throws(EngineError) -> [ImageDetails] {
        let all = try allStoredImages()
        let before = try filters.before.map { (name) throws(EngineError) in try createdOf(name) }
        let since = try filters.since.map { (name) throws(EngineError) in try createdOf(name) }
        var result: [ImageDetails] = []
        for image in all {
            if let dangling = filters.dangling, dangling != image.tags.isEmpty { continue }
            if let before, image.record.createdNanoseconds >= before { continue }
            if let since, image.record.createdNanoseconds <= since { continue }
            let labels = image.config.config?.labels ?? [:]
            if !filters.labels.allSatisfy({ Self.labelMatches($0, labels) }) { continue }
            if !filters.references.isEmpty {
                let names = image.tags + image.digests
                let matched = filters.references.contains { pattern in
                    names.contains { Self.referenceMatches(pattern, $0) }
                }
                if !matched { continue }
            }
            result.append(try details(image))
        }
        return result.sorted { ($0.createdNanoseconds, $0.id) > ($1.createdNanoseconds, $1.id) }
    }

    private func createdOf(_ nameOrID: String) throws(EngineError) -> Int64 {
        let id = try resolveImageID(nameOrID)
        guard let image = try storedImage(id: id) else { throw EngineError(.notFound, "No such image: \(nameOrID)") }
        return image.record.createdNanoseconds
    }

    static func labelMatches(_ filter: String, _ labels: [String: String]) -> Bool {
        if let eq = filter.firstIndex(of: "=") {
            return labels[String(filter[..<eq])] == String(filter[filter.index(after: eq)...])
        }
        return labels[filter] != nil
    }

    /// dockerd's `reference` filter: a glob on the familiar name or the familiar `name:tag`.
    static func referenceMatches(_ pattern: String, _ normalised: String) -> Bool {
        guard let reference = try? Reference(parsing: normalised) else { return false }
        return glob(pattern, reference.familiarString) || glob(pattern, reference.familiarName)
    }

    /// Go's `path.Match` subset: `*` (not across `/`), `?`, literal text.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == t.count }
            switch p[i] {
            case "*":
                var k = j
                while true {
                    if match(i + 1, k) { return true }
                    if k == t.count || t[k] == "/" { return false }
                    k += 1
                }
            case "?":
                return j < t.count && t[j] != "/" && match(i + 1, j + 1)
            default:
                return j < t.count && t[j] == p[i] && match(i + 1, j + 1)
            }
        }
        return match(0, 0)
    }

    /// `docker tag SOURCE TARGET`: points `repo:tag` (default tag `latest`) at the source image.
    public func tag(_ source: String, repository: String, tag: String?) throws(EngineError) {
        let id = try resolveImageID(source)
        let text = (tag?.isEmpty ?? true) ? repository : repository + ":" + tag!
        let reference: Reference
        do { reference = try Reference(parsing: text) } catch { throw EngineError(.invalidArgument, error.message) }
        guard reference.digest == nil else {
            throw EngineError(.invalidArgument, "refusing to create a tag with a digest reference")
        }
        let normalised = reference.normalizedForPull.description
        try metadata("tag \(id) as \(normalised)", write: true) { try $0.setTag(normalised, imageID: id) }
    }

    /// `docker history`: the config's history, newest first; the top line carries the ID and tags.
    public func history(_ nameOrID: String) throws(EngineError) -> [ImageHistoryItem] {
        let details = try inspect(nameOrID)
        var layerIndex = 0
        var items: [ImageHistoryItem] = []
        for entry in details.config.history ?? [] {
            var size: Int64 = 0
            if entry.emptyLayer != true {
                size = layerIndex < details.layerSizes.count ? details.layerSizes[layerIndex] : 0
                layerIndex += 1
            }
            let created = Self.parseCreated(entry.created).map { $0 / 1_000_000_000 } ?? 0
            items.append(ImageHistoryItem(id: "<missing>", createdSeconds: created, createdBy: entry.createdBy ?? "",
                                          tags: [], size: size, comment: entry.comment ?? ""))
        }
        items.reverse()
        if items.isEmpty {
            items.append(ImageHistoryItem(id: details.id, createdSeconds: details.createdNanoseconds / 1_000_000_000,
                                          createdBy: "", tags: details.repoTags, size: details.size, comment: ""))
        } else {
            items[0].id = details.id
            items[0].tags = details.repoTags
        }
        return items
    }

    // MARK: Removal

    /// `docker rmi`: untags the reference given (the image goes with its last reference), or
    /// deletes the image named by ID (with `force` even when several repositories reference it).
    /// A container of the image blocks removal (409), a running one even with `force`.
    /// `noprune` is dockerd's "do not delete untagged parents": dockerd's graph store records an
    /// image-level parent only for images made by its classic builder or `docker commit`, and
    /// `rmi` of such an image also deletes parents left untagged. swdock records no parent image
    /// (pulled, loaded and imported images have none; layers shared between images are kept by
    /// the sweep whatever the flag says), so there is nothing for the flag to keep and every
    /// removal behaves as `--no-prune` does in dockerd.
    public func remove(_ nameOrID: String, force: Bool, noprune: Bool) async throws(EngineError) -> [ImageDeleteItem] {
        let id = try resolveImageID(nameOrID)
        guard let image = try storedImage(id: id) else { throw EngineError(.notFound, "No such image: \(nameOrID)") }
        let hex = String(id.dropFirst(7))
        let byID = nameOrID == id || nameOrID == hex || (hex.hasPrefix(nameOrID.replacingOccurrences(of: "sha256:", with: ""))
                                                          && !image.tags.contains { Self.familiar($0) == Self.displayName(nameOrID) })
        let users = try containerUsers(of: id)
        var items: [ImageDeleteItem] = []
        var untag: [String] = []
        var deleteImage = false
        if !byID, let reference = try? Reference(parsing: nameOrID) {
            let normalised = reference.digest != nil
                ? Reference(domain: reference.domain, path: reference.path, digest: reference.digest).description
                : reference.normalizedForPull.description
            untag.append(normalised)
            var remainingTags = image.tags.filter { $0 != normalised }
            var remainingDigests = image.digests.filter { $0 != normalised }
            if reference.digest == nil, !remainingTags.contains(where: { Self.repositoryName($0) == reference.name }) {
                // The last tag of a repository takes its digest references along (dockerd).
                let same = remainingDigests.filter { Self.repositoryName($0) == reference.name }
                untag += same
                remainingDigests.removeAll { same.contains($0) }
            }
            remainingTags.removeAll { untag.contains($0) }
            if remainingTags.isEmpty && remainingDigests.isEmpty {
                if let user = users.first, !force {
                    throw EngineError(.conflict, "conflict: unable to remove repository reference \"\(nameOrID)\" (must force) - container \(user.id.prefix(12)) is using its referenced image \(hex.prefix(12))")
                }
                deleteImage = users.isEmpty || !users.contains(where: \.running)
                if users.contains(where: \.running) { deleteImage = false }
            }
        } else {
            let repositories = Set((image.tags + image.digests).map(Self.repositoryName))
            if repositories.count > 1 && !force {
                throw EngineError(.conflict, "conflict: unable to delete \(hex.prefix(12)) (must be forced) - image is referenced in multiple repositories")
            }
            if let running = users.first(where: \.running) {
                throw EngineError(.conflict, "conflict: unable to delete \(hex.prefix(12)) (cannot be forced) - image is being used by running container \(running.id.prefix(12))")
            }
            if let stopped = users.first, !force {
                throw EngineError(.conflict, "conflict: unable to delete \(hex.prefix(12)) (must be forced) - image is being used by stopped container \(stopped.id.prefix(12))")
            }
            untag = image.tags + image.digests
            deleteImage = true
        }
        let removeNow = untag
        let shouldDelete = deleteImage
        try metadata("remove image \(id)", write: true) { c in
            for reference in removeNow {
                if try !c.removeTag(reference) {
                    _ = try c.execute("DELETE FROM image_digests WHERE reference = ?", [reference])
                }
            }
            if shouldDelete { try c.deleteImage(id: id) }
        }
        items += untag.map { .untagged(Self.familiar($0)) }
        guard deleteImage else { return items }
        configCache.withLock { $0[id] = nil }
        items.append(.deleted(id))
        let removed = try await collectGarbage()
        // Layers in dockerd's order: the top of the stack first.
        let chains = Set(image.chainIDs.map(\.description))
        items += removed.snapshots.filter { chains.contains($0) }.map { .deleted($0) }
        return items
    }

    static func repositoryName(_ normalised: String) -> String {
        (try? Reference(parsing: normalised))?.name ?? normalised
    }

    /// `docker image prune`: removes dangling images (no tag), or with `all` every image no
    /// container uses; images matching `labels` only (`key`, `key=value`).
    public func prune(all: Bool, labels: [String] = [], untilNanoseconds: Int64? = nil) async throws(EngineError) -> (items: [ImageDeleteItem], reclaimed: Int64) {
        var items: [ImageDeleteItem] = []
        var reclaimed: Int64 = 0
        for image in try allStoredImages() {
            if !all && !image.tags.isEmpty { continue }
            if !labels.allSatisfy({ Self.labelMatches($0, image.config.config?.labels ?? [:]) }) { continue }
            if let untilNanoseconds, image.record.createdNanoseconds >= untilNanoseconds { continue }
            if !(try containerUsers(of: image.record.id)).isEmpty { continue }
            let id = image.record.id
            try metadata("prune image \(id)", write: true) { c in try c.deleteImage(id: id) }
            configCache.withLock { $0[id] = nil }
            items += (image.tags + image.digests).map { .untagged(Self.familiar($0)) }
            items.append(.deleted(id))
            reclaimed += image.record.size
        }
        if !items.isEmpty {
            let removed = try await collectGarbage()
            items += removed.snapshots.map { .deleted($0) }
        }
        return (items, reclaimed)
    }

    // MARK: Counts

    /// `/system/df`'s images: each with the bytes of its layers that other images share, and
    /// the bytes of all layer snapshots counted once.
    public func diskUsage() throws(EngineError) -> (layersSize: Int64, images: [(image: ImageDetails, sharedSize: Int64)]) {
        let images = try allStoredImages()
        var users: [String: Int] = [:]
        for image in images { for chain in Set(image.chainIDs.map(\.description)) { users[chain, default: 0] += 1 } }
        var sizes: [String: Int64] = [:]
        for chain in users.keys { sizes[chain] = (try? snapshotter.usage(chain).size) ?? 0 }
        var result: [(ImageDetails, Int64)] = []
        for image in images {
            let shared = Set(image.chainIDs.map(\.description)).filter { (users[$0] ?? 0) > 1 }.reduce(Int64(0)) { $0 + (sizes[$1] ?? 0) }
            result.append((try details(image), shared))
        }
        return (sizes.values.reduce(0, +), result.sorted { $0.0.createdNanoseconds > $1.0.createdNanoseconds })
    }

    /// Images and the bytes their layers use, for `/info` and `/system/df`.
    public func usage() throws(EngineError) -> (images: Int, layersSize: Int64) {
        let images = try allStoredImages()
        var chains = Set<String>()
        for image in images { for chain in image.chainIDs { chains.insert(chain.description) } }
        var size: Int64 = 0
        for chain in chains { size += (try? snapshotter.usage(chain).size) ?? 0 }
        return (images.count, size)
    }
}
