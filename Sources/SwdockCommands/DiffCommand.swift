import ArgumentParser
import SwdockClient

/// `swdock diff C` / `swdock container diff C`: the container's changes against its image,
/// one `C|A|D PATH` line each in the daemon's order, as the docker CLI prints them.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff",
                                                    abstract: "Inspect changes to files or directories on a container's filesystem")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The container", completion: .containerNames) var container: String

    func run() throws {
        reportingErrors {
            struct Change: Decodable { var Path: String; var Kind: Int }
            let changes = try global.client().get("/containers/\(container)/changes", as: [Change]?.self) ?? []
            var text = ""
            for change in changes {
                let letter: String
                switch change.Kind {
                case 0: letter = "C"
                case 1: letter = "A"
                case 2: letter = "D"
                default: letter = "?"
                }
                text += "\(letter) \(change.Path)\n"
            }
            writeOut(text)
        }
    }
}
