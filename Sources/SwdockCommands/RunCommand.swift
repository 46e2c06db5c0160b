import ArgumentParser
import SwdockClient

/// `swdock run`: create (pulling a missing image), attach, wait, start, stream, exit with the
/// container's status, in docker's call order; `-d` prints the ID instead.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Create and run a new container from an image",
                                                    helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ContainerCreateOptions
    @Flag(name: [.customShort("d"), .long], help: "Run container in background and print container ID") var detach = false
    @Flag(name: .customLong("rm"), help: "Automatically remove the container and its associated anonymous volumes when it exits") var remove = false
    @Option(name: .customLong("sig-proxy"), help: "Proxy received signals to the process") var sigProxy = true
    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container") var detachKeys: String?
    @Argument(help: "The image to run", completion: .imageReferences) var image: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments") var command: [String] = []

    func run() throws {
        reportingRunErrors("run") {
            let client = try global.client()
            let request = try options.request(image: image, command: command, attach: !detach, autoRemove: remove)
            let id = try ContainerLaunch.create(client, options, request)
            let stdin = options.interactive && !detach
            if options.tty && !detach {
                throw CommandExit(try ContainerLaunch.runWithTerminal(client, id, stdin: stdin,
                                                                      condition: remove ? "removed" : "next-exit",
                                                                      detachKeysFlag: detachKeys))
            }
            let attached = detach ? nil : try ContainerLaunch.attach(client, id, stdin: stdin)
            var wait = try ContainerLaunch.openWait(client, id, condition: remove ? "removed" : "next-exit")
            try ContainerLaunch.start(client, id)
            if detach {
                writeOut(id + "\n")
                wait.connection.fd.close()
                return
            }
            if let attached {
                if sigProxy { Terminal.proxySignals(client, to: id) }
                _ = Terminal.pump(attached, tty: false, sendStdin: stdin, detachKeys: nil)
            }
            let status = try ContainerLaunch.finishWait(&wait)
            throw CommandExit(status)
        }
    }
}
