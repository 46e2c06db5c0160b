import ArgumentParser
import SwdockRuntime

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and start a container, wait for it, exit with its code.")
    @OptionGroup var flags: CreateFlags
    @Flag(name: [.short, .long], help: "Return once the container started.") var detach = false
    @Flag(name: .long, help: "Keep the container after it exits (runc: --keep).") var keep = false
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        var code: Int32 = 0
        try perform { () throws(RuntimeError) in
            if keep { throw RuntimeError.notSupported("run --keep") }
            code = try GlobalOptions.current.runtime.run(flags.options(id: id), detach: detach)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
