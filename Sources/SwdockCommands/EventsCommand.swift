import ArgumentParser
import SwdockAPI
import SwdockClient
import SwdockOS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `swdock events`: the daemon's event stream, as `docker events` prints it.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Get real time events from the server")
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Show all events created since timestamp (Unix seconds, RFC 3339, or a duration like 10m)")
    var since: String?
    @Option(name: .long, help: "Stream events until this timestamp") var until: String?
    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided (type=container, event=die, …)")
    var filter: [String] = []
    @Option(name: .long, help: "Format output using a Go template ({{json .}}, {{.Action}})") var format: String?

    func run() throws {
        var query: [(String, String)] = []
        do {
            if let since { query.append(("since", try Self.timestamp(since))) }
            if let until { query.append(("until", try Self.timestamp(until))) }
            query += try filtersQuery(filter)
        } catch { exitWithError(error) }
        do {
            var response = try global.client().send("GET", "/events", query: query)
            if response.head.status >= 400 {
                try EngineClient.check(response.head, try response.body.readAll())
            }
            var pending: [UInt8] = []
            while let chunk = try response.body.next() {
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    guard !line.isEmpty else { continue }
                    let message = try JSONDecoder().decode(EventMessage.self, from: Data(line))
                    FileOutput.standardOutput.write(try Self.render(message, format: format) + "\n")
                }
            }
        } catch { exitWithError(error) }
    }

    /// docker's default line: `TIME TYPE ACTION ID (k=v, …)`; or the template.
    static func render(_ message: EventMessage, format: String?) throws -> String {
        if let format { return try renderTemplate(format, message) }
        let time = Timestamp(seconds: message.timeNano / 1_000_000_000, nanoseconds: Int32(message.timeNano % 1_000_000_000))
        var line = "\(time.rfc3339Nano) \(message.Type) \(message.Action) \(message.Actor.ID)"
        let attributes = message.Actor.Attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if !attributes.isEmpty { line += " (" + attributes.joined(separator: ", ") + ")" }
        return line
    }

    /// docker's `GetTimestamp`: Unix seconds (with a fraction) as given, RFC 3339, or a
    /// duration before now (`10s`, `5m`, `2h`).
    static func timestamp(_ text: String) throws -> String {
        if Double(text) != nil { return text }
        if let time = Timestamp(rfc3339Nano: text) { return "\(time.seconds).\(CFormat.zeroPadded(Int(time.nanoseconds), width: 9))" }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)) {
                let now = Timestamp.now()
                let nowSeconds = Double(now.seconds) + Double(now.nanoseconds) / 1e9
                return CFormat.fixed(nowSeconds - value * seconds, decimals: 9)
            }
        }
        throw ValidationError("invalid timestamp \(text): use Unix seconds, RFC 3339 or a duration (10m)")
    }
}
