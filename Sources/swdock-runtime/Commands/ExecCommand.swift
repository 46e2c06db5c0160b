import ArgumentParser
import SwdockRuntime

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a new process in a running container.")
    @Option(name: [.short, .long], help: "JSON file with the process (process.json).") var process: String?
    @Flag(name: [.short, .long], help: "Allocate a pseudo-TTY.") var tty = false
    @Option(name: .long, help: "Unix socket that receives the pty master.") var consoleSocket: String?
    @Flag(name: [.short, .long], help: "Detach from the process.") var detach = false
    @Option(name: .long, help: "File to write the process's pid to.") var pidFile: String?
    @Option(name: .long, help: "Working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "Environment variable KEY=VALUE (repeatable).") var env: [String] = []
    @Option(name: [.short, .long], help: "uid[:gid].") var user: String?
    @Option(name: [.customShort("g"), .long], help: "Additional gid (repeatable).") var additionalGids: [UInt32] = []
    @Option(name: [.short, .long], help: "Add a capability (repeatable).") var cap: [String] = []
    @Flag(name: .long, help: "Set no_new_privs.") var noNewPrivs = false
    @Option(name: .long, help: "Pass N additional fds (from 3).") var preserveFds: Int32 = 0
    @Option(name: .long, help: "Ignored (no SELinux here).") var processLabel: String?
    @Option(name: .long, help: "Ignored (no AppArmor here).") var apparmor: String?
    @Argument(help: "The container ID.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func run() throws {
        var code: Int32 = 0
        try perform { () throws(RuntimeError) in
            var options = ExecOptions(id: id)
            if let process {
                let bytes = try ProcessFile.read(process)
                options.process = try ProcessFile.decode(bytes)
            }
            options.args = command.first == "--" ? Array(command.dropFirst()) : command
            options.tty = tty
            options.consoleSocket = consoleSocket
            options.detach = detach
            options.pidFile = pidFile
            options.cwd = cwd
            options.env = env
            options.user = user
            options.additionalGids = additionalGids
            options.capabilities = cap
            options.noNewPrivileges = noNewPrivs
            options.preserveFds = preserveFds
            code = try GlobalOptions.current.runtime.exec(options)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
