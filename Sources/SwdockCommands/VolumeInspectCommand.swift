import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct VolumeInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more volumes")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template") var format: String?
    @Argument(help: "Volumes", completion: .volumeNames) var volumes: [String]

    func run() throws {
        var found: [VolumeInfo] = []
        var failed = false
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        for name in volumes {
            do {
                let body = try client.call("GET", "/volumes/\(name)").body
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
