import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The root of the `swdock` command line: Docker's verbs, one subcommand per file.
public struct SwdockCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swdock",
        abstract: "A Docker-class container engine client: talks to swdockd over the Docker Engine API.",
        version: "swdock version \(SwdockVersion.version), API \(SwdockVersion.apiVersion)",
        subcommands: [
            VersionCommand.self,
            InfoCommand.self,
            RunCommand.self,
            CreateCommand.self,
            StartCommand.self,
            StopCommand.self,
            RestartCommand.self,
            KillCommand.self,
            RemoveCommand.self,
            PsCommand.self,
            LogsCommand.self,
            InspectCommand.self,
            TopCommand.self,
            RenameCommand.self,
            WaitCommand.self,
            PullCommand.self,
            ImagesCommand.self,
            TagCommand.self,
            RmiCommand.self,
            SaveCommand.self,
            LoadCommand.self,
            ContainerGroupCommand.self,
            ImageGroupCommand.self,
            SystemGroupCommand.self,
            VolumeCommand.self,
            EventsCommand.self,
            NetworkCommand.self,
            PortCommand.self,
            ExecCommand.self,
            AttachCommand.self,
            PauseCommand.self,
            UnpauseCommand.self,
            StatsCommand.self,
            CpCommand.self,
            ExportCommand.self,
            DiffCommand.self,
            CommitCommand.self,
            ImportCommand.self,
        ]
    )
    public init() {}

    /// Runs the command line. docker takes `-H HOST` before the verb (`docker -H unix:///x ps`);
    /// it is lifted out here and passed on as SWDOCK_HOST, which the `-H` of a subcommand still
    /// overrides, so both spellings work.
    public static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-") {
            let argument = arguments[index]
            if (argument == "-H" || argument == "--host"), index + 1 < arguments.count {
                setenv("SWDOCK_HOST", arguments[index + 1], 1)
                arguments.removeSubrange(index...index + 1)
            } else if argument.hasPrefix("--host=") {
                setenv("SWDOCK_HOST", String(argument.dropFirst(7)), 1)
                arguments.remove(at: index)
            } else {
                index += 1
            }
        }
        await run(CommitCommand.goStyleFlags(arguments))
    }

    /// Parses and runs; a flag error prints docker's `unknown flag`-style message with the
    /// usage hint and exits 125 as docker does (help and version exit 0).
    static func run(_ arguments: [String]) async {
        do {
            var command = try directlyParsed(arguments) ?? parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileOutput.standardError.write("swdock: " + fullMessage(for: error) + "\n\nRun 'swdock --help' for more information\n")
                Glibc.exit(125)
            }
            exit(withError: error)
        }
    }

    /// `arguments` parsed by the verb's own command alone, or nil (not a verb, a group such as
    /// `container`, a request for help, or anything the verb alone does not parse), which the
    /// full parse then handles with its messages and usage lines. A parse from the root first
    /// builds the argument set of every subcommand by reflection: about half of `swdock ps`'s
    /// CPU time (perf).
    static func directlyParsed(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let verb = arguments.first, let type = verbs[verb],
              !arguments.contains(where: { helpFlags.contains($0) || $0.hasPrefix("--generate-completion") }) else { return nil }
        return try? type.parseAsRoot(Array(arguments.dropFirst()))
    }

    /// Help as ArgumentParser answers it itself (named after the verb alone when the verb is the root).
    static let helpFlags: Set<String> = ["-h", "--help", "-help", "help", "--version", "--experimental-dump-help"]

    /// The subcommands without subcommands of their own, by name.
    static let verbs: [String: any ParsableCommand.Type] = Dictionary(
        configuration.subcommands.compactMap { type in
            type.configuration.subcommands.isEmpty ? (type._commandName, type) : nil
        }, uniquingKeysWith: { first, _ in first })
}
