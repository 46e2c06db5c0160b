import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock commit [-a] [-m] [-c CHANGE]… [-p|--pause=false|--no-pause] C [REPOSITORY[:TAG]]`: prints
/// the new image's ID. The reference is split into repo and tag (default `latest`) as the docker
/// CLI does.
struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "Create a new image from a container's changes")
    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("a"), .long], help: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")") var author = ""
    @Option(name: [.customShort("c"), .long], help: "Apply Dockerfile instruction to the created image") var change: [String] = []
    @Option(name: [.customShort("m"), .long], help: "Commit message") var message = ""
    @Flag(name: [.customShort("p"), .long], inversion: .prefixedNo, help: "Pause container during commit") var pause = true
    @Argument(help: "The container", completion: .containerNames) var container: String
    @Argument(help: "REPOSITORY[:TAG]") var reference: String?

    func run() throws {
        reportingErrors {
            var query: [(String, String)] = [("container", container)]
            var repository = "", tag = ""
            if let reference, !reference.isEmpty {
                let parsed: Reference
                do { parsed = try Reference(parsing: reference) } catch { throw PullProgress.StreamError(description: "invalid reference format") }
                guard parsed.digest == nil else { throw PullProgress.StreamError(description: "refusing to create a tag with a digest reference") }
                repository = parsed.name
                tag = parsed.tag ?? "latest"
            }
            query += [("repo", repository), ("tag", tag), ("comment", message), ("author", author)]
            for value in change { query.append(("changes", value)) }
            if !pause { query.append(("pause", "0")) }
            let response = try global.client().call("POST", "/commit", query: query, body: Array("null\n".utf8),
                                                    headers: [("Content-Type", "application/json")])
            let id = try JSONNode.parse(response.body)["Id"]?.stringValue ?? ""
            writeOut(id + "\n")
        }
    }
}

extension CommitCommand {
    /// docker's Go-style `--pause=false` / `-p=false` (and `=true`) spelled as ArgumentParser's
    /// `--no-pause` / `--pause`, for a `commit` or `container commit` command line.
    static func goStyleFlags(_ arguments: [String]) -> [String] {
        let verbs = arguments.prefix { !$0.hasPrefix("-") }
        guard verbs.first == "commit" || Array(verbs.prefix(2)) == ["container", "commit"] else { return arguments }
        return arguments.map { argument in
            switch argument {
            case "--pause=false", "-p=false", "--pause=0", "-p=0": return "--no-pause"
            case "--pause=true", "-p=true", "--pause=1", "-p=1": return "--pause"
            default: return argument
            }
        }
    }
}
