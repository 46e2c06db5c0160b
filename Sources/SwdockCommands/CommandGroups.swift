import ArgumentParser

/// `swdock container …`: the container verbs under docker's management-command names.
struct ContainerGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Manage containers",
        subcommands: [RunCommand.self, CreateCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self,
                      KillCommand.self, RemoveCommand.self, ContainerListCommand.self, LogsCommand.self,
                      ContainerInspectCommand.self, TopCommand.self, RenameCommand.self, WaitCommand.self,
                      ContainerPruneCommand.self, CpCommand.self, ExportCommand.self, DiffCommand.self,
                      CommitCommand.self])
}

/// `swdock image …`.
struct ImageGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Manage images",
        subcommands: [PullCommand.self, ImageListCommand.self, ImageInspectCommand.self, TagCommand.self,
                      ImageRemoveCommand.self, ImagePruneCommand.self, ImageHistoryCommand.self, ImportCommand.self])
}

/// `swdock system …`.
struct SystemGroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system", abstract: "Manage swdock",
        subcommands: [SystemDfCommand.self, InfoCommand.self])
}
