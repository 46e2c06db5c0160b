import ArgumentParser
import SwdockClient
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

/// `swdock save [-o FILE] [--format docker|oci] IMAGE…`: the images as one docker-archive tar
/// (what `docker load` reads), or as an OCI image layout tar (`format=oci` on `/images/get`).
struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Save one or more images to a tar archive (streamed to STDOUT by default)")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("o"), .long], help: "Write to a file, instead of STDOUT") var output: String?
    @Option(name: .long, help: "Archive format: docker (docker-archive) or oci (OCI image layout, with a docker-archive manifest.json too)",
            completion: .list(["docker", "oci"]))
    var format: String = "docker"
    @Argument(help: "Images", completion: .imageReferences) var images: [String]

    func run() throws {
        reportingErrors {
            // docker refuses to pour a tar onto a terminal, with these words.
            if output == nil, isatty(1) != 0 {
                throw FlagError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
            }
            guard format == "docker" || format == "oci" else {
                throw FlagError("invalid --format \"\(format)\": docker or oci")
            }
            var query = images.map { ("names", $0) }
            if format == "oci" { query.append(("format", "oci")) }
            var response = try global.client().open("GET", "/images/get", query: query)
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
