import ArgumentParser
import SwdockClient
import SwdockOCI

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
