import ArgumentParser
import SwdockClient

/// `swdock top CONTAINER [ps OPTIONS]`.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container", completion: .containerNames) var container: String
    @Argument(parsing: .captureForPassthrough, help: "ps options") var psArguments: [String] = []

    func run() throws {
        reportingErrors {
            let query = psArguments.isEmpty ? [] : [("ps_args", psArguments.joined(separator: " "))]
            let answer = try global.client().getNode("/containers/\(container)/top", query: query)
            var writer = TabWriter()
            writer.minWidth = 1
            writer.padding = 3
            writer.write((answer["Titles"]?.arrayValue ?? []).map(\.templateText).joined(separator: "\t") + "\n")
            for process in answer["Processes"]?.arrayValue ?? [] {
                writer.write(process.arrayValue.map(\.templateText).joined(separator: "\t") + "\n")
            }
            writeOut(writer.flush())
        }
    }
}
