import ArgumentParser
import SwdockClient
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

/// `swdock export [-o FILE] CONTAINER`: the container's file system as a tar archive.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a container's filesystem as a tar archive")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("o"), .long], help: "Write to a file, instead of STDOUT") var output: String?
    @Argument(help: "Container", completion: .containerNames) var container: String

    func run() throws {
        reportingErrors {
            // docker's words and exit code (1) for a tar that would go to a terminal.
            if output == nil, isatty(1) != 0 {
                throw CopyError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
            }
            var response = try global.client().open("GET", "/containers/\(container)/export")
            let destination: FileDescriptor
            if let output {
                do { destination = try FileDescriptor.open(output, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644) } catch {
                    throw CopyError("failed to export container: \(error)")
                }
            } else {
                destination = .standardOutput
            }
            defer { if output != nil { destination.close() } }
            while let piece = try response.body.next() { try destination.writeAll(piece) }
        }
    }
}
