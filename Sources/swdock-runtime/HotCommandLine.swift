#if canImport(Glibc)
import Glibc
#endif
import SwdockRuntime

/// The commands an engine runs for every container (`create`, `start`, `run`, `delete`,
/// `state`, `kill`), parsed by hand.
///
/// ArgumentParser reflects over the command tree and checks protocol conformances at run time
/// before it looks at an argument: about 1.5 ms of CPU per start here, the largest user-space
/// cost of `run` after JSON (perf, bench/runtime/RESULTS.md). Here only
/// command lines made of these commands' own flags are taken; anything else (`--help`, an
/// unknown or malformed flag, a missing or extra argument) returns nil and goes to
/// ArgumentParser, which parses it, or rejects it with its usual message.
enum HotCommand {
    case create(CreateOptions)
    case run(CreateOptions, detach: Bool)
    case start(String)
    case delete(String, force: Bool)
    case state(String)
    case kill(String, signal: String, all: Bool)

    /// Parses `arguments` (the command name first, global flags already taken off).
    static func parse(_ arguments: [String]) -> HotCommand? {
        guard let name = arguments.first else { return nil }
        var positionals: [String] = []
        var values: [String: String] = [:]
        var flags: Set<String> = []
        let valueFlags: [String: String]
        let booleanFlags: [String: String]
        switch name {
        case "create", "run":
            valueFlags = ["bundle": "bundle", "b": "bundle", "console-socket": "console-socket",
                          "pid-file": "pid-file", "preserve-fds": "preserve-fds"]
            booleanFlags = name == "run" ? ["no-pivot": "no-pivot", "no-new-keyring": "no-new-keyring", "detach": "detach", "d": "detach"]
                : ["no-pivot": "no-pivot", "no-new-keyring": "no-new-keyring"]
        case "delete": valueFlags = [:]; booleanFlags = ["force": "force", "f": "force"]
        case "kill": valueFlags = [:]; booleanFlags = ["all": "all", "a": "all"]
        case "start", "state": valueFlags = [:]; booleanFlags = [:]
        default: return nil
        }
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else { positionals.append(argument); continue }
            // ArgumentParser's forms: `--name value`, `--name=value`, `-n value`; nothing fancier.
            let isLong = argument.hasPrefix("--")
            var key = String(argument.dropFirst(isLong ? 2 : 1))
            var inline: String?
            if isLong, let eq = key.firstIndex(of: "=") {
                inline = String(key[key.index(after: eq)...])
                key = String(key[..<eq])
            }
            guard !key.isEmpty, isLong || key.count == 1 else { return nil }
            if let canonical = valueFlags[key] {
                if let inline { values[canonical] = inline; continue }
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                values[canonical] = arguments[index]
                index += 1
            } else if let canonical = booleanFlags[key], inline == nil {
                flags.insert(canonical)
            } else {
                return nil
            }
        }
        switch name {
        case "create", "run":
            guard positionals.count == 1 else { return nil }
            var preserveFds: Int32 = 0
            if let text = values["preserve-fds"] {
                guard let n = Int32(text) else { return nil }
                preserveFds = n
            }
            let options = CreateFlags.options(id: positionals[0], bundle: values["bundle"], consoleSocket: values["console-socket"],
                                              pidFile: values["pid-file"], noPivot: flags.contains("no-pivot"),
                                              noNewKeyring: flags.contains("no-new-keyring"), preserveFds: preserveFds)
            return name == "run" ? .run(options, detach: flags.contains("detach")) : .create(options)
        case "kill":
            guard positionals.count == 1 || positionals.count == 2 else { return nil }
            return .kill(positionals[0], signal: positionals.count == 2 ? positionals[1] : "SIGTERM", all: flags.contains("all"))
        default:
            guard positionals.count == 1 else { return nil }
            switch name {
            case "start": return .start(positionals[0])
            case "delete": return .delete(positionals[0], force: flags.contains("force"))
            default: return .state(positionals[0])
            }
        }
    }

    /// Runs the command as its ArgumentParser twin would and returns the exit code.
    func execute(_ runtime: Runtime) -> Int32 {
        do throws(RuntimeError) {
            switch self {
            case .create(let options): _ = try runtime.create(options)
            case .run(let options, let detach): return try runtime.run(options, detach: detach)
            case .start(let id): try runtime.start(id)
            case .delete(let id, let force): try runtime.delete(id, force: force)
            case .state(let id): print(try runtime.stateJSON(id))
            case .kill(let id, let signal, let all): try runtime.kill(id, signal: try Signals.parse(signal), all: all)
            }
            return 0
        } catch {
            RuntimeLog.shared.fatal(error.message)
            return 1
        }
    }
}
