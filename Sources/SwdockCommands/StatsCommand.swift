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
import SwdockOS

/// `swdock stats [--no-stream] [--format] [C…]`: containers' CPU, memory, I/O and pids as
/// `docker stats` computes and prints them (running containers when none are named).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Display a live stream of container(s) resource usage statistics")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("no-stream"), help: "Disable streaming stats and only pull the first result") var noStream = false
    @Option(help: "Format output using a Go template ({{.Name}} {{.CPUPerc}} {{.MemUsage}} …)") var format: String?
    @Argument(help: "Containers (default: all running)") var containers: [String] = []

    /// One line of the table, with docker's field names.
    struct Row: Encodable {
        var Container: String
        var ID: String
        var Name: String
        var CPUPerc: String
        var MemUsage: String
        var MemPerc: String
        var NetIO: String
        var BlockIO: String
        var PIDs: String
    }

    func run() throws {
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        var names = containers
        if names.isEmpty {
            struct Summary: Decodable { var Id: String }
            do { names = try client.get("/containers/json", as: [Summary].self).map(\.Id) } catch { exitWithError(error) }
        }
        if noStream {
            let rows = Self.sampleAll(client, names)
            if rows.contains(where: { $0 == nil }) && !containers.isEmpty { throw ExitCode(1) }
            FileOutput.standardOutput.write(try render(rows.compactMap { $0 }))
            return
        }
        while true {
            let rows = Self.sampleAll(client, names).compactMap { $0 }
            FileOutput.standardOutput.write("\u{1b}[2J\u{1b}[H" + (try render(rows)))
            if rows.isEmpty && !containers.isEmpty { return }
        }
    }

    /// `GET /containers/{c}/stats?stream=0` for every container in parallel (each takes a second).
    static func sampleAll(_ client: EngineClient, _ names: [String]) -> [Row?] {
        let results = Locked([Row?](repeating: nil, count: names.count))
        let threads = names.enumerated().map { index, name in
            CLIThread {
                var row: Row?
                do {
                    var response = try client.send("GET", "/containers/\(name)/stats", query: [("stream", "0")])
                    let body = try response.body.readAll()
                    try EngineClient.check(response.head, body)
                    row = Self.row(from: try JSONDecoder().decode(ContainerStatsResponse.self, from: Data(body)))
                } catch {
                    FileOutput.standardError.write("\(error)\n")
                }
                results.withLock { $0[index] = row }
            }
        }
        for thread in threads { thread.join() }
        return results.withLock { $0 }
    }

    /// docker's arithmetic (cli/command/container/stats_helpers.go).
    static func row(from stats: ContainerStatsResponse) -> Row {
        var cpu = 0.0
        let cpuDelta = Double(stats.cpu_stats.cpu_usage.total_usage) - Double(stats.precpu_stats.cpu_usage.total_usage)
        let systemDelta = Double(stats.cpu_stats.system_cpu_usage ?? 0) - Double(stats.precpu_stats.system_cpu_usage ?? 0)
        let cpus = Double(stats.cpu_stats.online_cpus ?? UInt32(stats.cpu_stats.cpu_usage.percpu_usage?.count ?? 1))
        if systemDelta > 0 && cpuDelta > 0 { cpu = cpuDelta / systemDelta * cpus * 100 }
        let memoryStats = stats.memory_stats
        var used = Double(memoryStats.usage ?? 0)
        // Page cache that can be reclaimed is not counted (v1 total_inactive_file, v2 inactive_file).
        if let inactive = memoryStats.stats?["total_inactive_file"] ?? memoryStats.stats?["inactive_file"], Double(inactive) < used {
            used -= Double(inactive)
        }
        let limit = Double(memoryStats.limit ?? 0)
        let memoryPercent = limit > 0 ? used / limit * 100 : 0
        var read = 0.0, write = 0.0
        for entry in stats.blkio_stats.io_service_bytes_recursive ?? [] {
            switch entry.op.lowercased() {
            case "read": read += Double(entry.value)
            case "write": write += Double(entry.value)
            default: break
            }
        }
        let name = stats.name.hasPrefix("/") ? String(stats.name.dropFirst()) : stats.name
        return Row(Container: String(stats.id.prefix(12)), ID: stats.id, Name: name, CPUPerc: String(format2(cpu)) + "%",
                   MemUsage: binarySize(used) + " / " + binarySize(limit), MemPerc: format2(memoryPercent) + "%",
                   NetIO: decimalSize(0) + " / " + decimalSize(0), BlockIO: decimalSize(read) + " / " + decimalSize(write),
                   PIDs: String(stats.pids_stats.current ?? 0))
    }

    func render(_ rows: [Row]) throws -> String {
        if let format, !format.hasPrefix("table") {
            var out = ""
            for row in rows {
                let value = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(row))
                out += try GoTemplate(format).render(value) + "\n"
            }
            return out
        }
        let header = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]
        let table = rows.map { [$0.Container, $0.Name, $0.CPUPerc, $0.MemUsage, $0.MemPerc, $0.NetIO, $0.BlockIO, $0.PIDs] }
        return Self.tabulate([header] + table)
    }

    /// Go's tabwriter as docker uses it: columns padded to the widest cell + 3 spaces.
    static func tabulate(_ lines: [[String]]) -> String {
        guard let columns = lines.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for line in lines { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for line in lines {
            var text = ""
            for (i, cell) in line.enumerated() {
                text += cell
                if i < columns - 1 { text += String(repeating: " ", count: widths[i] - cell.count + 3) }
            }
            out += text + "\n"
        }
        return out
    }

    static func format2(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// go-units `BytesSize` (binary, "%.4g"-ish with 3 significant digits as docker prints: 1.23MiB).
    static func binarySize(_ bytes: Double) -> String { humanSize(bytes, base: 1024, units: ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]) }

    /// go-units `HumanSizeWithPrecision(size, 3)` (decimal: 0B, 12.3kB, 4.1MB).
    static func decimalSize(_ bytes: Double) -> String { humanSize(bytes, base: 1000, units: ["B", "kB", "MB", "GB", "TB", "PB"]) }

    static func humanSize(_ bytes: Double, base: Double, units: [String]) -> String {
        var value = bytes, index = 0
        while value >= base && index < units.count - 1 { value /= base; index += 1 }
        return significant(value, 3) + units[index]
    }

    /// Go's `%.3g` for the values sizes take (no exponent form below 1000).
    static func significant(_ value: Double, _ digits: Int) -> String {
        if value == 0 { return "0" }
        let magnitude = value >= 1 ? Int(log10(value)) + 1 : 1
        let decimals = max(digits - magnitude, 0)
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.hasSuffix(".0") { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), text[text.index(after: dot)...].count > decimals {
            text = String(text[..<text.index(dot, offsetBy: decimals + 1)])
        }
        return text
    }
}
