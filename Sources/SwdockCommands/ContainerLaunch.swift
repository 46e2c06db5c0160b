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
import SwdockOS

/// The steps `run`, `create` and `start -a` share, in docker's order (create → [pull, create] →
/// attach → wait → start → stream → exit status).
enum ContainerLaunch {
    /// `POST /containers/create`; on 404 (no such image) pulls as `--pull` allows, with progress
    /// on stderr, and creates again. Prints the daemon's warnings. Returns the container ID.
    static func create(_ client: EngineClient, _ options: ContainerCreateOptions, _ request: ContainerCreateRequest) throws -> String {
        let image = request.image ?? ""
        if options.pull == "always" {
            _ = try ImagePull.pull(client, image, platform: options.platform, quiet: false, fd: 2)
        }
        let body: [UInt8]
        do { body = Array(try JSONEncoder().encode(request)) } catch {
            throw ClientError(.decode, "encode the create request", cause: "\(error)")
        }
        var created: [UInt8] = []
        var missing = false
        do {
            created = try client.call("POST", "/containers/create", query: options.createQuery, body: body).body
        } catch {
            guard error.status == 404, options.pull == "missing" else { throw error }
            missing = true
        }
        if missing {
            writeErr("Unable to find image '\(ImageName.familiarWithTag(image))' locally\n")
            _ = try ImagePull.pull(client, image, platform: options.platform, quiet: false, fd: 2)
            created = try client.call("POST", "/containers/create", query: options.createQuery, body: body).body
        }
        let answer = try JSONNode.parse(created)
        for warning in answer["Warnings"]?.arrayValue ?? [] {
            if let text = warning.stringValue, !text.isEmpty { writeErr("WARNING: \(text)\n") }
        }
        guard let id = answer["Id"]?.stringValue else {
            throw ClientError(.decode, "the create answer has no Id: \(String(decoding: created, as: UTF8.self))")
        }
        return id
    }

    /// `POST /containers/{id}/wait?condition=…`, returned once the daemon acknowledged it (its
    /// head), so that `start` may follow; the body comes at exit.
    static func openWait(_ client: EngineClient, _ id: String, condition: String) throws -> EngineClient.Response {
        try client.open("POST", "/containers/\(id)/wait", query: [("condition", condition)])
    }

    /// Reads the wait body: the exit status, or "Error waiting for container: …" (exit 125).
    static func finishWait(_ response: inout EngineClient.Response) throws -> Int32 {
        let bytes = try response.body.readAll()
        let answer = try JSONNode.parse(bytes)
        if let message = answer["Error"]?["Message"]?.stringValue, !message.isEmpty {
            writeErr("Error waiting for container: \(message)\n")
            throw CommandExit(125)
        }
        return Int32(truncatingIfNeeded: answer["StatusCode"]?.int64Value ?? 0)
    }

    /// `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1]`, hijacked (without
    /// stdin, `Terminal.pump` half-closes our side at once, as docker does).
    static func attach(_ client: EngineClient, _ id: String, stdin: Bool) throws -> HijackedConnection {
        var query: [(String, String)] = [("stderr", "1")]
        if stdin { query.append(("stdin", "1")) }
        query += [("stdout", "1"), ("stream", "1")]
        return try client.hijack("/containers/\(id)/attach", query: query)
    }

    /// `run -t` and `start -a` of a TTY container: attach (hijacked, raw bytes), wait, start,
    /// then the terminal session (`attachedTerminal`) until the container's output ends or the
    /// detach keys leave it running. Returns the exit code (0 after a detach, as docker).
    static func runWithTerminal(_ client: EngineClient, _ id: String, stdin: Bool, condition: String,
                                detachKeysFlag: String?) throws -> Int32 {
        let detach = try CLIConfigFile.detachKeys(flag: detachKeysFlag)
        let query = [("stream", "1"), ("stdout", "1"), ("stderr", "1"), ("stdin", stdin ? "1" : "0"),
                     ("detachKeys", detach.text)]
        let stream = try client.hijack("/containers/\(id)/attach", query: query)
        var wait = try openWait(client, id, condition: condition)
        try start(client, id)
        let end = attachedTerminal(client, id, stream, stdin: stdin, detachKeys: detach.keys)
        if end == .detached { return 0 }
        return try finishWait(&wait)
    }

    /// The local side of an attached TTY: raw mode while stdin is ours (restored on return),
    /// the window size sent now and at every SIGWINCH, the stream pumped until it ends or the
    /// detach keys are typed.
    static func attachedTerminal(_ client: EngineClient, _ id: String, _ stream: HijackedConnection, stdin: Bool,
                                 detachKeys: DetachKeys, resizePath: String? = nil) -> Terminal.PumpEnd {
        if stdin && Terminal.isTerminal(0) { Terminal.makeRaw(0) }
        defer { Terminal.restore() }
        let path = resizePath ?? "/containers/\(id)/resize"
        let resize: @Sendable () -> Void = {
            guard let size = Terminal.size(1) else { return }
            _ = try? client.postChecked(path, query: [("h", String(size.rows)), ("w", String(size.columns))])
        }
        resize()
        Terminal.forward([SIGWINCH]) { _ in resize() }
        return Terminal.pump(stream, tty: true, sendStdin: stdin, detachKeys: stdin ? detachKeys : nil)
    }

    /// `POST /containers/{id}/start`. A failure is docker's exit 127 (command not found),
    /// 126 (cannot be executed) or 125, chosen from the daemon's message as docker does.
    static func start(_ client: EngineClient, _ id: String) throws {
        do { try client.call("POST", "/containers/\(id)/start") } catch {
            throw RunFailure(error: error, code: startFailureCode(error.message))
        }
    }

    static func startFailureCode(_ message: String) -> Int32 {
        if message.contains("executable file not found") || message.contains("no such file or directory") { return 127 }
        if message.contains("permission denied") || message.contains("is a directory") { return 126 }
        return 125
    }
}

/// An error of `run`/`create`: printed as `swdock: <error>` plus the help hint, with docker's code.
struct RunFailure: Error, CustomStringConvertible {
    let error: any Error
    let code: Int32
    var description: String { "\(error)" }
}

/// `run`/`create` error reporting: `swdock: <message>\n\nRun 'swdock run --help' for more
/// information`, exit 125 (or the start failure's 126/127).
func reportingRunErrors(_ verb: String, _ body: () throws -> Void) {
    do { try body() } catch let exit as CommandExit {
        exitQuietly(exit.code)
    } catch let failure as RunFailure {
        writeErr("swdock: \(failure.error)\n\nRun 'swdock \(verb) --help' for more information\n")
        exitQuietly(failure.code)
    } catch let error as ClientError where error.code == .connect {
        writeErr("swdock: \(error)\n\nRun 'swdock \(verb) --help' for more information\n")
        exitQuietly(125)
    } catch let error as PullProgress.StreamError {
        writeErr("swdock: \(error)\n\nRun 'swdock \(verb) --help' for more information\n")
        exitQuietly(125)
    } catch {
        writeErr("swdock: \(error)\n\nRun 'swdock \(verb) --help' for more information\n")
        exitQuietly(125)
    }
}
