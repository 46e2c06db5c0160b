#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwdockClient
import SwdockOCI
import SwdockOS

/// `swdock import [-c CHANGE]… [-m MSG] [--platform P] FILE|URL|- [REPOSITORY[:TAG]]`: a file
/// or STDIN is uploaded chunked; a URL is fetched by the daemon. Prints the daemon's status
/// lines (the new image's ID), as the docker CLI does.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import",
                                                    abstract: "Import the contents from a tarball to create a filesystem image")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("c"), .long], help: "Apply Dockerfile instruction to the created image") var change: [String] = []
    @Option(name: [.customShort("m"), .long], help: "Set commit message for imported image") var message = ""
    @Option(name: .long, help: "Set platform if server is multi-platform capable") var platform = ""
    @Argument(help: "file|URL|-") var source: String
    @Argument(help: "REPOSITORY[:TAG]") var reference: String?

    func run() throws {
        reportingErrors {
            if let reference, !reference.isEmpty {
                do { _ = try Reference(parsing: reference) } catch { throw PullProgress.StreamError(description: "invalid reference format") }
            }
            let isURL = source.hasPrefix("http://") || source.hasPrefix("https://")
            var query: [(String, String)] = [("fromSrc", isURL ? source : "-"), ("repo", reference ?? ""), ("tag", ""),
                                             ("message", message)]
            if !platform.isEmpty { query.append(("platform", platform.lowercased())) }
            for value in change { query.append(("changes", value)) }
            let client = try global.client()
            var response: EngineClient.Response
            if isURL {
                response = try client.open("POST", "/images/create", query: query)
            } else {
                let input: FileDescriptor
                if source == "-" {
                    input = .standardInput
                } else {
                    do throws(OSError) { input = try FileDescriptor.open(source, O_RDONLY) } catch {
                        throw PullProgress.StreamError(description: "open \(source): \(String(cString: strerror(error.errno)).lowercased())")
                    }
                }
                defer { if source != "-" { input.close() } }
                response = try client.upload("POST", "/images/create", query: query, from: input)
            }
            var reader = JSONLineReader(response)
            while let line = try reader.next() {
                let message = try JSONNode.parse(line)
                if let text = message["errorDetail"]?["message"]?.stringValue ?? message["error"]?.stringValue, !text.isEmpty {
                    throw PullProgress.StreamError(description: text)
                }
                if let status = message["status"]?.stringValue, message["progressDetail"] == nil { writeOut(status + "\n") }
            }
        }
    }
}
