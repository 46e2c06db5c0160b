import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        do { try global.client().call("POST", "/networks/\(network)/connect", json: body) } catch {
            exitWithError(error)
        }
    }
}
