#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwdockClient
import SwdockOS

/// `swdock logs`: the container's stored output, demultiplexed to stdout/stderr.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Fetch the logs of a container")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("f"), .long], help: "Follow log output") var follow = false
    @Option(name: [.customShort("n"), .long], help: "Number of lines to show from the end of the logs") var tail: String = "all"
    @Option(name: .long, help: "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)") var since: String?
    @Option(name: .long, help: "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)") var until: String?
    @Flag(name: [.customShort("t"), .long], help: "Show timestamps") var timestamps = false
    @Flag(name: .long, help: "Show extra details provided to logs") var details = false
    @Argument(help: "Container") var container: String

    func run() throws {
        reportingErrors {
            let client = try global.client()
            let inspect = try client.getNode("/containers/\(container)/json")
            let id = inspect["Id"]?.stringValue ?? container
            let tty = inspect["Config"]?["Tty"]?.boolValue ?? false
            // url.Values.Encode order: sorted by key.
            var query: [(String, String)] = []
            if details { query.append(("details", "1")) }
            if follow { query.append(("follow", "1")) }
            let now = HumanUnits.now()
            if let since { query.append(("since", try Self.timestamp(since, now: now, flag: "since"))) }
            query.append(("stderr", "1"))
            query.append(("stdout", "1"))
            query.append(("tail", tail))
            if timestamps { query.append(("timestamps", "1")) }
            if let until { query.append(("until", try Self.timestamp(until, now: now, flag: "until"))) }
            var response = try client.open("GET", "/containers/\(id)/logs", query: query)
            var demultiplexer = StreamDemultiplexer()
            while let piece = try response.body.next() {
                if tty {
                    try? FileDescriptor.standardOutput.writeAll(piece)
                    continue
                }
                for (stream, payload) in try demultiplexer.feed(piece) {
                    try? (stream == .stderr ? FileDescriptor.standardError : FileDescriptor.standardOutput).writeAll(payload)
                }
            }
        }
    }

    /// docker's `timetypes.GetTimestamp`: a Go duration (`42m`, `1h30m`) counts back from now,
    /// RFC 3339 dates and Unix seconds pass as `seconds[.nanoseconds]`.
    static func timestamp(_ value: String, now: Double, flag: String) throws -> String {
        if let seconds = goDurationSeconds(value) {
            return fixedSeconds(now - seconds)
        }
        if value.allSatisfy({ $0.isNumber || $0 == "." }), !value.isEmpty { return value }
        var text = value
        if text.count == 10 { text += "T00:00:00Z" }
        if !text.hasSuffix("Z"), !text.dropFirst(19).contains("+"), !text.dropFirst(19).contains("-") { text += "Z" }
        guard let seconds = HumanUnits.parseRFC3339(text) else {
            throw FlagError("invalid value for \"\(flag)\": failed to parse value as time or duration: \"\(value)\"")
        }
        return fixedSeconds(seconds)
    }

    static func fixedSeconds(_ value: Double) -> String {
        let whole = Int64(value.rounded(.down))
        let nanos = Int64(((value - Double(whole)) * 1e9).rounded())
        let fraction = String(min(nanos, 999_999_999))
        return "\(whole).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }

    /// Go's `time.ParseDuration` in seconds; nil when not a duration.
    static func goDurationSeconds(_ text: String) -> Double? {
        var rest = Substring(text)
        var total = 0.0
        var negative = false
        if rest.hasPrefix("-") { negative = true; rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return negative ? -total : total
    }
}
