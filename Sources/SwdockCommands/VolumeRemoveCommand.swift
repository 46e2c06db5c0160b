import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct VolumeRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more volumes", aliases: ["remove"])
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force the removal of one or more volumes") var force = false
    @Argument(help: "Volumes", completion: .volumeNames) var volumes: [String]

    func run() throws {
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        var failed = false
        for name in volumes {
            do {
                try client.call("DELETE", "/volumes/\(name)", query: force ? [("force", "1")] : [])
                FileOutput.standardOutput.write(name + "\n")
            } catch {
                FileOutput.standardError.write("\(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
