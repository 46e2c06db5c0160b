import Foundation
import SwdockOS

/// A child started with posix_spawn: only stdio is inherited (every fd ≥ 3 of ours is
/// close-on-exec), and it is reaped by our own waitpid on its pid.
///
/// Foundation's `Process` is not used for runtimes and daemons: on Linux it detects exit
/// through a socket the child inherits, so a container that a runtime leaves running
/// (`create`) can keep it open and `Process` never reports the exit.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Spawns `executable arguments` with stdin, stdout and stderr on the given fds.
    public init(_ executable: String, _ arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32,
                environment: [String: String]? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal dispositions and an empty mask, whatever the test process has.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        SpawnedProcess.markInheritedDescriptorsCloseOnExec()
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw OSError(call: "posix_spawn", object: executable, errno: rc) }
        pid = child
    }

    /// The exit code (128+signal when killed by a signal) once the child has exited, else nil.
    public func poll() -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            guard rc == pid else { return nil }
            exitStatus = SpawnedProcess.decode(status)
            return exitStatus
        }
    }

    /// Waits at most `timeout` seconds (forever when nil); the exit code, or nil on time-out.
    public func wait(timeout: TimeInterval?) -> Int32? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while true {
            if let code = poll() { return code }
            if let deadline, Date() >= deadline { return nil }
            usleep(2_000)
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Sets FD_CLOEXEC on every fd ≥ 3 of the test process, so a child gets only its stdio
    /// (glibc's closefrom file action is not visible to Swift here).
    static func markInheritedDescriptorsCloseOnExec() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            guard let fd = Int32(entry), fd > 2 else { continue }
            try? FileDescriptor(rawValue: fd).setCloseOnExec(true)
        }
    }

    public func signal(_ sig: Int32) { if poll() == nil { kill(pid, sig) } }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    deinit {
        // Reap a child we are dropping so no zombie is left (the owner decided to let it go).
        if exitStatus == nil { var status: Int32 = 0; _ = waitpid(pid, &status, WNOHANG) }
    }
}

/// Runs `executable` with `arguments` (no shell) and waits at most `timeout` seconds.
///
/// On time-out the process is killed with SIGKILL and `onTimeout` runs (e.g. `runtime delete
/// --force`, so a container left by a killed runtime does not hold the output pipes open);
/// then the call throws. stdin is `input` (EOF after it) or empty. The exit code is 128+N for
/// a process killed by signal N.
///
/// With `outputFile`, stdout and stderr both go to that file instead of pipes (for commands
/// that leave a process holding them, such as `runc create`); the result's `stdout` is then
/// the file's content and `stderr` is empty.
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], timeout: TimeInterval,
                       input: Data? = nil, environment: [String: String]? = nil, outputFile: URL? = nil,
                       onTimeout: () -> Void = {}) throws -> CommandResult {
    let what = "run \(executable) \(arguments.joined(separator: " "))"
    let inPipe = try FDPipe(), outPipe = try FDPipe(), errPipe = try FDPipe()
    defer { [inPipe, outPipe, errPipe].forEach { $0.closeBoth() } }
    var file: Int32 = -1
    if let outputFile {
        file = try sys("open", outputFile.path) { open(outputFile.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
    }
    defer { if file >= 0 { close(file) } }
    let child = try SpawnedProcess(executable, arguments, stdin: inPipe.read,
                                   stdout: file >= 0 ? file : outPipe.write,
                                   stderr: file >= 0 ? file : errPipe.write, environment: environment)
    inPipe.closeRead()
    outPipe.closeWrite()
    errPipe.closeWrite()
    if file >= 0 { close(file); file = -1 }
    if let input {
        // Best effort: a child that exits early closes its end; SIGPIPE is ignored so that is EPIPE.
        ignoreSIGPIPE()
        input.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(inPipe.write, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
    inPipe.closeWrite()

    let outBox = OutputBox(), errBox = OutputBox()
    let readers = DispatchGroup()
    if outputFile == nil {
        for (fd, box) in [(outPipe.read, outBox), (errPipe.read, errBox)] {
            readers.enter()
            Thread {
                box.set(readAll(fd))
                readers.leave()
            }.start()
        }
    }
    guard let status = child.wait(timeout: timeout) else {
        child.signal(SIGKILL)
        _ = child.wait(timeout: nil)
        onTimeout()
        _ = readers.wait(timeout: .now() + 10)
        throw FixtureError(what, "no exit within \(Int(timeout)) s; killed. stdout so far: \(outBox.string) stderr: \(errBox.string)")
    }
    if let outputFile {
        return CommandResult(status: status, stdout: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "", stderr: "")
    }
    if readers.wait(timeout: .now() + timeout) == .timedOut {
        throw FixtureError(what, "exited \(status) but its output pipes stayed open (a leftover child?)")
    }
    return CommandResult(status: status, stdout: outBox.string, stderr: errBox.string)
}

private let sigpipeIgnored: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return true
}()

/// Writing to a child that has exited gives EPIPE instead of killing the test process.
func ignoreSIGPIPE() { _ = sigpipeIgnored }

/// A pipe whose ends are closed at most once.
final class FDPipe: @unchecked Sendable {
    private(set) var read: Int32
    private(set) var write: Int32
    init() throws {
        var fds: [Int32] = [-1, -1]
        try sys("pipe") { pipe(&fds) }
        read = fds[0]
        write = fds[1]
        try FileDescriptor(rawValue: read).setCloseOnExec(true)
        try FileDescriptor(rawValue: write).setCloseOnExec(true)
    }
    func closeRead() { if read >= 0 { close(read); read = -1 } }
    func closeWrite() { if write >= 0 { close(write); write = -1 } }
    func closeBoth() { closeRead(); closeWrite() }
}

private func readAll(_ fd: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n > 0 { data.append(buffer, count: n); continue }
        if n < 0 && errno == EINTR { continue }
        return data
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    var string: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
