#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// Starts a shim the way the daemon does and waits for its ready line.
public enum ShimLauncher {
    /// What a shim reports once its container is created.
    public struct Ready: Sendable, Equatable {
        public var protocolVersion: Int
        public var shimPID: Int32
        public var initPID: Int32
        public var socketPath: String
    }

    /// Runs `executable` with `options` (its ready line on a pipe at fd 3), reaps the launcher
    /// process (which exits at once, leaving the detached shim behind) and reads the ready line.
    /// A shim that fails reports `swdock-shim error …`; that is thrown as the `ShimError` it names.
    public static func start(executable: String, options: ShimOptions) throws(ShimError) -> Ready {
        var options = options
        options.readyFD = 3
        options.detached = false
        options.foreground = false
        let pipe: (read: FileDescriptor, write: FileDescriptor)
        do { pipe = try FileDescriptor.pipe() } catch { throw ShimError("create the ready pipe", error) }
        defer { pipe.read.close() }
        let launcher: pid_t
        do {
            launcher = try ChildProcess.spawn(executable, arguments: ["swdock-shim"] + options.arguments,
                                              environment: ChildProcess.currentEnvironment(),
                                              stdio: [nil, nil, nil, pipe.write])
        } catch {
            pipe.write.close()
            throw ShimError("start \(executable)", error)
        }
        pipe.write.close()
        let launcherStatus: ExitStatus
        do { launcherStatus = try ChildProcess.wait(launcher) } catch { throw ShimError("wait for the shim launcher", error) }
        let line: [UInt8]
        do { line = try pipe.read.readAll() } catch { throw ShimError("read the shim's ready line", error) }
        let text = String(decoding: line, as: UTF8.self)
        guard let ready = parse(readyLine: text) else {
            if text.hasPrefix("swdock-shim error") { throw parseError(text) }
            throw ShimError(.protocol, "shim for \(options.id) exited (\(launcherStatus.code)) without a ready line; see \(options.stateDirectory)/\(ShimProtocol.StateFile.shimLog)")
        }
        return ready
    }

    /// Parses `swdock-shim ready protocol=1 shim-pid=N init-pid=N socket=PATH`.
    public static func parse(readyLine: String) -> Ready? {
        var text = readyLine
        while text.hasSuffix("\n") { text.removeLast() }
        guard text.hasPrefix("swdock-shim ready ") else { return nil }
        var values: [Substring: Substring] = [:]
        for word in text.dropFirst("swdock-shim ready ".count).split(separator: " ") {
            guard let eq = word.firstIndex(of: "=") else { continue }
            values[word[..<eq]] = word[word.index(after: eq)...]
        }
        guard let version = values["protocol"].flatMap({ Int($0) }), let shim = values["shim-pid"].flatMap({ Int32($0) }),
              let initPID = values["init-pid"].flatMap({ Int32($0) }), let socket = values["socket"] else { return nil }
        return Ready(protocolVersion: version, shimPID: shim, initPID: initPID, socketPath: String(socket))
    }

    /// Parses `swdock-shim error code=CODE message=TEXT` (the message is last and may hold spaces).
    static func parseError(_ line: String) -> ShimError {
        var text = Substring(line)
        while text.hasSuffix("\n") { text.removeLast() }
        text = text.dropFirst("swdock-shim error".count).drop { $0 == " " }
        var code = ShimError.Code.runtime
        if text.hasPrefix("code=") {
            let value = text.dropFirst(5).prefix { $0 != " " }
            code = ShimError.Code(rawValue: String(value)) ?? .runtime
            text = text.dropFirst(5 + value.count).drop { $0 == " " }
        }
        if text.hasPrefix("message=") { text = text.dropFirst(8) }
        return ShimError(code, String(text))
    }
}
