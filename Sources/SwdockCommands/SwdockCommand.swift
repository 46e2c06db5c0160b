import ArgumentParser
import SwdockOS

/// The root of the `swdock` command line: Docker's verbs, one subcommand per file.
public struct SwdockCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swdock",
        abstract: "A Docker-class container engine client: talks to swdockd over the Docker Engine API.",
        version: "swdock version \(SwdockVersion.version), API \(SwdockVersion.apiVersion)",
        subcommands: []
    )
    public init() {}
}
