#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockOCI
import SwdockOS
import SwdockRuntime

/// Reading the JSON files `exec --process` and `update -r` take ("-" = stdin).
enum ProcessFile {
    static func read(_ path: String) throws(RuntimeError) -> [UInt8] {
        if path == "-" {
            do { return try FileDescriptor.standardInput.readAll() } catch {
                throw RuntimeError(.invalidArgument, "read the standard input: \(Errno.message(error.errno))")
            }
        }
        do {
            let fd = try FileDescriptor.open(path, O_RDONLY)
            defer { fd.close() }
            return try fd.readAll()
        } catch {
            throw RuntimeError(.invalidArgument, "open \(path): \(Errno.message(error.errno))")
        }
    }

    static func decode(_ bytes: [UInt8]) throws(RuntimeError) -> RuntimeSpec.Process {
        do { return try JSONDecoder().decode(RuntimeSpec.Process.self, from: Data(bytes)) } catch {
            throw RuntimeError(.invalidArgument, "decode the process JSON: \(error)")
        }
    }
}
