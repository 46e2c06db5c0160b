import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
            let body = try global.client().call("POST", "/volumes/create", json: request).body
            let created = try JSONDecoder().decode(VolumeInfo.self, from: Data(body))
            FileOutput.standardOutput.write(created.Name + "\n")
        } catch { exitWithError(error) }
    }
}
