import ArgumentParser
import SwdockOS

/// swdock-runtime: an OCI runtime with runc's command line.
struct SwdockRuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swdock-runtime",
        abstract: "An OCI runtime with runc's command line.",
        discussion: "Global flags (before the command): --root DIR, --log FILE, --log-format text|json, --debug, --systemd-cgroup.",
        version: "swdock-runtime version \(SwdockVersion.version)\nspec: \(SwdockVersion.ociRuntimeSpec)",
        subcommands: [CreateCommand.self, StartCommand.self, StateCommand.self, KillCommand.self, DeleteCommand.self,
                      RunCommand.self, ListCommand.self, ExecCommand.self, PsCommand.self,
                      PauseCommand.self, ResumeCommand.self, UpdateCommand.self, SpecCommand.self, FeaturesCommand.self]
    )
}
