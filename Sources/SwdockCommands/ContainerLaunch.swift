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
    /// forwards our stdin (raw) and half-closes at its EOF. For non-TTY containers (framed
    /// output); TTY sessions go through `attachedTerminal`.
    static func pump(_ connection: SocketConnection, stdin: Bool, forwardSignal: ((String) -> Void)? = nil) throws {
        var demultiplexer = StreamDemultiplexer()
        var stdinOpen = stdin
        if forwardSignal != nil { SignalProxy.install() }
        defer { if forwardSignal != nil { SignalProxy.uninstall() } }
        func deliver(_ bytes: [UInt8]) throws {
            for (stream, payload) in try demultiplexer.feed(bytes) {
                let target: FileDescriptor = stream == .stderr ? .standardError : .standardOutput
                try? target.writeAll(payload)
            }
        }
        while true {
            if connection.hasBufferedBytes {
                let bytes = try connection.readSome()
                if bytes.isEmpty { return }
                try deliver(bytes)
                continue
            }
            // poll (never restarted after a signal) so that a caught signal is seen at once.
            var fds = [pollfd(fd: connection.fd.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: SignalProxy.pipe.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 3, -1)
            if let forwardSignal { for name in SignalProxy.take() { forwardSignal(name) } }
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

/// docker's sig-proxy for attached runs: INT, TERM, HUP, QUIT, USR1 and USR2 caught while the
/// stream is attached are sent to the container (`POST /containers/{id}/kill?signal=NAME`).
/// The handler writes the signal number to a pipe the attach loop polls (a self-pipe: the signal
/// may land on any thread of the process, so it cannot be relied on to interrupt our poll).
enum SignalProxy {
    nonisolated(unsafe) static var pipe: (read: Int32, write: Int32) = (-1, -1)
    static let forwarded: [(Int32, String)] = [(SIGINT, "INT"), (SIGTERM, "TERM"), (SIGHUP, "HUP"), (SIGQUIT, "QUIT"),
                                               (SIGUSR1, "USR1"), (SIGUSR2, "USR2")]

    static func install() {
        guard let ends = try? FileDescriptor.pipe(), (try? ends.read.setNonBlocking()) != nil,
              (try? ends.write.setNonBlocking()) != nil else { return }
        pipe = (ends.read.rawValue, ends.write.rawValue)
        for (number, _) in forwarded {
            signal(number) { caught in
                var byte = UInt8(truncatingIfNeeded: caught)
                _ = Glibc.write(SignalProxy.pipe.write, &byte, 1)
            }
        }
    }

    static func uninstall() {
        for (number, _) in forwarded { signal(number, SIG_DFL) }
        if pipe.read >= 0 { close(pipe.read); close(pipe.write) }
        pipe = (-1, -1)
    }

    /// The names of the signals caught since the last call.
    static func take() -> [String] {
        guard pipe.read >= 0 else { return [] }
        var names: [String] = []
        var byte: UInt8 = 0
        while Glibc.read(pipe.read, &byte, 1) == 1 {
            if let name = forwarded.first(where: { $0.0 == Int32(byte) })?.1 { names.append(name) }
        }
        return names
    }
}
