import ArgumentParser
import SwdockClient

/// `swdock wait CONTAINER…`: prints each exit status.
struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Block until one or more containers stop, then print their exit codes")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            var failed = false
            for name in containers {
                do {
                    var response = try client.open("POST", "/containers/\(name)/wait")
                    let answer = try JSONNode.parse(try response.body.readAll())
                    if let message = answer["Error"]?["Message"]?.stringValue, !message.isEmpty {
                        writeErr("\(message)\n")
                        failed = true
                        continue
                    }
                    writeOut("\(answer["StatusCode"]?.int64Value ?? 0)\n")
                } catch {
                    writeErr("\(error)\n")
                    failed = true
                }
            }
            if failed { throw CommandExit(1) }
        }
    }
}
