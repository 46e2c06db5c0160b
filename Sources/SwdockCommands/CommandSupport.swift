#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import SwdockAPI
import SwdockClient
import SwdockOS

/// Ends a command with an exit status after its message was printed.
struct CommandExit: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}

/// Runs a command's body: an error prints as docker prints it (`Error response from daemon: …`
/// for daemon errors) and exits 1, flag errors 125; `CommandExit` exits with its code.
func reportingErrors(_ body: () throws -> Void) {
    do { try body() } catch let exit as CommandExit {
        exitQuietly(exit.code)
    } catch let error as FlagError {
        exitWithError(error, code: 125)
    } catch {
        exitWithError(error)
    }
}

/// Flushes nothing (our writes are unbuffered) and exits.
func exitQuietly(_ code: Int32) -> Never { exit(code) }

func writeOut(_ text: String) { FileOutput.standardOutput.write(text) }
func writeErr(_ text: String) { FileOutput.standardError.write(text) }

extension EngineClient {
    /// GET path decoded as an order-keeping JSON tree.
    func getNode(_ path: String, query: [(String, String)] = []) throws -> JSONNode {
        let (_, body) = try call("GET", path, query: query)
        return try JSONNode.parse(body)
    }

    /// Runs `operation` for each name, printing the name on success and the error on failure
    /// (docker's stop/start/rm/kill/restart loop); exits 1 when any failed.
    func forEach(_ names: [String], _ operation: (String) throws -> Void) throws {
        var failed = false
        for name in names {
            do {
                try operation(name)
                writeOut(name + "\n")
            } catch {
                writeErr("\(error)\n")
                failed = true
            }
        }
        if failed { throw CommandExit(1) }
    }
}

/// Path component: container names and image references go into paths as typed.
func pathEscape(_ name: String) -> String { name }

/// `filters` query value in the CLI's map form: `{"name":{"t1":true}}`.
func filtersQuery(_ filters: [String]) throws -> [(String, String)] {
    guard !filters.isEmpty else { return [] }
    var map: [String: [String]] = [:]
    var order: [String] = []
    for filter in filters {
        let parts = filter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw FlagError("bad format of filter (expected name=value)") }
        let key = parts[0].lowercased().trimmingCharacters()
        if map[key] == nil { order.append(key) }
        map[key, default: []].append(parts[1])
    }
    let json = "{" + order.map { key in
        JSONNode.string(key).compactText + ":{" + map[key]!.map { JSONNode.string($0).compactText + ":true" }.joined(separator: ",") + "}"
    }.joined(separator: ",") + "}"
    return [("filters", json)]
}

/// Whether stdout (or fd) is a terminal.
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Terminal width, 80 when unknown.
func terminalWidth(_ fd: Int32 = 1) -> Int {
    var size = winsize()
    if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
}

/// docker's `[y/N]` prompt on stdin.
func confirm(_ question: String) -> Bool {
    writeOut(question + " [y/N] ")
    var line: [UInt8] = []
    while let byte = (try? FileDescriptor.standardInput.read(upTo: 1))?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
    let answer = String(decoding: line, as: UTF8.self).trimmingCharacters().lowercased()
    return answer == "y" || answer == "yes"
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
