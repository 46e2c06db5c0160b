import ArgumentParser
import SwdockClient

/// `swdock start [-a] CONTAINER…`.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start one or more stopped containers")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .long], help: "Attach STDOUT/STDERR and forward signals") var attach = false
    @Flag(name: [.customShort("i"), .long], help: "Attach container's STDIN") var interactive = false
    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container") var detachKeys: String?
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            guard attach || interactive else {
                try client.forEach(containers) { name in try ContainerLaunch.startPlain(client, name) }
                return
            }
            guard containers.count == 1 else { throw FlagError("you cannot start and attach multiple containers at once") }
            let inspect = try client.getNode("/containers/\(containers[0])/json")
            let id = inspect["Id"]?.stringValue ?? containers[0]
            let autoRemove = inspect["HostConfig"]?["AutoRemove"]?.boolValue ?? false
            let raw = inspect["Config"]?["Tty"]?.boolValue ?? false
            let condition = autoRemove ? "removed" : "next-exit"
            if raw {
                // docker start -a of a TTY container: the terminal session, as run -t.
                throw CommandExit(try ContainerLaunch.runWithTerminal(client, id, stdin: interactive, condition: condition,
                                                                      detachKeysFlag: detachKeys))
            }
            let connection = try ContainerLaunch.attach(client, id, stdin: interactive)
            var wait = try ContainerLaunch.openWait(client, id, condition: condition)
            do { try client.call("POST", "/containers/\(id)/start") }
            Terminal.proxySignals(client, to: id)
            _ = Terminal.pump(connection, tty: false, sendStdin: interactive, detachKeys: nil)
            throw CommandExit(try ContainerLaunch.finishWait(&wait))
        }
    }
}

extension ContainerLaunch {
    /// `POST /containers/{name}/start` for `start` without `-a`.
    static func startPlain(_ client: EngineClient, _ name: String) throws {
        try client.call("POST", "/containers/\(name)/start")
    }
}
