import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock images`.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images")
    @OptionGroup var options: ImageListOptions
    @Argument(help: "[REPOSITORY[:TAG]]") var repository: String?
    func run() throws { options.execute(repository) }
}

/// `swdock image ls` (also `list`).
struct ImageListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images", aliases: ["list"])
    @OptionGroup var options: ImageListOptions
    @Argument(help: "[REPOSITORY[:TAG]]") var repository: String?
    func run() throws { options.execute(repository) }
}

struct ImageListOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .long], help: "Show all images (default hides intermediate images)") var all = false
    @Flag(name: [.customShort("q"), .long], help: "Only show image IDs") var quiet = false
    @Flag(name: .long, help: "Show digests") var digests = false
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided") var filter: [String] = []
    @Option(name: .long, help: "Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')") var format: String?

    static let headers = ["ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
                          "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
                          "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "VirtualSize": "VIRTUAL SIZE"]

    func execute(_ repository: String?) {
        reportingErrors {
            var defaultTable = "table {{.Repository}}\t{{.Tag}}\t"
            if digests { defaultTable += "{{.Digest}}\t" }
            defaultTable += "{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
            let table = try TableFormat(quiet ? nil : format, defaultTable: defaultTable, quietFormat: "{{.ID}}", quiet: quiet,
                                        headers: Self.headers)
            var filters = filter
            if let repository { filters.append("reference=\(repository)") }
            var query: [(String, String)] = []
            if all { query.append(("all", "1")) }
            query += try filtersQuery(filters)
            let list = try global.client().getNode("/images/json", query: query)
            let now = HumanUnits.now()
            var rows: [JSONNode] = []
            for image in list.arrayValue {
                rows += Self.rows(image, truncate: !noTrunc, showDigests: digests || TableFormat.mentions(format, "Digest"), now: now)
            }
            writeOut(try table.render(rows))
        }
    }

    /// docker's `imageFormat`: a row per repository:tag (and per digest with `--digests`).
    static func rows(_ image: JSONNode, truncate: Bool, showDigests: Bool, now: Double) -> [JSONNode] {
        let repoTags = (image["RepoTags"]?.arrayValue ?? []).compactMap(\.stringValue)
        let repoDigests = (image["RepoDigests"]?.arrayValue ?? []).compactMap(\.stringValue)
        func row(_ repo: String, _ tag: String, _ digest: String) -> JSONNode {
            let id = image["Id"]?.stringValue ?? ""
            let created = image["Created"]?.int64Value ?? 0
            let size = image["Size"]?.int64Value ?? 0
            let shared = image["SharedSize"]?.int64Value ?? -1
            let containers = image["Containers"]?.int64Value ?? -1
            return .object([
                ("Containers", .string(containers == -1 ? "N/A" : String(containers))),
                ("CreatedAt", .string(HumanUnits.goTimeString(unixSeconds: created))),
                ("CreatedSince", .string(HumanUnits.duration(seconds: now - Double(created)) + " ago")),
                ("Digest", .string(digest)),
                ("ID", .string(truncate ? HumanUnits.truncateID(id) : id)),
                ("Repository", .string(repo)),
                ("SharedSize", .string(shared == -1 ? "N/A" : HumanUnits.size(Double(shared), precision: 3))),
                ("Size", .string(HumanUnits.size(Double(size), precision: 3))),
                ("Tag", .string(tag)),
                ("UniqueSize", .string(shared == -1 ? "N/A" : HumanUnits.size(Double(size - shared), precision: 3))),
                ("VirtualSize", .string(HumanUnits.size(Double(image["VirtualSize"]?.int64Value ?? size)))),
            ])
        }
        let dangling = (repoTags.isEmpty && repoDigests.isEmpty) || (repoTags == ["<none>:<none>"] && repoDigests == ["<none>@<none>"])
        if dangling { return [row("<none>", "<none>", "<none>")] }
        var tagsByRepo: [String: [String]] = [:]
        for text in repoTags {
            guard let reference = try? Reference(parsing: text), let tag = reference.tag else { continue }
            tagsByRepo[reference.familiarName, default: []].append(tag)
        }
        var digestsByRepo: [String: [String]] = [:]
        for text in repoDigests {
            guard let reference = try? Reference(parsing: text), let digest = reference.digest else { continue }
            digestsByRepo[reference.familiarName, default: []].append(digest.description)
        }
        var rows: [JSONNode] = []
        for repo in tagsByRepo.keys.sorted() {
            let digests = showDigests ? (digestsByRepo[repo] ?? []) : []
            digestsByRepo[repo] = nil
            for tag in tagsByRepo[repo]! {
                if digests.isEmpty { rows.append(row(repo, tag, "<none>")) } else {
                    for digest in digests { rows.append(row(repo, tag, digest)) }
                }
            }
        }
        for repo in digestsByRepo.keys.sorted() {
            if showDigests {
                for digest in digestsByRepo[repo]! { rows.append(row(repo, "<none>", digest)) }
            } else {
                rows.append(row(repo, "<none>", ""))
            }
        }
        return rows
    }
}
