import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock pull [--platform P] [-q] [-a] REF`: docker's progress, then the reference.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download an image from a registry")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .customLong("all-tags")], help: "Download all tagged images in the repository") var allTags = false
    @Flag(name: [.customShort("q"), .long], help: "Suppress verbose output") var quiet = false
    @Option(name: .long, help: "Set platform if server is multi-platform capable") var platform: String?
    @Flag(name: .customLong("disable-content-trust"), help: "Skip image verification (default true)") var disableContentTrust = false
    @Argument(help: "NAME[:TAG|@DIGEST]") var reference: String

    func run() throws {
        reportingErrors {
            if allTags, let parsed = try? Reference(parsing: reference), parsed.tag != nil || parsed.digest != nil {
                throw FlagError("tag can't be used with --all-tags/-a")
            }
            let shown = try ImagePull.pull(global.client(), reference, all: allTags, platform: platform, quiet: quiet, fd: 1)
            writeOut(shown + "\n")
        }
    }
}

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

/// `swdock tag SOURCE TARGET`.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "SOURCE_IMAGE[:TAG]") var source: String
    @Argument(help: "TARGET_IMAGE[:TAG]") var target: String

    func run() throws {
        reportingErrors {
            let reference: Reference
            do { reference = try Reference(parsing: target) } catch { throw FlagError("invalid reference format") }
            guard reference.digest == nil else { throw FlagError("refusing to create a tag with a digest reference") }
            try global.client().call("POST", "/images/\(source)/tag",
                                     query: [("repo", reference.name), ("tag", reference.tag ?? "latest")])
        }
    }
}

/// `swdock rmi` / `image rm`: prints the daemon's `Untagged:`/`Deleted:` lines.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove one or more images")
    @OptionGroup var options: RmiOptions
    func run() throws { options.execute() }
}

struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more images", aliases: ["remove", "rmi"])
    @OptionGroup var options: RmiOptions
    func run() throws { options.execute() }
}

struct RmiOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force removal of the image") var force = false
    @Flag(name: .customLong("no-prune"), help: "Do not delete untagged parents") var noPrune = false
    @Argument(help: "Images") var images: [String]

    func execute() {
        reportingErrors {
            let client = try global.client()
            var query: [(String, String)] = []
            if force { query.append(("force", "1")) }
            if noPrune { query.append(("noprune", "1")) }
            var failed = false
            for image in images {
                do {
                    let (_, body) = try client.call("DELETE", "/images/\(image)", query: query)
                    for entry in try JSONNode.parse(body).arrayValue {
                        if let text = entry["Untagged"]?.stringValue { writeOut("Untagged: \(text)\n") }
                        if let text = entry["Deleted"]?.stringValue { writeOut("Deleted: \(text)\n") }
                    }
                } catch {
                    writeErr("\(error)\n")
                    // As docker: with -f a missing image is reported but not a failure.
                    if !(force && (error as? ClientError)?.status == 404) { failed = true }
                }
            }
            if failed { throw CommandExit(1) }
        }
    }
}

/// `swdock image prune [-a] [-f] [--filter]`.
struct ImagePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused images")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .long], help: "Remove all unused images, not just dangling ones") var all = false
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(name: .long, help: "Provide filter values (e.g. \"until=<timestamp>\")") var filter: [String] = []

    func run() throws {
        reportingErrors {
            let warning = all ? "WARNING! This will remove all images without at least one container associated to them."
                : "WARNING! This will remove all dangling images."
            if !force, !confirm(warning + "\nAre you sure you want to continue?") { return }
            let query = try filtersQuery(filter + ["dangling=\(all ? "false" : "true")"])
            let (_, body) = try global.client().call("POST", "/images/prune", query: query)
            let answer = try JSONNode.parse(body)
            var out = ""
            let deleted = answer["ImagesDeleted"]?.arrayValue ?? []
            if !deleted.isEmpty {
                out += "Deleted Images:\n"
                for entry in deleted {
                    if let text = entry["Untagged"]?.stringValue { out += "untagged: \(text)\n" }
                    if let text = entry["Deleted"]?.stringValue { out += "deleted: \(text)\n" }
                }
                out += "\n"
            }
            out += "Total reclaimed space: \(HumanUnits.size(Double(answer["SpaceReclaimed"]?.int64Value ?? 0)))\n"
            writeOut(out)
        }
    }
}

/// `swdock image history [--no-trunc] [-q] [--format] IMAGE`.
struct ImageHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Flag(name: [.customShort("q"), .long], help: "Only show image IDs") var quiet = false
    @Flag(name: .long, inversion: .prefixedNo, help: "Print sizes and dates in human readable format") var human = true
    @Option(name: .long, help: "Format output using a custom template") var format: String?
    @Argument(help: "Image") var image: String

    static let headers = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
                          "Size": "SIZE", "Comment": "COMMENT"]

    func run() throws {
        reportingErrors {
            let table = try TableFormat(quiet ? nil : format,
                                        defaultTable: "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                                        quietFormat: "{{.ID}}", quiet: quiet, headers: Self.headers)
            let list = try global.client().getNode("/images/\(image)/history")
            let now = HumanUnits.now()
            let rows: [JSONNode] = list.arrayValue.map { entry in
                let id = entry["Id"]?.stringValue ?? ""
                let created = entry["Created"]?.int64Value ?? 0
                let size = entry["Size"]?.int64Value ?? 0
                var createdBy = (entry["CreatedBy"]?.stringValue ?? "").replacing("\t", with: " ")
                if !noTrunc { createdBy = HumanUnits.ellipsis(createdBy, 45) }
                let shownID = id == "<missing>" ? id : (noTrunc ? id : HumanUnits.truncateID(id))
                return .object([
                    ("Comment", .string(entry["Comment"]?.stringValue ?? "")),
                    ("CreatedAt", .string(HumanUnits.goTimeString(unixSeconds: created))),
                    ("CreatedBy", .string(createdBy)),
                    ("CreatedSince", .string(human ? HumanUnits.duration(seconds: now - Double(created)) + " ago"
                                                   : HumanUnits.goTimeString(unixSeconds: created))),
                    ("ID", .string(shownID)),
                    ("Size", .string(human ? HumanUnits.size(Double(size), precision: 3) : String(size))),
                ])
            }
            writeOut(try table.render(rows))
        }
    }
}
