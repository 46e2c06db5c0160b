import Foundation

/// Runs `executable` with `arguments` (no shell) and waits at most `timeout` seconds.
///
/// On time-out the process is killed with SIGKILL and `onTimeout` runs (e.g. `runtime delete
/// --force`, so a container left by a killed runtime does not hold the output pipes open);
/// then the call throws. stdin is `input`, or /dev/null-like EOF when nil.
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], timeout: TimeInterval,
                       input: Data? = nil, environment: [String: String]? = nil,
                       onTimeout: () -> Void = {}) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), inp = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inp
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    if let input { inp.fileHandleForWriting.write(input) }
    try inp.fileHandleForWriting.close()
    let outBox = OutputBox(), errBox = OutputBox()
    let readers = DispatchGroup()
    for (pipe, box) in [(out, outBox), (err, errBox)] {
        readers.enter()
        Thread {
            box.set(pipe.fileHandleForReading.readDataToEndOfFile())
            readers.leave()
        }.start()
    }
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
        onTimeout()
        _ = readers.wait(timeout: .now() + 10)
        throw FixtureError("run \(executable) \(arguments.joined(separator: " "))",
                           "no exit within \(Int(timeout)) s; killed. stdout so far: \(outBox.string) stderr: \(errBox.string)")
    }
    if readers.wait(timeout: .now() + timeout) == .timedOut {
        // A grandchild kept stdout/stderr open after the process itself exited.
        throw FixtureError("run \(executable) \(arguments.joined(separator: " "))",
                           "exited \(process.terminationStatus) but its output pipes stayed open (a leftover child?)")
    }
    return CommandResult(status: process.terminationStatus, stdout: outBox.string, stderr: errBox.string)
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    var string: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
