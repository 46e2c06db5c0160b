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

/// `swdock exec [-d] [-i] [-t] [-e] [-u] [-w] [--privileged] C CMD…`: runs a command in a
/// running container and exits with its exit code, as `docker exec`.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Execute a command in a running container")

    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("d"), .long], help: "Detached mode: run command in the background") var detach = false
    @Flag(name: [.customShort("i"), .long], help: "Keep STDIN open even if not attached") var interactive = false
    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-TTY") var tty = false
    @Option(name: [.customShort("e"), .long], help: "Set environment variables") var env: [String] = []
    @Option(name: [.customShort("u"), .long], help: "Username or UID (format: <name|uid>[:<group|gid>])") var user: String?
    @Option(name: [.customShort("w"), .long], help: "Working directory inside the container") var workdir: String?
    @Flag(help: "Give extended privileges to the command") var privileged = false
    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container") var detachKeys: String?
    @Argument(help: "The container") var container: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments") var command: [String] = []

    func run() throws {
        guard !command.isEmpty else { exitWithError(ValidationErrorText("\"swdock exec\" requires at least 2 arguments."), code: 1) }
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        var request = ExecCreateRequest()
        request.User = user ?? ""
        request.Privileged = privileged
        request.Tty = tty
        request.AttachStdin = interactive && !detach
        request.AttachStdout = !detach
        request.AttachStderr = !detach
        request.Detach = detach
        request.Env = env.isEmpty ? nil : env
        request.WorkingDir = workdir ?? ""
        request.Cmd = command
        do {
            let detachSequence = try CLIConfigFile.detachKeys(flag: detachKeys)
            request.DetachKeys = detachSequence.text
            let created: ExecCreateResponse = try client.post("/containers/\(container)/exec", json: request)
            var start = ExecStartRequest()
            start.Detach = detach
            start.Tty = tty
            let body = Array(try JSONEncoder().encode(start))
            if detach {
                _ = try client.postChecked("/exec/\(created.Id)/start", body: body)
                return
            }
            let stream = try client.hijack("/exec/\(created.Id)/start", body: body)
            let end: Terminal.PumpEnd
            if tty {
                end = ContainerLaunch.attachedTerminal(client, container, stream, stdin: interactive,
                                                       detachKeys: detachSequence.keys, resizePath: "/exec/\(created.Id)/resize")
            } else {
                end = Terminal.pump(stream, tty: false, sendStdin: interactive, detachKeys: nil)
            }
            if end == .detached { return }
            let inspect: ExecInspect = try client.get("/exec/\(created.Id)/json", as: ExecInspect.self)
            if let code = inspect.ExitCode, code != 0 { Glibc.exit(code) }
        } catch {
            Terminal.restore()
            exitWithError(error)
        }
    }
}

extension EngineClient {
    /// `POST path` with a JSON body, decoding the answer; error statuses throw the daemon's message.
    func post<Body: Encodable, Answer: Decodable>(_ path: String, query: [(String, String)] = [], json: Body) throws -> Answer {
        let bytes = try postChecked(path, query: query, body: Array(try JSONEncoder().encode(json)))
        do { return try JSONDecoder().decode(Answer.self, from: Data(bytes)) } catch {
            throw ClientError(.decode, "decode the answer to POST \(path)", cause: "\(error)")
        }
    }

    /// `POST path`; returns the body, throws the daemon's message for statuses ≥ 400.
    @discardableResult
    func postChecked(_ path: String, query: [(String, String)] = [], body: [UInt8]? = nil) throws -> [UInt8] {
        var response = try send("POST", path, query: query, body: body)
        let bytes = try response.body.readAll()
        try Self.check(response.head, bytes)
        return bytes
    }
}
