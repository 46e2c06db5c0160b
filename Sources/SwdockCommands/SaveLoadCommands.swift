import ArgumentParser
import SwdockClient
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

/// `swdock save [-o FILE] IMAGE…`: the images as one docker-archive tar (what `docker load` reads).
struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Save one or more images to a tar archive (streamed to STDOUT by default)")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("o"), .long], help: "Write to a file, instead of STDOUT") var output: String?
    @Argument(help: "Images", completion: .imageReferences) var images: [String]

    func run() throws {
        reportingErrors {
            // docker refuses to pour a tar onto a terminal, with these words.
            if output == nil, isatty(1) != 0 {
                throw FlagError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
            }
            var response = try global.client().open("GET", "/images/get", query: images.map { ("names", $0) })
            let destination: FileDescriptor
            if let output {
                destination = try FileDescriptor.open(output, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            } else {
                destination = .standardOutput
            }
            defer { if output != nil { destination.close() } }
            while let piece = try response.body.next() { try destination.writeAll(piece) }
        }
    }
}

/// `swdock load [-i FILE] [-q]`: images from a docker-archive tar (a file or STDIN).
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
            let archive = try source.readAll()
            let response = try global.client().open("POST", "/images/load", query: quiet ? [("quiet", "1")] : [],
                                                    body: archive)
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
