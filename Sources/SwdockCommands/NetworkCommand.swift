import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `swdock network …`: Docker's network commands over `/networks`.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Manage networks",
        subcommands: [NetworkCreateCommand.self, NetworkListCommand.self, NetworkInspectCommand.self, NetworkRemoveCommand.self,
                      NetworkPruneCommand.self, NetworkConnectCommand.self, NetworkDisconnectCommand.self])
}

/// One request with a JSON body; the answer's bytes, or the daemon's message thrown.
func callDaemon(_ client: EngineClient, _ method: String, _ path: String, query: [(String, String)] = [],
                body: (any Encodable)? = nil) throws -> [UInt8] {
    let bytes = try body.map { Array(try JSONEncoder().encode($0)) }
    var response = try client.send(method, path, query: query, body: bytes)
    let answer = try response.body.readAll()
    try EngineClient.check(response.head, answer)
    return answer
}

/// Columns as Go's tabwriter lays them out for docker (minwidth 10, padding 3).
func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = Array(repeating: 0, count: first.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell + String(repeating: " ", count: max(widths[i] + 3, 10) - cell.count) }
            .joined()
    }.joined(separator: "\n") + "\n"
}

struct NetworkCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a network")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("d"), .long], help: "Driver to manage the Network") var driver = "bridge"
    @Option(help: "Subnet in CIDR format") var subnet: String?
    @Option(help: "IPv4 Gateway for the master subnet") var gateway: String?
    @Option(name: .customLong("ip-range"), help: "Allocate container ip from a sub-range") var ipRange: String?
    @Flag(help: "Restrict external access to the network") var `internal` = false
    @Option(help: "Set metadata on a network") var label: [String] = []
    @Option(name: [.customShort("o"), .customLong("opt")], help: "Set driver specific options") var opt: [String] = []
    @Argument var name: String

    func run() throws {
        var request = NetworkCreateRequest()
        request.Name = name
        request.Driver = driver
        request.CheckDuplicate = true
        request.Internal = `internal`
        request.Labels = Self.pairs(label)
        request.Options = Self.pairs(opt)
        if subnet != nil || gateway != nil || ipRange != nil {
            request.IPAM = NetworkCreateRequest.IPAMRequest(Driver: "default", Config: [.init(Subnet: subnet, IPRange: ipRange, Gateway: gateway)], Options: [:])
        }
        do {
            let answer = try callDaemon(try global.client(), "POST", "/networks/create", body: request)
            let created = try JSONDecoder().decode(NetworkCreateResponse.self, from: Data(answer))
            FileOutput.standardOutput.write(created.Id + "\n")
        } catch { exitWithError(error) }
    }

    static func pairs(_ list: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for item in list {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            result[parts[0]] = parts.count == 2 ? parts[1] : ""
        }
        return result
    }
}

struct NetworkListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks", aliases: ["list"])
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Provide filter values (e.g. 'driver=bridge')") var filter: [String] = []
    @Option(help: "Format output using a Go template") var format: String?
    @Flag(name: [.customShort("q"), .long], help: "Only display network IDs") var quiet = false
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate the output") var noTrunc = false

    func run() throws {
        let networks: [NetworkResource]
        do { networks = try global.client().get("/networks", query: try filtersQuery(filter), as: [NetworkResource].self) } catch {
            exitWithError(error)
        }
        let sorted = networks.sorted { $0.Name < $1.Name }
        func shortID(_ id: String) -> String { noTrunc ? id : String(id.prefix(12)) }
        if quiet {
            FileOutput.standardOutput.write(sorted.map { shortID($0.Id) + "\n" }.joined())
            return
        }
        if let format {
            do {
                let template = try GoTemplate(format)
                for network in sorted {
                    let row: JSONValue = .object(["ID": .string(shortID(network.Id)), "Name": .string(network.Name),
                                                  "Driver": .string(network.Driver), "Scope": .string(network.Scope),
                                                  "Internal": .bool(network.Internal), "IPv6": .bool(network.EnableIPv6),
                                                  "CreatedAt": .string(network.Created),
                                                  "Labels": .string(network.Labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))])
                    FileOutput.standardOutput.write(try template.render(row) + "\n")
                }
            } catch { exitWithError(error) }
            return
        }
        FileOutput.standardOutput.write(table([["NETWORK ID", "NAME", "DRIVER", "SCOPE"]]
                                              + sorted.map { [shortID($0.Id), $0.Name, $0.Driver, $0.Scope] }))
    }
}

struct NetworkInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more networks")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template") var format: String?
    @Argument var networks: [String]

    func run() throws {
        var values: [JSONValue] = []
        var failed = false
        for name in networks {
            do { values.append(try global.client().get("/networks/\(name)", as: JSONValue.self)) } catch {
                FileOutput.standardError.write("Error: No such network: \(name)\n")
                failed = true
            }
        }
        do {
            if let format {
                let template = try GoTemplate(format)
                for value in values { FileOutput.standardOutput.write(try template.render(value) + "\n") }
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                FileOutput.standardOutput.write(String(decoding: try encoder.encode(values), as: UTF8.self) + "\n")
            }
        } catch { exitWithError(error) }
        if failed { throw ExitCode(1) }
    }
}

struct NetworkRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more networks", aliases: ["remove"])
    @OptionGroup var global: GlobalOptions
    @Argument var networks: [String]

    func run() throws {
        var failed = false
        for name in networks {
            do {
                _ = try callDaemon(try global.client(), "DELETE", "/networks/\(name)")
                FileOutput.standardOutput.write(name + "\n")
            } catch {
                FileOutput.standardError.write("\(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct NetworkPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all unused networks")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation") var force = false
    @Option(help: "Provide filter values (e.g. 'label=<key>=<value>')") var filter: [String] = []

    func run() throws {
        guard force else {
            throw ValidationErrorText("not supported: the confirmation prompt; use -f")
        }
        do {
            let answer = try callDaemon(try global.client(), "POST", "/networks/prune", query: try filtersQuery(filter))
            let report = try JSONDecoder().decode(NetworkPruneReport.self, from: Data(answer))
            if let deleted = report.NetworksDeleted, !deleted.isEmpty {
                FileOutput.standardOutput.write("Deleted Networks:\n" + deleted.map { $0 + "\n" }.joined())
            }
        } catch { exitWithError(error) }
    }
}

struct NetworkConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Connect a container to a network")
    @OptionGroup var global: GlobalOptions
    @Option(help: "IPv4 address (e.g., 172.30.100.104)") var ip: String?
    @Option(help: "Add network-scoped alias for the container") var alias: [String] = []
    @Argument var network: String
    @Argument var container: String

    func run() throws {
        var endpoint: [String: JSONValue] = [:]
        if let ip { endpoint["IPAMConfig"] = .object(["IPv4Address": .string(ip)]) }
        if !alias.isEmpty { endpoint["Aliases"] = .array(alias.map { .string($0) }) }
        let body: JSONValue = .object(["Container": .string(container), "EndpointConfig": .object(endpoint)])
        do { _ = try callDaemon(try global.client(), "POST", "/networks/\(network)/connect", body: body) } catch {
            exitWithError(error)
        }
    }
}

struct NetworkDisconnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Disconnect a container from a network")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force the container to disconnect from a network") var force = false
    @Argument var network: String
    @Argument var container: String

    func run() throws {
        let body: JSONValue = .object(["Container": .string(container), "Force": .bool(force)])
        do { _ = try callDaemon(try global.client(), "POST", "/networks/\(network)/disconnect", body: body) } catch {
            exitWithError(error)
        }
    }
}
