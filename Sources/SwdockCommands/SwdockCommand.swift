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
        subcommands: [VersionCommand.self, InfoCommand.self,
                      ExecCommand.self,
                      AttachCommand.self,
                      PauseCommand.self, UnpauseCommand.self,
                      StatsCommand.self]
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
        await Self.main(arguments)
    }
}
