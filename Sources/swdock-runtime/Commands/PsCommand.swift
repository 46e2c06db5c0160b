#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwdockOS
import SwdockRuntime

struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the processes of a container.")
    @Option(name: [.short, .long], help: "table or json.") var format = "table"
    @Argument(help: "The container ID.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "Options for ps(1) (default -ef).") var psArgs: [String] = []

    func run() throws {
        try perform { () throws(RuntimeError) in
            let pids = try GlobalOptions.current.runtime.processes(id)
            switch format {
            case "json": print("[" + pids.map(String.init).joined(separator: ",") + "]")
            case "table": print(try PsTable.render(pids: pids, psArgs: psArgs.isEmpty ? ["-ef"] : psArgs), terminator: "")
            default: throw RuntimeError(.invalidArgument, "invalid format option")
            }
        }
    }
}

/// runc's `ps` table: ps(1) output filtered to the container's pids.
enum PsTable {
    static func render(pids: [Int32], psArgs: [String]) throws(RuntimeError) -> String {
        let output: [UInt8]
        do {
            let pipe = try FileDescriptor.pipe()
            let pid: pid_t
            do {
                pid = try ChildProcess.spawn("/bin/ps", arguments: ["ps"] + psArgs, environment: ChildProcess.currentEnvironment(),
                                             stdio: [nil, pipe.write, .standardError])
            } catch { pipe.read.close(); pipe.write.close(); throw error }
            pipe.write.close()
            defer { pipe.read.close() }
            output = try pipe.read.readAll()
            _ = try ChildProcess.wait(pid)
        } catch { throw RuntimeError(.system, "run ps: \(error)") }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        guard let header = lines.first, let pidColumn = header.split(separator: " ").firstIndex(of: "PID") else {
            throw RuntimeError(.system, "ps: no PID column in its output")
        }
        let wanted = Set(pids)
        var out = String(header) + "\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            if pidColumn < fields.count, let pid = Int32(fields[pidColumn]), wanted.contains(pid) { out += line + "\n" }
        }
        return out
    }
}
