import ArgumentParser
import SwdockRuntime

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a container.")
    @Argument(help: "The container ID.") var id: String
    func run() throws { try perform { () throws(RuntimeError) in try GlobalOptions.current.runtime.pause(id) } }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
    @Argument(help: "The container ID.") var id: String
    func run() throws { try perform { () throws(RuntimeError) in try GlobalOptions.current.runtime.resume(id) } }
}
