import ArgumentParser
import SwdockClient

/// `swdock container prune [-f] [--filter]`.
struct ContainerPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(name: .long, help: "Provide filter values (e.g. \"until=<timestamp>\")") var filter: [String] = []

    func run() throws {
        reportingErrors {
            if !force, !confirm("WARNING! This will remove all stopped containers.\nAre you sure you want to continue?") { return }
            let (_, body) = try global.client().call("POST", "/containers/prune", query: try filtersQuery(filter))
            let answer = try JSONNode.parse(body)
            let deleted = answer["ContainersDeleted"]?.arrayValue ?? []
            var out = ""
            if !deleted.isEmpty {
                out += "Deleted Containers:\n" + deleted.map { $0.templateText + "\n" }.joined() + "\n"
            }
            out += "Total reclaimed space: \(HumanUnits.size(Double(answer["SpaceReclaimed"]?.int64Value ?? 0)))\n"
            writeOut(out)
        }
    }
}
