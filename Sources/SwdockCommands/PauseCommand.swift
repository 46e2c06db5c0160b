import ArgumentParser
import SwdockClient

/// `swdock pause C…`: freezes every process of each container (cgroup freezer).
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause all processes within one or more containers")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The containers") var containers: [String]

    func run() throws { try forEachContainer(global, containers, action: "pause") }
}
