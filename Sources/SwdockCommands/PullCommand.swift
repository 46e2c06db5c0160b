import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock pull [--platform P] [-q] [-a] REF`: docker's progress, then the reference.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download an image from a registry")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .customLong("all-tags")], help: "Download all tagged images in the repository") var allTags = false
    @Flag(name: [.customShort("q"), .long], help: "Suppress verbose output") var quiet = false
    @Option(name: .long, help: "Set platform if server is multi-platform capable") var platform: String?
    @Flag(name: .customLong("disable-content-trust"), help: "Skip image verification (default true)") var disableContentTrust = false
    @Argument(help: "NAME[:TAG|@DIGEST]") var reference: String

    func run() throws {
        reportingErrors {
            if allTags, let parsed = try? Reference(parsing: reference), parsed.tag != nil || parsed.digest != nil {
                throw FlagError("tag can't be used with --all-tags/-a")
            }
            let shown = try ImagePull.pull(global.client(), reference, all: allTags, platform: platform, quiet: quiet, fd: 1)
            writeOut(shown + "\n")
        }
    }
}
