import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct NetworkRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more networks", aliases: ["remove"])
    @OptionGroup var global: GlobalOptions
    @Argument var networks: [String]

    func run() throws {
        var failed = false
        for name in networks {
            do {
                try global.client().call("DELETE", "/networks/\(name)")
                FileOutput.standardOutput.write(name + "\n")
            } catch {
                FileOutput.standardError.write("\(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
