import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
