import ArgumentParser
import SwdockRuntime

struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default SIGTERM) to a container.")
    @Flag(name: [.short, .long], help: "Signal every process of the container.") var all = false
    @Argument(help: "The container ID.") var id: String
    @Argument(help: "Signal name (KILL, SIGKILL) or number.") var signal: String = "SIGTERM"

    func run() throws {
        try perform { () throws(RuntimeError) in
            try GlobalOptions.current.runtime.kill(id, signal: try Signals.parse(signal), all: all)
        }
    }
}
