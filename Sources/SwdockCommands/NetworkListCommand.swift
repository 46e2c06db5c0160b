import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct NetworkListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks", aliases: ["list"])
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Provide filter values (e.g. 'driver=bridge')") var filter: [String] = []
    @Option(help: "Format output using a Go template") var format: String?
    @Flag(name: [.customShort("q"), .long], help: "Only display network IDs") var quiet = false
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate the output") var noTrunc = false

    func run() throws {
        let networks: [NetworkResource]
        do { networks = try global.client().get("/networks", query: try filtersQuery(filter), as: [NetworkResource].self) } catch {
            exitWithError(error)
        }
        let sorted = networks.sorted { $0.Name < $1.Name }
        func shortID(_ id: String) -> String { noTrunc ? id : String(id.prefix(12)) }
        if quiet {
            FileOutput.standardOutput.write(sorted.map { shortID($0.Id) + "\n" }.joined())
            return
        }
        if let format {
            do {
                let template = try GoTemplate(format)
                for network in sorted {
                    let row: JSONValue = .object(["ID": .string(shortID(network.Id)), "Name": .string(network.Name),
                                                  "Driver": .string(network.Driver), "Scope": .string(network.Scope),
                                                  "Internal": .bool(network.Internal), "IPv6": .bool(network.EnableIPv6),
                                                  "CreatedAt": .string(network.Created),
                                                  "Labels": .string(network.Labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))])
                    FileOutput.standardOutput.write(try template.render(row) + "\n")
                }
            } catch { exitWithError(error) }
            return
        }
        FileOutput.standardOutput.write(table([["NETWORK ID", "NAME", "DRIVER", "SCOPE"]]
                                              + sorted.map { [shortID($0.Id), $0.Name, $0.Driver, $0.Scope] }))
    }
}
