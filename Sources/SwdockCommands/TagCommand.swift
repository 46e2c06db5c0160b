import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock tag SOURCE TARGET`.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "SOURCE_IMAGE[:TAG]", completion: .imageReferences) var source: String
    @Argument(help: "TARGET_IMAGE[:TAG]") var target: String

    func run() throws {
        reportingErrors {
            let reference: Reference
            do { reference = try Reference(parsing: target) } catch { throw FlagError("invalid reference format") }
            guard reference.digest == nil else { throw FlagError("refusing to create a tag with a digest reference") }
            try global.client().call("POST", "/images/\(source)/tag",
                                     query: [("repo", reference.name), ("tag", reference.tag ?? "latest")])
        }
    }
}
