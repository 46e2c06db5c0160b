import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock rmi` / `image rm`: prints the daemon's `Untagged:`/`Deleted:` lines.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove one or more images")
    @OptionGroup var options: RmiOptions
    func run() throws { options.execute() }
}

struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more images", aliases: ["remove", "rmi"])
    @OptionGroup var options: RmiOptions
    func run() throws { options.execute() }
}

struct RmiOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Force removal of the image") var force = false
    @Flag(name: .customLong("no-prune"), help: "Do not delete untagged parents") var noPrune = false
    @Argument(help: "Images", completion: .imageReferences) var images: [String]

    func execute() {
        reportingErrors {
            let client = try global.client()
            var query: [(String, String)] = []
            if force { query.append(("force", "1")) }
            if noPrune { query.append(("noprune", "1")) }
            var failed = false
            for image in images {
                do {
                    let (_, body) = try client.call("DELETE", "/images/\(image)", query: query)
                    for entry in try JSONNode.parse(body).arrayValue {
                        if let text = entry["Untagged"]?.stringValue { writeOut("Untagged: \(text)\n") }
                        if let text = entry["Deleted"]?.stringValue { writeOut("Deleted: \(text)\n") }
                    }
                } catch {
                    writeErr("\(error)\n")
                    // As docker: with -f a missing image is reported but not a failure.
                    if !(force && (error as? ClientError)?.status == 404) { failed = true }
                }
            }
            if failed { throw CommandExit(1) }
        }
    }
}
