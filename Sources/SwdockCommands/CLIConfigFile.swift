#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI
import SwdockOS

/// The CLI's own settings file, as docker's `~/.docker/config.json`: `$SWDOCK_CONFIG/config.json`,
/// else `$HOME/.swdock/config.json`. A missing file is no settings; a file that is not JSON is
/// an error naming it. Read: `detachKeys` (docker's key of the same name).
struct CLIConfigFile: Decodable {
    var detachKeys: String?

    static var path: String {
        if let directory = getenv("SWDOCK_CONFIG").map({ String(cString: $0) }), !directory.isEmpty {
            return directory + "/config.json"
        }
        let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
        return home + "/.swdock/config.json"
    }

    static func load() throws -> CLIConfigFile {
        let path = Self.path
        guard access(path, F_OK) == 0 else { return CLIConfigFile() }
        let bytes: [UInt8]
        do {
            let file = try FileDescriptor.open(path, O_RDONLY)
            defer { file.close() }
            bytes = try file.readAll()
        } catch {
            throw ValidationErrorText("loading config file \(path): \(error)")
        }
        do { return try JSONDecoder().decode(CLIConfigFile.self, from: Data(bytes)) } catch {
            throw ValidationErrorText("loading config file \(path): \(error)")
        }
    }

    /// The detach sequence a command uses: its `--detach-keys`, else the config file's, else
    /// ctrl-p ctrl-q. `text` is sent as `detachKeys` every time, so that the daemon (which also
    /// watches stdin, and whose daemon.json `detach-keys` is only the default for clients that
    /// send none) and this CLI always end the stream on the same keys.
    static func detachKeys(flag: String?) throws -> (text: String, keys: DetachKeys) {
        let text = try flag ?? load().detachKeys ?? "ctrl-p,ctrl-q"
        return (text, try DetachKeys(parsing: text))
    }
}
