import ArgumentParser
import SwdockRuntime

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Print the OCI state of a container.")
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        try perform { () throws(RuntimeError) in print(try GlobalOptions.current.runtime.stateJSON(id)) }
    }
}
