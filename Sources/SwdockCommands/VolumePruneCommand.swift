import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct VolumePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused local volumes")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .long], help: "Remove all unused volumes, not just anonymous ones") var all = false
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(name: .long, help: "Provide filter values (e.g. label=<label>)") var filter: [String] = []

    func run() throws {
        guard force else {
            exitWithError(ValidationError("not supported: the confirmation prompt; pass -f to prune"))
        }
        do {
            let query = try filtersQuery(filter + (all ? ["all=true"] : []))
            let body = try global.client().call("POST", "/volumes/prune", query: query).body
            let report = try JSONDecoder().decode(VolumePruneReport.self, from: Data(body))
            var out = ""
            if !report.VolumesDeleted.isEmpty {
                out += "Deleted Volumes:\n" + report.VolumesDeleted.map { $0 + "\n" }.joined() + "\n"
            }
            out += "Total reclaimed space: \(InfoCommand.bytes(report.SpaceReclaimed).replacingOccurrences(of: "i", with: ""))\n"
            FileOutput.standardOutput.write(out)
        } catch { exitWithError(error) }
    }
}
