#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// Runs the OCI runtime through runc's command line (runc, crun and swdock-runtime share it).
///
/// The runtime logs to `<state-dir>/runtime.log` in JSON (`--log … --log-format json`), so its
/// messages never mix with the container's output; a failing command's error is taken from
/// there (or from its stderr).
public struct RuntimeCLI: Sendable {
    public let path: String
    public let root: String?
    public let globalArguments: [String]
    public let logPath: String
    /// Captures stdout/stderr of commands that do not hand their stdio to the container.
    public let outputPath: String

    public init(path: String, root: String?, globalArguments: [String], stateDirectory: String) {
        self.path = path
        self.root = root
        self.globalArguments = globalArguments
        self.logPath = "\(stateDirectory)/\(ShimProtocol.StateFile.runtimeLog)"
        self.outputPath = "\(stateDirectory)/runtime.out"
    }

    /// The full argv for `command` (argv[0] included).
    public func argv(_ command: [String]) -> [String] {
        var a = [path]
        if let root { a += ["--root", root] }
        a += ["--log", logPath, "--log-format", "json"]
        a += globalArguments
        return a + command
    }

    /// Runs `command` to completion. `stdio` is handed to the runtime (for create and exec the
    /// runtime passes it on to the container); nil entries capture into `runtime.out`.
    /// A non-zero exit throws `.runtime` with the runtime's own error message.
    public func run(_ command: [String], stdio: [FileDescriptor?] = [nil, nil, nil]) throws(ShimError) {
        let step = "\(path) \(command.first ?? "")"
        let capture: FileDescriptor
        do {
            capture = try FileDescriptor.open(outputPath, O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        } catch { throw ShimError("open \(outputPath) for \(step)", error) }
        defer { capture.close() }
        let devNull: FileDescriptor
        do { devNull = try FileDescriptor.open("/dev/null", O_RDWR) } catch { throw ShimError("open /dev/null", error) }
        defer { devNull.close() }
        var fds: [FileDescriptor?] = []
        for i in 0..<max(3, stdio.count) {
            let given = i < stdio.count ? stdio[i] : nil
            fds.append(given ?? (i == 0 ? devNull : capture))
        }
        let logSize = fileSize(logPath)
        let status: ExitStatus
        do {
            let pid = try ChildProcess.spawn(path, arguments: argv(command), environment: ChildProcess.currentEnvironment(), stdio: fds)
            status = try ChildProcess.wait(pid)
        } catch {
            throw ShimError(step, error)
        }
        if status == .exited(0) { return }
        var reason = lastLoggedError(since: logSize)
        if reason.isEmpty {
            _ = lseek(capture.rawValue, 0, SEEK_SET)
            let output = (try? capture.readAll()) ?? []
            reason = String(decoding: output.prefix(4096), as: UTF8.self)
            while reason.hasSuffix("\n") { reason.removeLast() }
        }
        if reason.isEmpty { reason = "exit status \(status.code)" }
        throw ShimError(.runtime, "\(step) \(command.last ?? ""): \(reason)")
    }

    private func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The `msg` of the last `"level":"error"` (or fatal) record appended since `offset`.
    func lastLoggedError(since offset: Int) -> String {
        guard let bytes = try? FileSystem.read(logPath), bytes.count > offset else { return "" }
        var found = ""
        for line in bytes[offset...].split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            guard text.contains("\"level\":\"error\"") || text.contains("\"level\":\"fatal\"") else { continue }
            if let message = RuntimeCLI.jsonStringField("msg", in: line) { found = message }
        }
        return found
    }

    /// Extracts the string value of `"key":"…"` from one JSON object line (enough for the
    /// runtime's flat log records; no general JSON parser without Foundation).
    static func jsonStringField(_ key: String, in line: ArraySlice<UInt8>) -> String? {
        let needle = Array("\"\(key)\":\"".utf8)
        let bytes = Array(line)
        guard bytes.count >= needle.count else { return nil }
        var start: Int?
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
            start = i + needle.count
            break
        }
        guard var i = start else { return nil }
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                i += 1
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "u") where i + 4 < bytes.count:
                    let hex = String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self)
                    if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) {
                        out.append(contentsOf: String(Character(scalar)).utf8)
                    }
                    i += 4
                default: out.append(bytes[i])
                }
            } else {
                out.append(b)
            }
            i += 1
        }
        return nil
    }
}
