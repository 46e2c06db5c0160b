import ArgumentParser
import SwdockClient
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

/// `swdock load [-i FILE] [-q]`: images from a docker-archive or OCI layout tar (a file or
/// STDIN), uploaded chunk by chunk as it is read, so an archive of any size loads.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Load an image from a tar archive or STDIN")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("i"), .long], help: "Read from tar archive file, instead of STDIN") var input: String?
    @Flag(name: [.customShort("q"), .long], help: "Suppress the load output") var quiet = false

    func run() throws {
        reportingErrors {
            if input == nil, isatty(0) != 0 {
                throw FlagError("requested load from stdin, but stdin is empty")
            }
            let source = try input.map { path throws(OSError) in try FileDescriptor.open(path, O_RDONLY) } ?? .standardInput
            defer { if input != nil { source.close() } }
            let response = try global.client().upload("POST", "/images/load", query: quiet ? [("quiet", "1")] : [],
                                                      from: source)
            var reader = JSONLineReader(response)
            while let line = try reader.next() {
                let message = try JSONNode.parse(line)
                if let text = message["errorDetail"]?["message"]?.stringValue ?? message["error"]?.stringValue, !text.isEmpty {
                    throw PullProgress.StreamError(description: text)
                }
                if !quiet, let text = message["stream"]?.stringValue { writeOut(text) }
            }
        }
    }
}
