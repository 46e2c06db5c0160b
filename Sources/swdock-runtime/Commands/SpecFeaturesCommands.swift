import ArgumentParser
import SwdockRuntime

struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a default config.json (like `runc spec`).")
    @Option(name: [.short, .long], help: "Bundle directory to write config.json into.") var bundle: String?
    @Flag(name: .long, help: "A spec for a rootless container.") var rootless = false
    func run() throws {
        try perform { () throws(RuntimeError) in
            try DefaultSpec.write(bundle: bundle ?? ".", rootless: rootless)
        }
    }
}

struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "Print the OCI features document.")
    func run() throws { print(RuntimeFeatures.json()) }
}
