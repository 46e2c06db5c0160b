#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// The requests of the protocol (docs/shim-protocol.md), one method each.
extension Shim {
    func dispatch(_ request: ShimMessage, from connection: Connection) {
        do throws(ShimError) {
            if !connection.greeted && request.verb != "hello" {
                throw ShimError(.protocol, "the first request must be hello, got \(request.verb)")
            }
            switch request.verb {
            case "hello": try hello(request, connection)
            case "state": try state(request, connection)
            case "start": try start(request, connection)
            case "kill": try kill(request, connection)
            case "attach": try attach(request, connection)
            case "close-stdin": try closeStdinRequest(request, connection)
            case "resize": try resize(request, connection)
            case "wait": try wait(request, connection)
            case "exec": try exec(request, connection)
            case "delete": try delete(request, connection)
            case "shutdown": try shutdown(request, connection)
            default: throw ShimError(.unsupported, "not supported: request \(request.verb)")
            }
        } catch {
            respond(connection, ShimMessage.error(error))
            if !connection.greeted { connection.closeWhenFlushed = true; flush(connection) }
        }
    }

    private func ok(_ fields: [(String, String)] = []) -> ShimMessage { ShimMessage("ok", fields) }

    /// The process a request names with `exec-id` (init when absent).
    private func target(_ request: ShimMessage) throws(ShimError) -> ManagedProcess {
        guard let execID = request["exec-id"] else { return initProcess }
        guard let process = execs[execID] else { throw ShimError(.notFound, "no exec \(execID) in container \(options.id)") }
        return process
    }

    private func hello(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        guard let version = try request.int("protocol") else { throw ShimError(.protocol, "hello without protocol=") }
        guard version == ShimProtocol.version else {
            throw ShimError(.protocol, "the daemon speaks shim protocol \(version), this shim speaks \(ShimProtocol.version)")
        }
        connection.greeted = true
        respond(connection, ok([("protocol", String(ShimProtocol.version)), ("version", SwdockVersion.version),
                                ("id", options.id), ("shim-pid", String(getpid()))]))
    }

    private func state(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let process = try target(request)
        var m = ok([("id", options.id), ("status", process.status.rawValue), ("pid", String(process.pid))])
        if let exec = process.execID { m.set("exec-id", exec) }
        if let started = process.startedAt { m.set("started-at", started.rfc3339Nano) }
        if let exit = process.exit {
            m.set("exit-code", String(exit.exitCode))
            m.set("signal", String(exit.signal))
            m.set("exit-time", exit.time.rfc3339Nano)
            m.set("oom-killed", exit.oomKilled ? "true" : "false")
        }
        m.set("tty", process.terminal != nil || (process.execID == nil && options.tty) ? "true" : "false")
        m.set("stdin", process.stdin != nil ? "open" : "closed")
        respond(connection, m)
    }

    private func start(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        if request["exec-id"] != nil { throw ShimError(.invalid, "start: exec processes start with exec") }
        switch initProcess.status {
        case .running: throw ShimError(.running, "container \(options.id) is already running")
        case .stopped: throw ShimError(.notRunning, "container \(options.id) has exited; it cannot be started again")
        case .created: break
        }
        try runtime.run(["start", options.id])
        // The init may already have run to completion; its exit arrives through SIGCHLD.
        if initProcess.status == .created { initProcess.status = .running }
        initProcess.startedAt = Timestamp.now()
        note("started")
        respond(connection, ok([("pid", String(initProcess.pid)), ("started-at", initProcess.startedAt!.rfc3339Nano)]))
    }

    private func kill(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let text = request["signal"] ?? "TERM"
        guard let signal = Signals.number(text) else { throw ShimError(.invalid, "kill: unknown signal \"\(text)\"") }
        let all = try request.bool("all")
        let process = try target(request)
        guard process.exit == nil else {
            throw ShimError(.notRunning, "\(process.name) of container \(options.id) is not running")
        }
        if process.execID == nil && all {
            // Every process of the container: the runtime knows its cgroup (and thaws a frozen one).
            try runtime.run(["kill", "--all", options.id, String(signal)])
        } else {
            // The init and an exec'd process are our (re-parented) children until we reap them:
            // the pid cannot have been reused, so signalling it directly is safe, and it spares
            // a runtime process (`runtime kill` of the init does only this, after reading its state).
            do { try ChildProcess.signal(process.pid, signal) } catch { throw ShimError("signal \(process.name)", error) }
        }
        respond(connection, ok())
    }

    private func attach(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let process = try target(request)
        let stdout = try request.bool("stdout", default: true)
        let stderr = try request.bool("stderr", default: true)
        let stdin = try request.bool("stdin")
        if stdin && process.stdin == nil {
            let why = process.exit != nil ? "has exited" : "has no open stdin (start the shim with --stdin)"
            throw ShimError(.invalid, "attach stdin: \(process.name) of container \(options.id) \(why)")
        }
        if connection.attached != nil { throw ShimError(.invalid, "attach: this connection is already attached") }
        respond(connection, ok([("pid", String(process.pid))]))
        try subscribe(connection, to: process, stdout: stdout, stderr: stderr, stdin: stdin)
    }

    private func subscribe(_ connection: Connection, to process: ManagedProcess, stdout: Bool, stderr: Bool, stdin: Bool) throws(ShimError) {
        if process.outputs.isEmpty {
            send(connection, kind: .event, ShimMessage("output-end").encoded)
            return
        }
        connection.attached = process
        connection.attachedStdin = stdin && process.stdin != nil
        process.subscribers.append(Subscription(connection: connection, stdout: stdout, stderr: stderr))
    }

    private func closeStdinRequest(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let process = try target(request)
        requestStdinClose(of: process)
        respond(connection, ok())
    }

    private func resize(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let process = try target(request)
        guard let width = try request.int("width"), let height = try request.int("height"),
              let columns = UInt16(exactly: width), let rows = UInt16(exactly: height) else {
            throw ShimError(.invalid, "resize needs width= and height= between 0 and 65535")
        }
        guard let terminal = process.terminal else {
            throw ShimError(.invalid, "resize: \(process.name) of container \(options.id) has no terminal")
        }
        do { try terminal.setWindowSize(rows: rows, columns: columns) } catch {
            throw ShimError("resize the terminal of \(process.name)", error)
        }
        respond(connection, ok())
    }

    private func wait(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let process = try target(request)
        if process.finalized, let exit = process.exit {
            respond(connection, exitMessage(exit))
            return
        }
        connection.waiting = true
        process.waiters.append(connection)
    }

    private func exec(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        guard let execID = request["exec-id"], !execID.isEmpty,
              execID.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: "/") }) else {
            throw ShimError(.invalid, "exec needs an exec-id without spaces or slashes")
        }
        guard let processFile = request["process"], processFile.hasPrefix("/") else {
            throw ShimError(.invalid, "exec needs process= (absolute path of an OCI process.json)")
        }
        guard execs[execID] == nil else { throw ShimError(.invalid, "exec \(execID) already exists") }
        guard initProcess.status == .running else {
            throw ShimError(.notRunning, "exec: container \(options.id) is not running")
        }
        let tty = try request.bool("tty")
        let wantsStdin = try request.bool("stdin")
        if try request.bool("attach"), connection.attached != nil {
            throw ShimError(.invalid, "exec attach=true: this connection is already attached")
        }
        var size: (rows: UInt16, columns: UInt16)?
        if let width = try request.int("width"), let height = try request.int("height") {
            guard let columns = UInt16(exactly: width), let rows = UInt16(exactly: height) else {
                throw ShimError(.invalid, "exec: width and height must be between 0 and 65535")
            }
            size = (rows, columns)
        }
        let process = ManagedProcess(execID: execID)
        let pidFile = statePath("exec.pid")
        try? FileSystem.remove(pidFile)
        var command = ["exec", "--process", processFile, "--pid-file", pidFile, "--detach"]
        let io = try prepareStdio(for: process, stdin: wantsStdin, tty: tty)
        if let console = io.consolePath { command += ["--console-socket", console] }
        command.append(options.id)
        do {
            defer { io.closeChildEnds() }
            try runtime.run(command, stdio: io.childStdio)
            try io.finishConsole(for: process, size: size, shim: self)
            process.pid = try readPID(pidFile)
        } catch {
            discard(process)
            throw error
        }
        if !wantsStdin, let stdin = process.stdin {
            // A terminal always comes with a writer; without -i nothing may reach it.
            closeStdin(stdin, of: process)
        }
        process.status = .running
        process.startedAt = Timestamp.now()
        execs[execID] = process
        respond(connection, ok([("pid", String(process.pid))]))
        if try request.bool("attach") {
            // Subscribed before the loop reads any of its output: nothing the process writes is missed.
            try subscribe(connection, to: process, stdout: request.bool("stdout", default: true),
                          stderr: request.bool("stderr", default: true), stdin: wantsStdin)
        }
        claimEarlyExit(of: process)
    }

    /// Releases the fds of a process whose creation failed.
    private func discard(_ process: ManagedProcess) {
        for channel in process.outputs {
            loop.unregister(channel.fd)
            channel.fd.close()
        }
        process.outputs = []
        if let stdin = process.stdin { closeStdin(stdin, of: process) }
    }

    private func delete(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        let force = try request.bool("force")
        if initProcess.status == .running && !force {
            throw ShimError(.running, "container \(options.id) is running: kill it first or delete with force=true")
        }
        try runtime.run(force ? ["delete", "--force", options.id] : ["delete", options.id])
        if initProcess.exit == nil {
            // delete killed a created or running init; record its end before going away.
            if let status = try? ChildProcess.wait(initProcess.pid) {
                processExited(initProcess, status: status, time: Timestamp.now())
            }
        }
        note("deleted")
        var m = ok()
        if let exit = initProcess.exit {
            m.set("exit-code", String(exit.exitCode))
            m.set("exit-time", exit.time.rfc3339Nano)
        }
        respond(connection, m)
        terminate(code: 0)
    }

    private func shutdown(_ request: ShimMessage, _ connection: Connection) throws(ShimError) {
        if initProcess.status == .running || initProcess.status == .created && initProcess.exit == nil {
            throw ShimError(.running, "container \(options.id) still exists in the runtime: delete it instead")
        }
        respond(connection, ok())
        terminate(code: 0)
    }
}
