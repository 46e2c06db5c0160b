import ArgumentParser
import SwdockClient

/// `swdock rm [-f] [-v] CONTAINER…`.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more containers",
                                                    aliases: ["remove"])
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force the removal of a running container (uses SIGKILL)") var force = false
    @Flag(name: [.customShort("v"), .long], help: "Remove anonymous volumes associated with the container") var volumes = false
    @Flag(name: [.customShort("l"), .long], help: "Remove the specified link") var link = false
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            var query: [(String, String)] = []
            if volumes { query.append(("v", "1")) }
            if link { query.append(("link", "1")) }
            if force { query.append(("force", "1")) }
            try client.forEach(containers) { name in try client.call("DELETE", "/containers/\(name)", query: query) }
        }
    }
}
