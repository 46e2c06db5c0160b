import ArgumentParser
import SwdockRuntime

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.", aliases: ["ls"])
    @Option(name: [.short, .long], help: "table or json.") var format = "table"
    @Flag(name: [.short, .long], help: "Print only the IDs.") var quiet = false

    func run() throws {
        try perform { () throws(RuntimeError) in
            let items = GlobalOptions.current.runtime.list()
            if quiet { for item in items { print(item.record.id) }; return }
            switch format {
            case "table": print(ContainerListing.table(items), terminator: "")
            case "json": print(ContainerListing.json(items))
            default: throw RuntimeError(.invalidArgument, "invalid format option")
            }
        }
    }
}
