import ArgumentParser
import SwdockClient

/// `swdock create`: the container, pulled image included, without starting it; prints the ID.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a new container",
                                                    helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ContainerCreateOptions
    @Flag(name: .customLong("rm"), help: "Automatically remove the container when it exits") var remove = false
    @Argument(help: "The image", completion: .imageReferences) var image: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments") var command: [String] = []

    func run() throws {
        reportingRunErrors("create") {
            let client = try global.client()
            let request = try options.request(image: image, command: command, attach: true, autoRemove: remove)
            let id = try ContainerLaunch.create(client, options, request)
            writeOut(id + "\n")
        }
    }
}
