import Foundation
import SwdockOCI
import SwdockRuntime

/// Reading the JSON files `exec --process` and `update -r` take ("-" = stdin).
enum ProcessFile {
    static func read(_ path: String) throws(RuntimeError) -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError(.invalidArgument, "open \(path): no such file or directory")
        }
        return Array(data)
    }

    static func decode(_ bytes: [UInt8]) throws(RuntimeError) -> RuntimeSpec.Process {
        do { return try JSONDecoder().decode(RuntimeSpec.Process.self, from: Data(bytes)) } catch {
            throw RuntimeError(.invalidArgument, "decode the process JSON: \(error)")
        }
    }
}
