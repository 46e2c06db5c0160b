import Foundation
import SwdockOCI

/// `docker commit --change` / `docker import --change`: Dockerfile instructions applied to an
/// image config, as moby's `dockerfile.BuildFromConfig`. Valid instructions are dockerd's
/// `validCommitCommands`: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, USER,
/// VOLUME, WORKDIR (STOPSIGNAL and the rest are refused, as dockerd refuses them).
///
/// Words are split and unquoted as Dockerfile words (`"a b"`, `'a b'`, backslash escapes) and
/// `$NAME` / `${NAME}` expand from the config's Env as the builder does for ENV, LABEL, EXPOSE,
/// USER, VOLUME and WORKDIR. The `${NAME:-default}` forms are not supported (an error says so).
enum CommitChanges {
    static let valid: Set<String> = ["cmd", "entrypoint", "healthcheck", "env", "expose", "label", "onbuild", "user", "volume", "workdir"]

    /// Applies each line of `changes` (each element may hold several lines) to `config`.
    static func apply(_ changes: [String], to config: inout ContainerConfig) throws(EngineError) {
        let lines = changes.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        var instructions: [(String, String)] = []
        for line in lines {
            let keyword = String(line.prefix { !$0.isWhitespace })
            let rest = String(line.dropFirst(keyword.count)).trimmingCharacters(in: .whitespaces)
            let name = keyword.lowercased()
            guard valid.contains(name) else { throw EngineError(.invalidArgument, "\(name) is not a valid change command") }
            instructions.append((name, rest))
        }
        var cmdSet = false
        for (name, rest) in instructions {
            try apply(name, rest, to: &config, cmdSet: &cmdSet)
        }
    }

    private static func apply(_ name: String, _ rest: String, to config: inout ContainerConfig, cmdSet: inout Bool) throws(EngineError) {
        let env = config.env ?? []
        switch name {
        case "cmd":
            config.cmd = commandLine(rest, shell: config.shell)
            config.argsEscaped = nil
            if !rest.isEmpty { cmdSet = true }
        case "entrypoint":
            config.entrypoint = commandLine(rest, shell: config.shell)
            config.argsEscaped = nil
            if !cmdSet { config.cmd = nil }
        case "env":
            for (key, value) in try pairs(rest, env: env, what: "ENV") {
                var list = config.env ?? []
                if let index = list.firstIndex(where: { ContainerConfiguration.envName($0) == Substring(key) }) {
                    list[index] = key + "=" + value
                } else {
                    list.append(key + "=" + value)
                }
                config.env = list
            }
        case "label":
            var labels = config.labels ?? [:]
            for (key, value) in try pairs(rest, env: env, what: "LABEL") { labels[key] = value }
            config.labels = labels
        case "expose":
            var ports = config.exposedPorts ?? [:]
            for word in try words(rest, env: env) {
                for port in try exposedPorts(word) { ports[port] = EmptyObject() }
            }
            config.exposedPorts = ports
        case "user":
            config.user = try words(rest, env: env).joined(separator: " ")
        case "volume":
            var volumes = config.volumes ?? [:]
            let list: [String]
            if let array = jsonArray(rest) { list = array } else { list = try words(rest, env: env) }
            if list.isEmpty { throw EngineError(.invalidArgument, "VOLUME requires at least one argument") }
            for volume in list {
                let trimmed = volume.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { throw EngineError(.invalidArgument, "VOLUME specified can not be an empty string") }
                volumes[trimmed] = EmptyObject()
            }
            config.volumes = volumes
        case "workdir":
            let path = try words(rest, env: env).joined(separator: " ")
            guard !path.isEmpty else { throw EngineError(.invalidArgument, "WORKDIR requires exactly one argument") }
            if path.hasPrefix("/") {
                config.workingDir = path
            } else {
                config.workingDir = clean("/" + (config.workingDir ?? "") + "/" + path)
            }
        case "onbuild":
            let trigger = String(rest.prefix { !$0.isWhitespace }).uppercased()
            switch trigger {
            case "": throw EngineError(.invalidArgument, "ONBUILD requires at least one argument")
            case "ONBUILD": throw EngineError(.invalidArgument, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
            case "FROM", "MAINTAINER": throw EngineError(.invalidArgument, "\(trigger) isn't allowed as an ONBUILD trigger")
            default: config.onBuild = (config.onBuild ?? []) + [rest]
            }
        case "healthcheck":
            config.healthcheck = try healthcheck(rest, shell: config.shell)
        default:
            throw EngineError(.invalidArgument, "\(name) is not a valid change command")
        }
    }

    /// Exec form (`["a","b"]`) or shell form (the shell, default `/bin/sh -c`, plus the line).
    static func commandLine(_ rest: String, shell: [String]?) -> [String] {
        if let array = jsonArray(rest) { return array }
        if rest.isEmpty { return [] }
        return (shell ?? ["/bin/sh", "-c"]) + [rest]
    }

    /// A JSON array of strings, as the Dockerfile parser accepts for exec forms.
    static func jsonArray(_ text: String) -> [String]? {
        guard text.hasPrefix("["), text.hasSuffix("]"),
              let array = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return nil }
        return array
    }

    /// `k=v k2="v 2"`, or the legacy `k some value` form (a first word without `=`).
    static func pairs(_ rest: String, env: [String], what: String) throws(EngineError) -> [(String, String)] {
        let list = try words(rest, env: env)
        guard let first = list.first else { throw EngineError(.invalidArgument, "\(what) requires at least one argument") }
        if !first.contains("=") {
            guard list.count > 1 else { throw EngineError(.invalidArgument, "\(what) must have two arguments") }
            let valueText = rest.drop { !$0.isWhitespace }.trimmingCharacters(in: .whitespaces)
            return [(first, try words(valueText, env: env, keepSpaces: true).joined())]
        }
        var result: [(String, String)] = []
        for word in list {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw EngineError(.invalidArgument, "Syntax error - can't find = in \"\(word)\". Must be of the form: name=value")
            }
            result.append((String(word[..<equals]), String(word[word.index(after: equals)...])))
        }
        return result
    }

    /// Dockerfile word splitting: whitespace separates, quotes group, backslash escapes, and
    /// `$NAME` / `${NAME}` expand outside single quotes. With `keepSpaces` the whole text is
    /// one word (the legacy `ENV k v w` value).
    static func words(_ text: String, env: [String], keepSpaces: Bool = false) throws(EngineError) -> [String] {
        var values: [String: String] = [:]
        for variable in env {
            let parts = variable.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        var result: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if quote == "'" {
                if c == "'" { quote = nil } else { current.append(c) }
                i += 1
                continue
            }
            switch c {
            case "\\" where i + 1 < characters.count:
                current.append(characters[i + 1])
                inWord = true
                i += 2
                continue
            case "'" where quote == nil, "\"" where quote == nil:
                quote = c
                inWord = true
            case "\"" where quote == "\"":
                quote = nil
            case "$":
                var name = ""
                var j = i + 1
                if j < characters.count, characters[j] == "{" {
                    j += 1
                    while j < characters.count, characters[j] != "}" { name.append(characters[j]); j += 1 }
                    guard j < characters.count else { throw EngineError(.invalidArgument, "missing '}' in \"\(text)\"") }
                    if name.contains(":") {
                        throw EngineError(.invalidArgument, "not supported: variable modifiers in \"${\(name)}\" of a change")
                    }
                    j += 1
                } else {
                    while j < characters.count, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" {
                        name.append(characters[j]); j += 1
                    }
                }
                if name.isEmpty { current.append("$") } else { current += values[name] ?? "" }
                inWord = true
                i = j
                continue
            default:
                if c.isWhitespace && quote == nil && !keepSpaces {
                    if inWord { result.append(current) }
                    current = ""
                    inWord = false
                } else {
                    current.append(c)
                    inWord = true
                }
            }
            i += 1
        }
        if inWord { result.append(current) }
        return result
    }

    /// `80`, `80/udp`, `8000-8002/tcp` as `ExposedPorts` keys.
    static func exposedPorts(_ word: String) throws(EngineError) -> [String] {
        let parts = word.split(separator: "/", maxSplits: 1)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        guard ["tcp", "udp", "sctp"].contains(proto), let range = parts.first else {
            throw EngineError(.invalidArgument, "invalid proto: \(parts.count > 1 ? String(parts[1]) : "")")
        }
        let bounds = range.split(separator: "-", maxSplits: 1).map { Int($0) }
        guard let low = bounds.first ?? nil, (0...65535).contains(low) else {
            throw EngineError(.invalidArgument, "invalid containerPort: \(range)")
        }
        let high = bounds.count > 1 ? (bounds[1] ?? -1) : low
        guard high >= low, high <= 65535 else { throw EngineError(.invalidArgument, "invalid containerPort: \(range)") }
        return (low...high).map { "\($0)/\(proto)" }
    }

    /// `HEALTHCHECK NONE` or `HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--retries=N] CMD …`.
    static func healthcheck(_ rest: String, shell: [String]?) throws(EngineError) -> ContainerConfig.Healthcheck {
        var check = ContainerConfig.Healthcheck(test: [])
        var text = Substring(rest)
        while text.hasPrefix("--") {
            let flag = String(text.prefix { !$0.isWhitespace })
            text = text.dropFirst(flag.count).drop { $0.isWhitespace }
            let parts = flag.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw EngineError(.invalidArgument, "HEALTHCHECK flag \(flag) needs a value") }
            switch parts[0] {
            case "interval": check.interval = try duration(parts[1], flag: "interval")
            case "timeout": check.timeout = try duration(parts[1], flag: "timeout")
            case "start-period": check.startPeriod = try duration(parts[1], flag: "start-period")
            case "retries":
                guard let retries = Int(parts[1]), retries >= 1 else {
                    throw EngineError(.invalidArgument, "--retries must be at least 1 (not \(parts[1]))")
                }
                check.retries = retries
            default: throw EngineError(.invalidArgument, "Unknown flag: \(parts[0])")
            }
        }
        let kind = String(text.prefix { !$0.isWhitespace }).uppercased()
        let command = text.dropFirst(kind.count).trimmingCharacters(in: .whitespaces)
        switch kind {
        case "NONE":
            guard command.isEmpty else { throw EngineError(.invalidArgument, "HEALTHCHECK NONE takes no arguments") }
            check.test = ["NONE"]
        case "CMD":
            if let array = jsonArray(command) { check.test = ["CMD"] + array } else { check.test = ["CMD-SHELL", command] }
        default:
            throw EngineError(.invalidArgument, "Unknown type \"\(kind)\" in HEALTHCHECK (try CMD)")
        }
        return check
    }

    /// A Go duration (`30s`, `1m30s`, `500ms`, `1h`) in nanoseconds.
    static func duration(_ text: String, flag: String) throws(EngineError) -> Int64 {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { throw EngineError(.invalidArgument, "invalid duration \"\(text)\" for --\(flag)") }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            guard let value = Double(number),
                  let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else {
                throw EngineError(.invalidArgument, "time: invalid duration \"\(text)\"")
            }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return Int64(total)
    }

    /// `filepath.Clean` of an absolute path.
    static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
