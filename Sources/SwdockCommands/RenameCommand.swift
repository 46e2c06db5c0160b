import ArgumentParser
import SwdockClient

/// `swdock rename OLD NEW`.
struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container", completion: .containerNames) var container: String
    @Argument(help: "New name") var newName: String

    func run() throws {
        reportingErrors {
            let name = newName.trimmingCharacters()
            guard !name.isEmpty else { throw FlagError("Error: Neither old nor new names may be empty") }
            try global.client().call("POST", "/containers/\(container)/rename", query: [("name", name)])
        }
    }
}
