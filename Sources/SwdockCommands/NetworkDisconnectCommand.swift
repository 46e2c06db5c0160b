import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct NetworkDisconnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Disconnect a container from a network")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force the container to disconnect from a network") var force = false
    @Argument var network: String
    @Argument var container: String

    func run() throws {
        let body: JSONValue = .object(["Container": .string(container), "Force": .bool(force)])
        do { try global.client().call("POST", "/networks/\(network)/disconnect", json: body) } catch {
            exitWithError(error)
        }
    }
}
