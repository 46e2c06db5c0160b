import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct NetworkPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all unused networks")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(help: "Provide filter values (e.g. 'label=<key>=<value>')") var filter: [String] = []

    func run() throws {
        guard force else {
            throw ValidationErrorText("not supported: the confirmation prompt; use -f")
        }
        do {
            let answer = try global.client().call("POST", "/networks/prune", query: try filtersQuery(filter)).body
            let report = try JSONDecoder().decode(NetworkPruneReport.self, from: Data(answer))
            if let deleted = report.NetworksDeleted, !deleted.isEmpty {
                FileOutput.standardOutput.write("Deleted Networks:\n" + deleted.map { $0 + "\n" }.joined())
            }
        } catch { exitWithError(error) }
    }
}
