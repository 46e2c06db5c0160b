import ArgumentParser
import SwdockOS
import SwdockRuntime

/// swdock-runtime: an OCI runtime with runc's command line.
struct SwdockRuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swdock-runtime",
        abstract: "An OCI runtime with runc's command line.",
        version: "swdock-runtime version \(SwdockVersion.version)\nspec: \(SwdockVersion.ociRuntimeSpec)"
    )
}

SwdockRuntimeCommand.main()
