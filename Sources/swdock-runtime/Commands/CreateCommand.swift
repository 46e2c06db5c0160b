import ArgumentParser
import SwdockRuntime

/// Flags `create` and `run` share.
struct CreateFlags: ParsableArguments {
    @Option(name: [.short, .long], help: "Path to the root of the bundle directory.")
    var bundle: String?
    @Option(name: .long, help: "Unix socket that receives the pty master (process.terminal).")
    var consoleSocket: String?
    @Option(name: .long, help: "File to write the container process's pid to.")
    var pidFile: String?
    @Flag(name: .long, help: "Do not use pivot_root (MS_MOVE + chroot; for a ramfs root).")
    var noPivot = false
    @Flag(name: .long, help: "Do not create a new session keyring.")
    var noNewKeyring = false
    @Option(name: .long, help: "Pass N additional fds (from 3) to the container.")
    var preserveFds: Int32 = 0

    func options(id: String) -> CreateOptions {
        CreateFlags.options(id: id, bundle: bundle, consoleSocket: consoleSocket, pidFile: pidFile, noPivot: noPivot,
                            noNewKeyring: noNewKeyring, preserveFds: preserveFds)
    }

    /// The options of these flags (also for the hand-parsed command line, HotCommand).
    static func options(id: String, bundle: String?, consoleSocket: String?, pidFile: String?, noPivot: Bool,
                        noNewKeyring: Bool, preserveFds: Int32) -> CreateOptions {
        var options = CreateOptions(id: id)
        options.bundle = bundle
        options.consoleSocket = consoleSocket
        options.pidFile = pidFile
        options.noPivot = noPivot
        options.noNewKeyring = noNewKeyring
        // systemd socket activation: LISTEN_FDS fds are handed over too, as runc does.
        let listen = Int32(ProcessEnvironment.value("LISTEN_FDS") ?? "") ?? 0
        options.preserveFds = preserveFds + max(0, listen)
        return options
    }
}

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container (its init waits for `start`).")
    @OptionGroup var flags: CreateFlags
    @Argument(help: "The container ID.") var id: String

    func run() throws {
        try perform { () throws(RuntimeError) in _ = try GlobalOptions.current.runtime.create(flags.options(id: id)) }
    }
}
