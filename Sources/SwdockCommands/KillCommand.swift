import ArgumentParser
import SwdockClient

/// `swdock kill [-s SIGNAL] CONTAINER…`.
struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Kill one or more running containers")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container") var signal: String?
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            let query = signal.map { [("signal", $0)] } ?? []
            try client.forEach(containers) { name in try client.call("POST", "/containers/\(name)/kill", query: query) }
        }
    }
}
