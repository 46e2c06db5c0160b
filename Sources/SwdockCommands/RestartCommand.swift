import ArgumentParser
import SwdockClient

/// `swdock restart [-t N] [-s SIG] CONTAINER…`.
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one or more containers")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var stop: StopOptions
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            try client.forEach(containers) { name in try client.call("POST", "/containers/\(name)/restart", query: stop.query) }
        }
    }
}
