import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `swdock volume`: create, ls, inspect, rm, prune (docker's verbs and output).
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume", abstract: "Manage volumes",
        subcommands: [VolumeCreateCommand.self, VolumeListCommand.self, VolumeInspectCommand.self,
                      VolumeRemoveCommand.self, VolumePruneCommand.self])
}

/// A request whose error status exits like docker ("Error response from daemon: …", 1).
func daemonRequest(_ client: EngineClient, _ method: String, _ path: String, query: [(String, String)] = [],
                   body: [UInt8]? = nil) throws(ClientError) -> [UInt8] {
    var response = try client.send(method, path, query: query, body: body)
    let bytes = try response.body.readAll()
    try EngineClient.check(response.head, bytes)
    return bytes
}

/// Renders `value` with a Go template (`{{.Name}}`, `{{json .}}`).
func renderTemplate<T: Encodable>(_ format: String, _ value: T) throws -> String {
    let data = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    return try GoTemplate(format).render(data)
}

struct VolumeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a volume")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Specify volume name") var name: String?
    @Option(name: [.customShort("d"), .long], help: "Specify volume driver name") var driver = "local"
    @Option(name: .long, help: "Set metadata for a volume (key=value)") var label: [String] = []
    @Option(name: [.customShort("o"), .long], help: "Set driver specific options (key=value)") var opt: [String] = []
    @Argument(help: "Volume name") var volume: String?

    func run() throws {
        if let name, let volume, name != volume {
            exitWithError(ValidationError("conflicting options: cannot specify a volume-name through both --name and as a positional arg"))
        }
        func pairs(_ list: [String]) -> [String: String] {
            var result: [String: String] = [:]
            for item in list {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                result[parts[0]] = parts.count == 2 ? parts[1] : ""
            }
            return result
        }
        let request = VolumeCreateRequest(Name: name ?? volume ?? "", Driver: driver, DriverOpts: pairs(opt), Labels: pairs(label))
        do {
            let body = try daemonRequest(try global.client(), "POST", "/volumes/create", body: Array(try JSONEncoder().encode(request)))
            let created = try JSONDecoder().decode(VolumeInfo.self, from: Data(body))
            FileOutput.standardOutput.write(created.Name + "\n")
        } catch { exitWithError(error) }
    }
}

struct VolumeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes", aliases: ["list"])
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("q"), .long], help: "Only display volume names") var quiet = false
    @Option(name: [.customShort("f"), .long], help: "Provide filter values (e.g. dangling=true)") var filter: [String] = []
    @Option(name: .long, help: "Format output using a Go template") var format: String?

    func run() throws {
        do {
            let body = try daemonRequest(try global.client(), "GET", "/volumes", query: try filtersQuery(filter))
            let list = try JSONDecoder().decode(VolumeListResponse.self, from: Data(body))
            let volumes = list.Volumes.sorted { $0.Name < $1.Name }
            var out = ""
            if quiet {
                for volume in volumes { out += volume.Name + "\n" }
            } else if let format {
                for volume in volumes { out += try renderTemplate(format, volume) + "\n" }
            } else {
                out += "DRIVER    VOLUME NAME\n"
                for volume in volumes { out += volume.Driver.padding(toLength: max(10, volume.Driver.count + 1), withPad: " ", startingAt: 0) + volume.Name + "\n" }
            }
            FileOutput.standardOutput.write(out)
        } catch { exitWithError(error) }
    }
}

struct VolumeInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more volumes")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template") var format: String?
    @Argument(help: "Volumes") var volumes: [String]

    func run() throws {
        var found: [VolumeInfo] = []
        var failed = false
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        for name in volumes {
            do {
                let body = try daemonRequest(client, "GET", "/volumes/\(name)")
                found.append(try JSONDecoder().decode(VolumeInfo.self, from: Data(body)))
            } catch {
                FileOutput.standardError.write("\(error)\n")
                failed = true
            }
        }
        do {
            if let format {
                for volume in found { FileOutput.standardOutput.write(try renderTemplate(format, volume) + "\n") }
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileOutput.standardOutput.write(String(decoding: try encoder.encode(found), as: UTF8.self) + "\n")
            }
        } catch { exitWithError(error) }
        if failed { throw ExitCode(1) }
    }
}

struct VolumeRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more volumes", aliases: ["remove"])
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force the removal of one or more volumes") var force = false
    @Argument(help: "Volumes") var volumes: [String]

    func run() throws {
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        var failed = false
        for name in volumes {
            do {
                _ = try daemonRequest(client, "DELETE", "/volumes/\(name)", query: force ? [("force", "1")] : [])
                FileOutput.standardOutput.write(name + "\n")
            } catch {
                FileOutput.standardError.write("\(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct VolumePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused local volumes")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .long], help: "Remove all unused volumes, not just anonymous ones") var all = false
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(name: .long, help: "Provide filter values (e.g. label=<label>)") var filter: [String] = []

    func run() throws {
        guard force else {
            exitWithError(ValidationError("not supported: the confirmation prompt; pass -f to prune"))
        }
        do {
            let query = try filtersQuery(filter + (all ? ["all=true"] : []))
            let body = try daemonRequest(try global.client(), "POST", "/volumes/prune", query: query)
            let report = try JSONDecoder().decode(VolumePruneReport.self, from: Data(body))
            var out = ""
            if !report.VolumesDeleted.isEmpty {
                out += "Deleted Volumes:\n" + report.VolumesDeleted.map { $0 + "\n" }.joined() + "\n"
            }
            out += "Total reclaimed space: \(InfoCommand.bytes(report.SpaceReclaimed).replacingOccurrences(of: "i", with: ""))\n"
            FileOutput.standardOutput.write(out)
        } catch { exitWithError(error) }
    }
}
