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
            try ContainerLaunch.pump(connection, stdin: interactive)
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

/// `swdock stop [-t N] [-s SIG] CONTAINER…` (304 Not Modified counts as success, as docker).
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one or more running containers")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container") var time: Int?
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container") var signal: String?
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            var query: [(String, String)] = []
            if let signal { query.append(("signal", signal)) }
            if let time { query.append(("t", String(time))) }
            try client.forEach(containers) { name in try client.call("POST", "/containers/\(name)/stop", query: query) }
        }
    }
}

/// `swdock restart [-t N] CONTAINER…`.
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one or more containers")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container") var time: Int?
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container") var signal: String?
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            var query: [(String, String)] = []
            if let signal { query.append(("signal", signal)) }
            if let time { query.append(("t", String(time))) }
            try client.forEach(containers) { name in try client.call("POST", "/containers/\(name)/restart", query: query) }
        }
    }
}

/// `swdock kill [-s SIGNAL] CONTAINER…`.
struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Kill one or more running containers")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container") var signal: String?
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            let query = signal.map { [("signal", $0)] } ?? []
            try client.forEach(containers) { name in try client.call("POST", "/containers/\(name)/kill", query: query) }
        }
    }
}

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

/// `swdock wait CONTAINER…`: prints each exit status.
struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Block until one or more containers stop, then print their exit codes")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            var failed = false
            for name in containers {
                do {
                    var response = try client.open("POST", "/containers/\(name)/wait")
                    let answer = try JSONNode.parse(try response.body.readAll())
                    if let message = answer["Error"]?["Message"]?.stringValue, !message.isEmpty {
                        writeErr("\(message)\n")
                        failed = true
                        continue
                    }
                    writeOut("\(answer["StatusCode"]?.int64Value ?? 0)\n")
                } catch {
                    writeErr("\(error)\n")
                    failed = true
                }
            }
            if failed { throw CommandExit(1) }
        }
    }
}

/// `swdock rename OLD NEW`.
struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container", completion: .containerNames) var container: String
    @Argument(help: "New name") var newName: String

    func run() throws {
        reportingErrors {
            let name = newName.trimmingCharacters()
            guard !name.isEmpty else { throw FlagError("Error: Neither old nor new names may be empty") }
            try global.client().call("POST", "/containers/\(container)/rename", query: [("name", name)])
        }
    }
}

/// `swdock top CONTAINER [ps OPTIONS]`.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container", completion: .containerNames) var container: String
    @Argument(parsing: .captureForPassthrough, help: "ps options") var psArguments: [String] = []

    func run() throws {
        reportingErrors {
            let query = psArguments.isEmpty ? [] : [("ps_args", psArguments.joined(separator: " "))]
            let answer = try global.client().getNode("/containers/\(container)/top", query: query)
            var writer = TabWriter()
            writer.minWidth = 1
            writer.padding = 3
            writer.write((answer["Titles"]?.arrayValue ?? []).map(\.templateText).joined(separator: "\t") + "\n")
            for process in answer["Processes"]?.arrayValue ?? [] {
                writer.write(process.arrayValue.map(\.templateText).joined(separator: "\t") + "\n")
            }
            writeOut(writer.flush())
        }
    }
}

/// `swdock container prune [-f] [--filter]`.
struct ContainerPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(name: .long, help: "Provide filter values (e.g. \"until=<timestamp>\")") var filter: [String] = []

    func run() throws {
        reportingErrors {
            if !force, !confirm("WARNING! This will remove all stopped containers.\nAre you sure you want to continue?") { return }
            let (_, body) = try global.client().call("POST", "/containers/prune", query: try filtersQuery(filter))
            let answer = try JSONNode.parse(body)
            let deleted = answer["ContainersDeleted"]?.arrayValue ?? []
            var out = ""
            if !deleted.isEmpty {
                out += "Deleted Containers:\n" + deleted.map { $0.templateText + "\n" }.joined() + "\n"
            }
            out += "Total reclaimed space: \(HumanUnits.size(Double(answer["SpaceReclaimed"]?.int64Value ?? 0)))\n"
            writeOut(out)
        }
    }
}

/// docker's `[y/N]` prompt on stdin.
func confirm(_ question: String) -> Bool {
    writeOut(question + " [y/N] ")
    var line: [UInt8] = []
    while let byte = (try? SwdockOSRead.byte()), byte != UInt8(ascii: "\n") { line.append(byte) }
    let answer = String(decoding: line, as: UTF8.self).trimmingCharacters().lowercased()
    return answer == "y" || answer == "yes"
}

import SwdockOS

enum SwdockOSRead {
    /// One byte of stdin, nil at EOF.
    static func byte() throws -> UInt8? {
        let bytes = try FileDescriptor.standardInput.read(upTo: 1)
        return bytes.first
    }
}
