import ArgumentParser
import SwdockClient

/// `swdock unpause C…`.
struct UnpauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause all processes within one or more containers")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The containers") var containers: [String]

    func run() throws { try forEachContainer(global, containers, action: "unpause") }
}
