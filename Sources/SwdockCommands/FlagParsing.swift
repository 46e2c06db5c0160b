#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI

/// An invalid flag value: docker prints `invalid argument "X" for "--flag" flag: why` and exits 125.
struct FlagError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    static func invalid(_ value: String, _ flag: String, _ why: String) -> FlagError {
        FlagError("invalid argument \"\(value)\" for \"\(flag)\" flag: \(why)")
    }
}

/// docker's parsing rules for the values of run/create flags.
enum FlagParsing {
    /// go-units `RAMInBytes`: `512`, `64m`, `1.5g`, `2GiB`, `10kb` (binary multipliers).
    static func ramInBytes(_ text: String) throws(FlagError) -> Int64 {
        let chars = Array(text)
        var index = 0
        while index < chars.count, chars[index].isNumber || chars[index] == "." { index += 1 }
        let numberText = String(chars[..<index])
        guard !numberText.isEmpty, let number = Double(numberText), !numberText.hasSuffix("."), !numberText.hasPrefix(".") else {
            throw FlagError("invalid size: '\(text)'")
        }
        var rest = String(chars[index...])
        if rest.hasPrefix(" ") { rest.removeFirst() }
        let lower = rest.lowercased()
        let multipliers: [Character: Double] = ["k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776, "p": 1_125_899_906_842_624]
        var multiplier = 1.0
        var suffix = Substring(lower)
        if let first = suffix.first, let m = multipliers[first] {
            multiplier = m
            suffix = suffix.dropFirst()
        }
        if suffix.hasPrefix("i") { suffix = suffix.dropFirst() }
        if suffix.hasPrefix("b") { suffix = suffix.dropFirst() }
        guard suffix.isEmpty else { throw FlagError("invalid size: '\(text)'") }
        return Int64(number * multiplier)
    }

    /// `--memory-swap`: `-1` (unlimited) or a size.
    static func memorySwap(_ text: String) throws(FlagError) -> Int64 {
        text == "-1" ? -1 : try ramInBytes(text)
    }

    /// `--cpus 1.5` → NanoCpus 1500000000; at most 9 decimals, as docker's `big.Rat` check.
    static func nanoCPUs(_ text: String) throws(FlagError) -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])), whole >= 0 else {
            throw FlagError.invalid(text, "--cpus", "failed to parse \(text) as a rational number")
        }
        var nanos = whole * 1_000_000_000
        if parts.count == 2 {
            let fraction = String(parts[1])
            guard fraction.allSatisfy(\.isNumber) else {
                throw FlagError.invalid(text, "--cpus", "failed to parse \(text) as a rational number")
            }
            guard fraction.count <= 9 else { throw FlagError.invalid(text, "--cpus", "value is too precise") }
            nanos += Int64(fraction + String(repeating: "0", count: 9 - fraction.count)) ?? 0
        }
        return nanos
    }

    /// `--ulimit nofile=1024:2048` (hard defaults to soft); names as go-units knows them.
    static func ulimit(_ text: String) throws(FlagError) -> HostConfig.Ulimit {
        let names: Set<String> = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
                                  "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"]
        let pieces = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard pieces.count == 2 else { throw FlagError.invalid(text, "--ulimit", "invalid ulimit argument: \(text)") }
        guard names.contains(pieces[0]) else { throw FlagError.invalid(text, "--ulimit", "invalid ulimit type: \(pieces[0])") }
        let limits = pieces[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard limits.count <= 2, let soft = Int64(limits[0]) else {
            throw FlagError.invalid(text, "--ulimit", "invalid ulimit argument: \(text)")
        }
        var hard = soft
        if limits.count == 2 {
            guard let value = Int64(limits[1]) else { throw FlagError.invalid(text, "--ulimit", "invalid ulimit argument: \(text)") }
            hard = value
        }
        if soft > hard, hard != -1 {
            throw FlagError.invalid(text, "--ulimit", "ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)")
        }
        return HostConfig.Ulimit(name: pieces[0], soft: soft, hard: hard)
    }

    /// `-e KEY=VALUE` as given; `-e KEY` takes KEY's value from this environment, or stays `KEY`.
    static func environmentEntry(_ text: String, environment: [String: String]) throws(FlagError) -> String {
        let key = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !key.isEmpty else { throw FlagError.invalid(text, "--env", "invalid environment variable: \(text)") }
        if text.contains("=") { return text }
        if let value = environment[key] { return key + "=" + value }
        return text
    }

    /// `--env-file`: one `KEY=VALUE` a line; blank lines and `#` comments skipped; a bare `KEY`
    /// takes this environment's value and is dropped when unset (docker's `ParseEnvFile`).
    static func environmentFile(_ path: String, environment: [String: String]) throws(FlagError) -> [String] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FlagError("open \(path): no such file or directory")
        }
        var lines: [String] = []
        for (number, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw.drop(while: \.isWhitespace))
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let variable = String(parts[0].drop(while: { $0 == " " || $0 == "\t" }))
            if variable.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
                throw FlagError("variable '\(variable)' contains whitespaces")
            }
            if variable.isEmpty { throw FlagError("no variable name on line '\(line)' (\(path):\(number + 1))") }
            if parts.count == 2 {
                lines.append(variable + "=" + parts[1])
            } else if let value = environment[variable.trimmingCharacters()] {
                lines.append(variable.trimmingCharacters() + "=" + value)
            }
        }
        return lines
    }

    /// `-l k=v` / `--sysctl k=v` into a map (`-l k` gives an empty value).
    static func keyValues(_ entries: [String], flag: String, requireValue: Bool) throws(FlagError) -> [String: String] {
        var map: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if parts.count < 2, requireValue {
                throw FlagError.invalid(entry, flag, "\(flag.dropFirst(2)) '\(entry)' is not whitelisted")
            }
            map[parts[0]] = parts.count == 2 ? parts[1] : ""
        }
        return map
    }

    /// `--mount type=bind,source=/a,target=/b,readonly` / `type=tmpfs,destination=/t,tmpfs-size=64m`.
    static func mount(_ text: String) throws(FlagError) -> HostConfig.Mount {
        var type = "volume"
        var source: String?
        var target: String?
        var readOnly: Bool?
        var bind = HostConfig.Mount.BindOptions.empty
        var tmpfs = HostConfig.Mount.TmpfsOptions.empty
        var volume = HostConfig.Mount.VolumeOptions.empty
        var consistency: String?
        func bool(_ key: String, _ value: String?) throws(FlagError) -> Bool {
            guard let value else { return true }
            switch value.lowercased() {
            case "1", "true": return true
            case "0", "false": return false
            default: throw FlagError.invalid(text, "--mount", "invalid value for \(key): \(value)")
            }
        }
        for field in text.split(separator: ",") {
            let kv = field.split(separator: "=", maxSplits: 1).map(String.init)
            let key = kv[0].lowercased()
            let value = kv.count == 2 ? kv[1] : nil
            switch key {
            case "type": type = value ?? ""
            case "source", "src": source = value
            case "target", "dst", "destination": target = value
            case "readonly", "ro": readOnly = try bool(key, value)
            case "consistency": consistency = value
            case "bind-propagation": bind.propagation = value
            case "bind-nonrecursive": bind.nonRecursive = try bool(key, value)
            case "bind-create-mountpoint": bind.createMountpoint = try bool(key, value)
            case "volume-nocopy": volume.noCopy = try bool(key, value)
            case "volume-subpath": volume.subpath = value
            case "volume-label":
                let label = (value ?? "").split(separator: "=", maxSplits: 1).map(String.init)
                var labels = volume.labels ?? [:]
                labels[label[0]] = label.count == 2 ? label[1] : ""
                volume.labels = labels
            case "tmpfs-size":
                tmpfs.sizeBytes = try ramInBytes(value ?? "")
            case "tmpfs-mode":
                guard let mode = UInt32(value ?? "", radix: 8) else {
                    throw FlagError.invalid(text, "--mount", "invalid value for \(key): \(value ?? "")")
                }
                tmpfs.mode = mode
            default:
                guard value != nil else { throw FlagError.invalid(text, "--mount", "invalid field '\(field)' must be a key=value pair") }
                throw FlagError.invalid(text, "--mount", "unexpected key '\(key)' in '\(field)'")
            }
        }
        guard ["bind", "tmpfs", "volume"].contains(type) else {
            throw FlagError.invalid(text, "--mount", "not supported: mount type \"\(type)\" (bind, tmpfs and volume are)")
        }
        guard let target else { throw FlagError.invalid(text, "--mount", "target is required") }
        var mount = HostConfig.Mount(type: type, source: source, target: target, readOnly: readOnly)
        mount.consistency = consistency
        if bind != .empty {
            guard type == "bind" else { throw FlagError.invalid(text, "--mount", "cannot mix 'bind-*' options with mount type '\(type)'") }
            mount.bindOptions = bind
        }
        if tmpfs != .empty {
            guard type == "tmpfs" else { throw FlagError.invalid(text, "--mount", "cannot mix 'tmpfs-*' options with mount type '\(type)'") }
            mount.tmpfsOptions = tmpfs
        }
        if volume != .empty {
            guard type == "volume" else { throw FlagError.invalid(text, "--mount", "cannot mix 'volume-*' options with mount type '\(type)'") }
            mount.volumeOptions = volume
        }
        return mount
    }

    /// `-v`: `SRC:DST[:OPTS]` with a source is a bind or named volume (passed on as given in
    /// `Binds`); a lone `DST` is an anonymous volume (`Volumes`). docker checks the options.
    static func volume(_ text: String) throws(FlagError) -> (bind: String?, anonymous: String?) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            guard parts[0].hasPrefix("/") else { throw FlagError.invalid(text, "--volume", "invalid volume specification: '\(text)'") }
            return (nil, parts[0])
        case 2, 3:
            guard !parts[0].isEmpty, parts[1].hasPrefix("/") else {
                throw FlagError.invalid(text, "--volume", "invalid volume specification: '\(text)'")
            }
            if parts.count == 3 {
                let known: Set<String> = ["ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave", "rslave", "private",
                                          "rprivate", "consistent", "cached", "delegated"]
                for option in parts[2].split(separator: ",") where !known.contains(String(option)) {
                    throw FlagError.invalid(text, "--volume", "invalid mode: \(option)")
                }
            }
            return (text, nil)
        default:
            throw FlagError.invalid(text, "--volume", "invalid volume specification: '\(text)'")
        }
    }

    /// `--tmpfs /run:rw,size=64m` → ("/run", "rw,size=64m").
    static func tmpfs(_ text: String) throws(FlagError) -> (String, String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts[0].hasPrefix("/") else { throw FlagError.invalid(text, "--tmpfs", "invalid path: \(text)") }
        return (parts[0], parts.count == 2 ? parts[1] : "")
    }

    /// docker's `EffectiveCapAddCapDrop`: names upper-cased with a `CAP_` prefix, `ALL` kept;
    /// a capability both added and dropped is only added when `--cap-drop ALL` is given.
    static func capabilities(add: [String], drop: [String]) -> (add: [String], drop: [String]) {
        func normalize(_ list: [String]) -> [String] {
            var seen: [String] = []
            for name in list {
                var upper = name.uppercased()
                if upper != "ALL", !upper.hasPrefix("CAP_") { upper = "CAP_" + upper }
                if !seen.contains(upper) { seen.append(upper) }
            }
            return seen
        }
        var add = normalize(add)
        var drop = normalize(drop)
        if add.contains("ALL") { add = ["ALL"] }
        if drop.contains("ALL") { drop = ["ALL"] }
        // Adding takes precedence over dropping the same capability.
        drop = drop.filter { !add.contains($0) }
        return (add, drop)
    }

    /// `--security-opt`: `seccomp=PATH` is replaced by the compacted JSON of the file, as docker does;
    /// `label:x` becomes `label=x`; other values pass unchanged.
    static func securityOptions(_ options: [String]) throws(FlagError) -> [String] {
        var out: [String] = []
        for option in options {
            if option == "no-new-privileges" || option == "systempaths=unconfined" { out.append(option); continue }
            var parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1, option.contains(":") { parts = option.split(separator: ":", maxSplits: 1).map(String.init) }
            guard parts.count == 2 else { throw FlagError.invalid(option, "--security-opt", "Invalid --security-opt: \"\(option)\"") }
            if parts[0] == "seccomp", parts[1] != "unconfined", parts[1] != "builtin" {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: parts[1])) } catch {
                    throw FlagError("opening seccomp profile (\(parts[1])) failed: open \(parts[1]): no such file or directory")
                }
                let node: JSONNode
                do { node = try JSONNode.parse(Array(data)) } catch {
                    throw FlagError("compacting json for seccomp profile (\(parts[1])) failed: \(error)")
                }
                out.append("seccomp=" + node.compactText)
            } else {
                out.append(parts[0] + "=" + parts[1])
            }
        }
        return out
    }

    /// This process's environment.
    static var processEnvironment: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { result[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            pointer += 1
        }
        return result
    }
}

/// Empty option sets to fill field by field (the API types have no memberwise initializer here).
extension HostConfig.Mount.BindOptions {
    static var empty: Self { try! JSONDecoder().decode(Self.self, from: Data("{}".utf8)) }
}
extension HostConfig.Mount.TmpfsOptions {
    static var empty: Self { try! JSONDecoder().decode(Self.self, from: Data("{}".utf8)) }
}
extension HostConfig.Mount.VolumeOptions {
    static var empty: Self { try! JSONDecoder().decode(Self.self, from: Data("{}".utf8)) }
}
