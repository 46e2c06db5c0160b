#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The shim of one container: a single-threaded epoll loop that owns the container's stdio,
/// writes its json-file log, reaps it (as child subreaper), records its exit and serves the
/// daemon on `<state-dir>/shim.sock` (see docs/shim-protocol.md).
public final class Shim {
    public let options: ShimOptions
    let loop: EpollLoop
    let runtime: RuntimeCLI
    let log: JSONFileLog?
    var listener: FileDescriptor?
    var signals: SignalDescriptor?
    var connections: [Int32: Connection] = [:]
    let initProcess = ManagedProcess(execID: nil)
    var execs: [String: ManagedProcess] = [:]
    /// Children reaped before their pid was known (a process that ended before the runtime
    /// returned); bounded, re-parented grandchildren land here too.
    var unclaimedExits: [(pid: Int32, status: ExitStatus, time: Timestamp)] = []
    /// One read buffer for every fd: the shim reads, then hands the bytes on at once.
    let readBuffer: UnsafeMutableRawBufferPointer
    var exitCode: Int32?
    /// Ids of finished execs, oldest first (see `retireExec`).
    var finishedExecs: [String] = []
    static let retainedFinishedExecs = 64
    /// The container's OOM-kill counter and its value at create (nil: no memory cgroup found).
    var oomCounter: OOMCounter?
    var oomKillsAtCreate = 0
    /// Set after a log write failed, so a full disk is noted once, not once per line.
    var logWriteFailing = false

    /// How long waits are held for output after the process exited (a descendant may keep the
    /// pipe open): then the exit is reported anyway and the output goes on being logged.
    static let drainMilliseconds: Int64 = 2000
    /// An attached client this far behind pauses reading the container's output.
    static let outboxHighWater = 4 << 20
    static let outboxLowWater = 1 << 20
    /// Stdin queued beyond this pauses reading from the client that sends it.
    static let stdinHighWater = 1 << 20

    public init(options: ShimOptions) throws(ShimError) {
        self.options = options
        do { loop = try EpollLoop() } catch { throw ShimError("create epoll", error) }
        runtime = RuntimeCLI(path: options.runtime, root: options.runtimeRoot,
                             globalArguments: options.runtimeArguments, stateDirectory: options.stateDirectory)
        if let logPath = options.logPath {
            do {
                log = try JSONFileLog(path: logPath, maxSize: options.logMaxSize, maxFiles: options.logMaxFiles)
            } catch { throw ShimError("open log \(logPath)", error) }
        } else {
            log = nil
        }
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    func statePath(_ name: String) -> String { "\(options.stateDirectory)/\(name)" }

    /// Writes a line to the shim's own log (its stderr).
    func note(_ text: String) {
        var line: [UInt8] = []
        Timestamp.now().appendRFC3339Nano(to: &line)
        line.append(contentsOf: " swdock-shim[\(getpid())] \(options.id): \(text)\n".utf8)
        try? FileDescriptor.standardError.writeAll(line)
    }

    // MARK: - Setup

    /// Prepares everything and creates the container: subreaper, signals, socket, pid file,
    /// stdio, `runtime create`. Returns the container's init pid. On failure nothing is left
    /// running (the runtime's half-created container is force-deleted).
    public func setUp() throws(ShimError) -> Int32 {
        Signals.ignore(SIGPIPE)
        do {
            try ChildProcess.becomeSubreaper()
            try FileSystem.makeDirectories(options.stateDirectory, mode: 0o711)
            let sigfd = try SignalDescriptor.open([SIGCHLD, SIGTERM, SIGINT, SIGHUP])
            signals = sigfd
            try loop.register(sigfd.fd, for: .readable) { [unowned self] _ in self.handleSignals() }
        } catch { throw ShimError("prepare shim", error) }

        let socketPath = statePath(ShimProtocol.StateFile.socket)
        if FileSystem.exists(socketPath) {
            if let probe = try? UnixSocket.connect(path: socketPath) {
                probe.close()
                throw ShimError(.running, "a shim already serves \(socketPath)")
            }
        }
        do {
            let fd = try UnixSocket.listen(path: socketPath, replacingStale: true)
            _ = chmod(socketPath, 0o600)
            listener = fd
            try loop.register(fd, for: .readable) { [unowned self] _ in self.acceptConnections() }
            try FileSystem.writeAtomically(statePath(ShimProtocol.StateFile.shimPID), Array("\(getpid())\n".utf8))
            try FileSystem.remove(statePath(ShimProtocol.StateFile.exit))
        } catch { throw ShimError("listen on \(socketPath)", error) }

        do {
            try createInit()
        } catch {
            note("create failed: \(error)")
            _ = try? runtime.run(["delete", "--force", options.id])
            removeSocketFiles()
            throw error
        }
        return initProcess.pid
    }

    private func createInit() throws(ShimError) {
        let pidFile = statePath(ShimProtocol.StateFile.initPID)
        try? FileSystem.remove(pidFile)
        var command = ["create", "--bundle", options.bundle, "--pid-file", pidFile]
        let io = try prepareStdio(for: initProcess, stdin: options.stdin, tty: options.tty)
        if let console = io.consolePath { command += ["--console-socket", console] }
        command.append(options.id)
        defer { io.closeChildEnds() }
        try runtime.run(command, stdio: io.childStdio)
        try io.finishConsole(for: initProcess, size: options.consoleSize, shim: self)
        initProcess.pid = try readPID(pidFile)
        initProcess.status = .created
        oomCounter = OOMCounter.of(pid: initProcess.pid)
        oomKillsAtCreate = oomCounter?.read() ?? 0
        note("created, init pid \(initProcess.pid)")
        claimEarlyExit(of: initProcess)
    }

    func readPID(_ path: String) throws(ShimError) -> Int32 {
        let bytes: [UInt8]?
        do { bytes = try FileSystem.read(path) } catch { throw ShimError("read pid file \(path)", error) }
        let text = String(decoding: bytes ?? [], as: UTF8.self).filter { $0 != "\n" && $0 != " " }
        guard let pid = Int32(text), pid > 0 else {
            throw ShimError(.runtime, "the runtime left no valid pid in \(path) (\"\(text)\")")
        }
        return pid
    }

    /// The container's stdio as the runtime receives it, and our ends of it.
    struct PreparedIO {
        var childStdio: [FileDescriptor?] = [nil, nil, nil]
        var childEnds: [FileDescriptor] = []
        var consolePath: String?
        var consoleListener: FileDescriptor?

        func closeChildEnds() {
            for fd in childEnds { fd.close() }
            if let consoleListener { consoleListener.close() }
            if let consolePath { _ = unlink(consolePath) }
        }

        /// Receives the terminal's master side the runtime sent over the console socket.
        func finishConsole(for process: ManagedProcess, size: (rows: UInt16, columns: UInt16)?, shim: Shim) throws(ShimError) {
            guard let listener = consoleListener else { return }
            let console = "the console socket \(consolePath ?? "")"
            let received: FileDescriptor?
            do { received = try PreparedIO.receiveTerminal(listener) } catch { throw ShimError("receive the terminal over \(console)", error) }
            guard let master = received else { throw ShimError(.runtime, "the runtime sent no terminal over \(console)") }
            do {
                if let size { try master.setWindowSize(rows: size.rows, columns: size.columns) }
                try shim.attachTerminal(master, to: process)
            } catch {
                master.close()
                throw ShimError("set up the terminal of \(process.name)", error)
            }
        }

        /// The fd of the one message the runtime sent (it connects and sends during its
        /// command, before we accept: the connection waits in the backlog).
        private static func receiveTerminal(_ listener: FileDescriptor) throws(OSError) -> FileDescriptor? {
            guard let connection = try UnixSocket.accept(listener) else { return nil }
            defer { connection.close() }
            try connection.setNonBlocking(false)
            return try UnixSocket.receive(over: connection).fileDescriptor
        }
    }

    /// Makes the pipes (or the console socket) for a process about to be created.
    func prepareStdio(for process: ManagedProcess, stdin: Bool, tty: Bool) throws(ShimError) -> PreparedIO {
        var io = PreparedIO()
        do {
            if tty {
                let path = statePath(ShimProtocol.StateFile.consoleSocket)
                try FileSystem.remove(path)
                let listener = try UnixSocket.listen(path: path, backlog: 1)
                _ = chmod(path, 0o600)
                io.consolePath = path
                io.consoleListener = listener
                return io
            }
            if stdin {
                let pipe = try FileDescriptor.pipe()
                io.childStdio[0] = pipe.read
                io.childEnds.append(pipe.read)
                try pipe.write.setNonBlocking()
                let channel = StdinChannel(fd: pipe.write)
                process.stdin = channel
            }
            for stream in [StdioStream.stdout, .stderr] {
                let pipe = try FileDescriptor.pipe()
                io.childStdio[Int(stream.rawValue)] = pipe.write
                io.childEnds.append(pipe.write)
                try pipe.read.setNonBlocking()
                let channel = OutputChannel(fd: pipe.read, stream: stream)
                process.outputs.append(channel)
                try loop.register(pipe.read, for: .readable) { [unowned self, unowned process] _ in
                    self.readOutput(of: process, from: channel)
                }
            }
        } catch { throw ShimError("set up stdio of \(process.name)", error) }
        return io
    }

    /// Takes the terminal master as the process's output (stream stdout) and stdin.
    func attachTerminal(_ master: FileDescriptor, to process: ManagedProcess) throws(OSError) {
        try master.setNonBlocking()
        // A second fd on the same terminal so stdin has its own epoll registration.
        let writer = try master.duplicated()
        let output = OutputChannel(fd: master, stream: .stdout)
        do {
            try loop.register(master, for: .readable) { [unowned self, unowned process] _ in
                self.readOutput(of: process, from: output)
            }
        } catch {
            writer.close()
            throw error
        }
        process.terminal = master
        process.outputs.append(output)
        process.stdin = StdinChannel(fd: writer)
    }

    // MARK: - Running

    /// Writes the ready line (`swdock-shim ready …`) to `fd` and closes it.
    public func reportReady(to fd: FileDescriptor, initPID: Int32) {
        var message = ShimMessage("swdock-shim ready")
        message.set("protocol", String(ShimProtocol.version))
        message.set("shim-pid", String(getpid()))
        message.set("init-pid", String(initPID))
        message.set("socket", statePath(ShimProtocol.StateFile.socket))
        try? fd.writeAll(Shim.readyLine(message))
        fd.close()
    }

    /// Writes `swdock-shim error message=…` to `fd` and closes it.
    public static func reportFailure(to fd: FileDescriptor, _ error: ShimError) {
        var message = ShimMessage("swdock-shim error")
        message.set("code", error.code.rawValue)
        message.set("message", error.message)
        try? fd.writeAll(readyLine(message))
        fd.close()
    }

    /// The ready line is the message's fields on one line, space-separated (values have no
    /// spaces except the error message, which comes last).
    static func readyLine(_ message: ShimMessage) -> [UInt8] {
        var text = message.verb
        for field in message.fields { text += " \(field.key)=\(field.value)" }
        return Array((text + "\n").utf8)
    }

    /// Serves until the container is deleted or the shim is shut down; returns the exit code.
    public func run() -> Int32 {
        if options.releaseCodeWhenIdle {
            loop.onIdle(afterMilliseconds: 1000) { ChildProcess.releaseCodeMappings() }
        }
        do {
            try loop.run()
        } catch {
            note("event loop failed: \(error)")
            return 1
        }
        return exitCode ?? 0
    }

    /// Ends the loop after pending responses had their chance to go out.
    func terminate(code: Int32) {
        exitCode = code
        for connection in connections.values { flush(connection) }
        removeSocketFiles()
        loop.stop()
    }

    func removeSocketFiles() {
        if let listener {
            loop.unregister(listener)
            listener.close()
            self.listener = nil
        }
        try? FileSystem.remove(statePath(ShimProtocol.StateFile.socket))
        try? FileSystem.remove(statePath(ShimProtocol.StateFile.shimPID))
    }

    // MARK: - Signals and reaping

    func handleSignals() {
        guard let signals else { return }
        let received: [Int32]
        do { received = try signals.drain() } catch { note("signalfd: \(error)"); return }
        for signal in received {
            switch signal {
            case SIGCHLD:
                reapChildren()
            case SIGTERM, SIGINT:
                if initProcess.status == .running {
                    note("signal \(signal) ignored: the container is running (kill or delete it through the socket)")
                } else {
                    note("signal \(signal): exiting")
                    terminate(code: 0)
                }
            default:
                break
            }
        }
    }

    func reapChildren() {
        while true {
            let reaped: (pid: Int32, status: ExitStatus)?
            do { reaped = try ChildProcess.reapAny() } catch { note("reap: \(error)"); return }
            guard let (pid, status) = reaped else { return }
            let time = Timestamp.now()
            if let process = process(withPID: pid) {
                processExited(process, status: status, time: time)
            } else {
                unclaimedExits.append((pid, status, time))
                if unclaimedExits.count > 64 { unclaimedExits.removeFirst() }
            }
        }
    }

    func process(withPID pid: Int32) -> ManagedProcess? {
        if initProcess.pid == pid && initProcess.exit == nil { return initProcess }
        return execs.values.first { $0.pid == pid && $0.exit == nil }
    }

    /// A process whose pid we just learned may already have been reaped.
    func claimEarlyExit(of process: ManagedProcess) {
        guard let index = unclaimedExits.firstIndex(where: { $0.pid == process.pid }) else { return }
        let early = unclaimedExits.remove(at: index)
        processExited(process, status: early.status, time: early.time)
    }

    func processExited(_ process: ManagedProcess, status: ExitStatus, time: Timestamp) {
        var record = ExitRecord(pid: process.pid, status: status, time: time)
        if process.execID == nil, let counter = oomCounter, let kills = counter.read() {
            // Read before the runtime's delete removes the cgroup.
            record.oomKilled = kills > oomKillsAtCreate
        }
        if process.execID == nil {
            // Durable before anyone hears of it: the daemon may be down right now.
            do { try record.write(to: statePath(ShimProtocol.StateFile.exit)) } catch {
                note("record exit in \(statePath(ShimProtocol.StateFile.exit)): \(error)")
            }
        }
        process.exit = record
        process.status = .stopped
        // Exec'd processes are not noted: health checks exec every few seconds for months.
        if process.execID == nil { note("init pid \(process.pid) exited with \(record.exitCode)") }
        if let stdin = process.stdin { closeStdin(stdin, of: process) }
        if process.outputs.isEmpty {
            finalize(process)
        } else {
            process.drainTimer = loop.schedule(afterMilliseconds: Shim.drainMilliseconds) { [weak self, weak process] in
                guard let self, let process else { return }
                process.drainTimer = nil
                self.finalize(process)
            }
        }
    }

    /// Exit known and output drained (or drain time over): answer the waits.
    func finalize(_ process: ManagedProcess) {
        guard !process.finalized, let exit = process.exit else { return }
        process.finalized = true
        if let timer = process.drainTimer { loop.cancelTimer(timer); process.drainTimer = nil }
        if let execID = process.execID { retireExec(execID) }
        let waiters = process.waiters
        process.waiters = []
        for connection in waiters where !connection.closed {
            connection.waiting = false
            respond(connection, exitMessage(exit))
            drainQueuedRequests(of: connection)
        }
    }

    /// Finished execs stay queryable (`state`, `wait`) until `retainedFinishedExecs` newer
    /// ones have finished, so a container exec'd every few seconds does not grow the shim.
    func retireExec(_ execID: String) {
        finishedExecs.append(execID)
        var kept: [String] = []
        var excess = finishedExecs.count - Shim.retainedFinishedExecs
        for id in finishedExecs {
            if excess > 0, let process = execs[id], process.outputs.isEmpty, process.waiters.isEmpty {
                execs[id] = nil
                excess -= 1
            } else {
                kept.append(id)
            }
        }
        finishedExecs = kept
    }

    func exitMessage(_ exit: ExitRecord) -> ShimMessage {
        var m = ShimMessage("ok")
        m.set("pid", String(exit.pid))
        m.set("exit-code", String(exit.exitCode))
        m.set("signal", String(exit.signal))
        m.set("exit-time", exit.time.rfc3339Nano)
        m.set("oom-killed", exit.oomKilled ? "true" : "false")
        return m
    }

    // MARK: - Output

    func readOutput(of process: ManagedProcess, from channel: OutputChannel) {
        // A few reads per wakeup so one chatty stream cannot starve the others.
        for _ in 0..<4 {
            let count: Int?
            do { count = try channel.fd.readAvailable(into: readBuffer) } catch {
                note("read \(channel.stream.name) of \(process.name): \(error)")
                count = 0
            }
            guard let n = count else { return }
            if n == 0 {
                closeOutput(channel, of: process)
                return
            }
            let bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])
            if process.execID == nil, let log { logOutput(bytes, channel: channel, log: log) }
            broadcast(bytes, stream: channel.stream, of: process)
            if process.outputPaused { return }
        }
    }

    private func logOutput(_ bytes: UnsafeRawBufferPointer, channel: OutputChannel, log: JSONFileLog) {
        channel.splitter.feed(bytes, now: Timestamp.now) { message in writeLog(message, channel.stream, log) }
    }

    private func writeLog(_ message: LogLineSplitter.Message, _ stream: StdioStream, _ log: JSONFileLog) {
        do {
            try log.write(message, stream: stream)
            if logWriteFailing {
                logWriteFailing = false
                note("writing \(log.path) works again")
            }
        } catch {
            if !logWriteFailing { note("write \(log.path): \(error) (lines are lost until a write succeeds)") }
            logWriteFailing = true
        }
    }

    func closeOutput(_ channel: OutputChannel, of process: ManagedProcess) {
        if process.execID == nil, let log {
            channel.splitter.finish(now: Timestamp.now) { message in writeLog(message, channel.stream, log) }
        }
        loop.unregister(channel.fd)
        if process.terminal == channel.fd { process.terminal = nil }
        channel.fd.close()
        process.outputs.removeAll { $0 === channel }
        if process.outputs.isEmpty { outputEnded(process) }
    }

    func outputEnded(_ process: ManagedProcess) {
        let subscribers = process.subscribers
        process.subscribers = []
        for subscription in subscribers where !subscription.connection.closed {
            subscription.connection.attached = nil
            subscription.connection.attachedStdin = false
            send(subscription.connection, kind: .event, ShimMessage("output-end").encoded)
        }
        if process.exit != nil { finalize(process) }
    }

    func broadcast(_ bytes: UnsafeRawBufferPointer, stream: StdioStream, of process: ManagedProcess) {
        var behind = false
        for subscription in process.subscribers {
            guard stream == .stdout ? subscription.stdout : subscription.stderr else { continue }
            let connection = subscription.connection
            if connection.closed { continue }
            ShimFrame.appendHeader(kind: .output, stream: stream.rawValue, count: bytes.count, to: &connection.outbox)
            connection.outbox.append(contentsOf: bytes)
            flush(connection)
            if connection.pendingOutput > Shim.outboxHighWater { behind = true }
        }
        if behind { setOutputPaused(process, true) }
    }

    func setOutputPaused(_ process: ManagedProcess, _ paused: Bool) {
        guard process.outputPaused != paused else { return }
        process.outputPaused = paused
        for channel in process.outputs {
            do { try loop.update(channel.fd, to: paused ? [] : .readable) } catch { note("pause output: \(error)") }
        }
    }

    /// Resumes output reading once no attached client of `process` is far behind.
    func resumeOutputIfCaughtUp(_ process: ManagedProcess) {
        guard process.outputPaused else { return }
        if process.subscribers.allSatisfy({ $0.connection.closed || $0.connection.pendingOutput < Shim.outboxLowWater }) {
            setOutputPaused(process, false)
        }
    }

    // MARK: - Stdin

    func writeStdin(_ bytes: [UInt8], to process: ManagedProcess) {
        guard let stdin = process.stdin, !stdin.closeRequested else { return }
        stdin.queue.append(contentsOf: bytes)
        flushStdin(stdin, of: process)
    }

    func flushStdin(_ stdin: StdinChannel, of process: ManagedProcess) {
        while stdin.queuedCount > 0 {
            let written: Int
            let start = stdin.offset
            let result = stdin.queue.withUnsafeBytes { raw in
                Result { () throws(OSError) in try stdin.fd.writeAvailable(UnsafeRawBufferPointer(rebasing: raw[start...])) }
            }
            switch result {
            case .success(let n): written = n
            case .failure(let error):
                // EPIPE: the process closed its stdin; what is queued can never be delivered.
                if error.errno != EPIPE { note("write stdin of \(process.name): \(error)") }
                stdin.queue = []
                stdin.offset = 0
                closeStdin(stdin, of: process)
                return
            }
            if written == 0 { break }
            stdin.offset += written
        }
        if stdin.queuedCount == 0 {
            stdin.queue.removeAll(keepingCapacity: false)
            stdin.offset = 0
            if stdin.closeRequested { closeStdin(stdin, of: process); return }
        } else if stdin.offset > 64 * 1024 {
            stdin.queue.removeFirst(stdin.offset)
            stdin.offset = 0
        }
        let wantWritable = stdin.queuedCount > 0
        if wantWritable != stdin.watchingWritable {
            do {
                if wantWritable {
                    try loop.register(stdin.fd, for: .writable) { [unowned self, unowned process, unowned stdin] _ in
                        self.flushStdin(stdin, of: process)
                    }
                } else {
                    loop.unregister(stdin.fd)
                }
                stdin.watchingWritable = wantWritable
            } catch { note("watch stdin of \(process.name): \(error)") }
        }
        updateStdinSenders(of: process)
    }

    /// Closes stdin once the queue is written (immediately when the process is gone).
    func requestStdinClose(of process: ManagedProcess) {
        guard let stdin = process.stdin else { return }
        stdin.closeRequested = true
        if stdin.queuedCount == 0 { closeStdin(stdin, of: process) }
    }

    func closeStdin(_ stdin: StdinChannel, of process: ManagedProcess) {
        if stdin.watchingWritable { loop.unregister(stdin.fd) }
        stdin.fd.close()
        process.stdin = nil
        updateStdinSenders(of: process)
    }

    /// Pauses reading from clients feeding stdin while too much is queued, resumes after.
    func updateStdinSenders(of process: ManagedProcess) {
        let congested = (process.stdin?.queuedCount ?? 0) > Shim.stdinHighWater
        for subscription in process.subscribers where subscription.connection.attachedStdin {
            setReadingPaused(subscription.connection, congested)
        }
    }
}
