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

    /// `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1]`, hijacked; without
    /// stdin our side is half-closed at once, as docker does.
    static func attach(_ client: EngineClient, _ id: String, stdin: Bool) throws -> SocketConnection {
        var query: [(String, String)] = [("stderr", "1")]
        if stdin { query.append(("stdin", "1")) }
        query += [("stdout", "1"), ("stream", "1")]
        let connection = try client.hijack("POST", "/containers/\(id)/attach", query: query)
        if !stdin { try connection.shutdownWrite() }
        return connection
    }

    /// Copies the attached stream to stdout/stderr until the daemon closes it; with `stdin`,
    /// forwards our stdin (raw) and half-closes at its EOF. `raw` is for TTY containers.
    static func pump(_ connection: SocketConnection, stdin: Bool, raw: Bool = false) throws {
        var demultiplexer = StreamDemultiplexer()
        var stdinOpen = stdin
        func deliver(_ bytes: [UInt8]) throws {
            if raw {
                try? FileDescriptor.standardOutput.writeAll(bytes)
                return
            }
            for (stream, payload) in try demultiplexer.feed(bytes) {
                let target: FileDescriptor = stream == .stderr ? .standardError : .standardOutput
                try? target.writeAll(payload)
            }
        }
        while true {
            if connection.hasBufferedBytes || !stdinOpen {
                let bytes = try connection.readSome()
                if bytes.isEmpty { return }
                try deliver(bytes)
                continue
            }
            var fds = [pollfd(fd: connection.fd.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw ClientError(.protocolError, "poll the attached stream", cause: String(cString: strerror(errno)))
            }
            if fds[0].revents != 0 {
                let bytes = try connection.readSome()
                if bytes.isEmpty { return }
                try deliver(bytes)
            }
            if fds[1].revents != 0 {
                let input = (try? FileDescriptor.standardInput.read(upTo: 32768)) ?? []
                if input.isEmpty {
                    stdinOpen = false
                    try connection.shutdownWrite()
                } else {
                    try connection.write(input)
                }
            }
        }
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
