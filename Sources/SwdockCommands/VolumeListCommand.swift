import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct VolumeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes", aliases: ["list"])
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("q"), .long], help: "Only display volume names") var quiet = false
    @Option(name: [.customShort("f"), .long], help: "Provide filter values (e.g. dangling=true)") var filter: [String] = []
    @Option(name: .long, help: "Format output using a Go template") var format: String?

    func run() throws {
        do {
            let body = try global.client().call("GET", "/volumes", query: try filtersQuery(filter)).body
            let list = try JSONDecoder().decode(VolumeListResponse.self, from: Data(body))
            let volumes = list.Volumes.sorted { $0.Name < $1.Name }
            var out = ""
            if quiet {
                for volume in volumes { out += volume.Name + "\n" }
            } else if let format {
                for volume in volumes { out += try renderTemplate(format, volume) + "\n" }
            } else {
                out += "DRIVER    VOLUME NAME\n"
                for volume in volumes { out += volume.Driver.padding(toLength: max(10, volume.Driver.count + 1), withPad: " ", startingAt: 0) + volume.Name + "\n" }
            }
            FileOutput.standardOutput.write(out)
        } catch { exitWithError(error) }
    }
}
