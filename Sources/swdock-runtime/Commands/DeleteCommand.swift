import ArgumentParser
import SwdockRuntime

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a stopped container (--force: any).")
    @Flag(name: [.short, .long], help: "Kill a running container first.") var force = false
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        try perform { () throws(RuntimeError) in try GlobalOptions.current.runtime.delete(id, force: force) }
    }
}
