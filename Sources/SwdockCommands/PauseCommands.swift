import ArgumentParser
import SwdockClient

/// `swdock pause C…`: freezes every process of each container (cgroup freezer).
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause all processes within one or more containers")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The containers") var containers: [String]

    func run() throws { try forEachContainer(global, containers, action: "pause") }
}

/// `swdock unpause C…`.
struct UnpauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause all processes within one or more containers")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The containers") var containers: [String]

    func run() throws { try forEachContainer(global, containers, action: "unpause") }
}

/// `POST /containers/{c}/{action}` for each: prints each name that worked, each error on
/// stderr, and exits 1 if any failed (as the docker CLI).
func forEachContainer(_ global: GlobalOptions, _ containers: [String], action: String) throws {
    guard !containers.isEmpty else { throw ValidationErrorText("\"swdock \(action)\" requires at least 1 argument.") }
    let client: EngineClient
    do { client = try global.client() } catch { exitWithError(error) }
    var failed = false
    for container in containers {
        do {
            try client.postChecked("/containers/\(container)/\(action)")
            FileOutput.standardOutput.write(container + "\n")
        } catch {
            failed = true
            FileOutput.standardError.write("\(error)\n")
        }
    }
    if failed { throw ExitCode(1) }
}
