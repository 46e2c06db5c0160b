import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
            let answer = try global.client().call("POST", "/networks/create", json: request).body
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
