import ArgumentParser
import SwdockRuntime

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the process of a created container.")
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        try perform { () throws(RuntimeError) in try GlobalOptions.current.runtime.start(id) }
    }
}
