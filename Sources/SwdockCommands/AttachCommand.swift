import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI
import SwdockClient

/// `swdock attach [--no-stdin] [--sig-proxy] [--detach-keys] C`: the terminal joins the
/// container's stdio; ctrl-p ctrl-q (or `--detach-keys`) leaves it running. Exits with the
/// container's exit code when it ends.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attach",
                                                    abstract: "Attach local standard input, output, and error streams to a running container")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("no-stdin"), help: "Do not attach STDIN") var noStdin = false
    @Option(name: .customLong("sig-proxy"), help: "Proxy all received signals to the process (non-TTY)") var sigProxy = true
    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container") var detachKeys: String?
    @Argument(help: "The container") var container: String

    struct Inspect: Decodable {
        struct State: Decodable { var Running: Bool; var Paused: Bool; var ExitCode: Int32 }
        struct Config: Decodable { var Tty: Bool; var OpenStdin: Bool }
        var Id: String
        var State: State
        var Config: Config
    }

    func run() throws {
        do {
            let client = try global.client()
            let target = try client.get("/containers/\(container)/json", as: Inspect.self)
            guard target.State.Running else { throw ValidationErrorText("You cannot attach to a stopped container, start it first") }
            if target.State.Paused { throw ValidationErrorText("You cannot attach to a paused container, unpause it first") }
            let tty = target.Config.Tty
            let withStdin = !noStdin && target.Config.OpenStdin
            let detach = try CLIConfigFile.detachKeys(flag: detachKeys)
            let query = [("stream", "1"), ("stdout", "1"), ("stderr", "1"), ("stdin", withStdin ? "1" : "0"),
                         ("detachKeys", detach.text)]
            let stream = try client.hijack("/containers/\(target.Id)/attach", query: query)
            let id = target.Id
            let end: Terminal.PumpEnd
            if tty {
                end = ContainerLaunch.attachedTerminal(client, id, stream, stdin: withStdin, detachKeys: detach.keys)
            } else {
                if sigProxy { Terminal.proxySignals(client, to: id) }
                end = Terminal.pump(stream, tty: false, sendStdin: withStdin, detachKeys: nil)
            }
            if end == .detached { return }
            // The exit code once the container has ended (wait returns at once if it has).
            let bytes = try client.postChecked("/containers/\(id)/wait", query: [("condition", "not-running")])
            struct Wait: Decodable { var StatusCode: Int32 }
            if let code = try? JSONDecoder().decode(Wait.self, from: Data(bytes)).StatusCode, code != 0 { Glibc.exit(code) }
        } catch {
            Terminal.restore()
            exitWithError(error)
        }
    }
}
