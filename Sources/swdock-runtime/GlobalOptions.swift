import ArgumentParser
import SwdockRuntime

/// runc's global flags, which come before the command name (`--root DIR create …`). They are
/// taken off the command line here, before ArgumentParser sees the subcommand.
struct GlobalOptions {
    nonisolated(unsafe) static var current = GlobalOptions()

    var root = Runtime.defaultRoot
    var log: String?
    var logFormat = RuntimeLog.Format.text
    var debug = false
    var systemdCgroup = false

    /// Splits `arguments` (without argv[0]) into the global flags and the rest.
    static func parse(_ arguments: [String]) throws(RuntimeError) -> (GlobalOptions, [String]) {
        var options = GlobalOptions()
        var index = 0
        func value(_ name: String, _ inline: String?) throws(RuntimeError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else { throw RuntimeError(.invalidArgument, "flag needs an argument: --\(name)") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("-"), argument != "-", argument != "--" else { break }
            // Go's flag package takes -flag and --flag alike.
            var name = String(argument.drop { $0 == "-" })
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            switch name {
            case "root": options.root = try value(name, inline)
            case "log": options.log = try value(name, inline)
            case "log-format":
                let text = try value(name, inline)
                guard let format = RuntimeLog.Format(rawValue: text) else {
                    throw RuntimeError(.invalidArgument, "invalid log-format: \(text)")
                }
                options.logFormat = format
            case "debug": options.debug = inline.map { $0 != "false" } ?? true
            case "systemd-cgroup": options.systemdCgroup = inline.map { $0 != "false" } ?? true
            case "rootless":
                // runc's "auto|true|false": swdock-runtime always runs as root.
                let text = try value(name, inline)
                if text == "true" { throw RuntimeError.notSupported("--rootless=true (swdock-runtime runs as root)") }
            case "criu": _ = try value(name, inline)
            case "version", "v", "help", "h": return (options, Array(arguments[index...]))
            default: throw RuntimeError(.invalidArgument, "flag provided but not defined: -\(name)")
            }
            index += 1
        }
        return (options, Array(arguments[index...]))
    }
}

/// Runs a command body: a RuntimeError becomes runc's one line on stderr (and in --log) and exit 1.
func perform(_ body: () throws(RuntimeError) -> Void) throws {
    do { try body() } catch {
        RuntimeLog.shared.fatal(error.message)
        throw ExitCode(1)
    }
}

extension GlobalOptions {
    var runtime: Runtime { Runtime(root: root) }
}
