// swdock-shim: one per container. No Foundation here (see DESIGN.md): argv is parsed by hand.
#if canImport(Glibc)
import Glibc
#endif
import SwdockOS
import SwdockShimCore

func fail(_ message: String, code: Int32) -> Never {
    try? FileDescriptor.standardError.writeAll("swdock-shim: \(message)\n")
    exit(code)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--version") || arguments.contains("-v") {
    try? FileDescriptor.standardOutput.writeAll("swdock-shim version \(SwdockVersion.version), shim protocol \(ShimProtocol.version)\n")
    exit(0)
}
if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
    try? FileDescriptor.standardOutput.writeAll(ShimOptions.usage)
    exit(arguments.isEmpty ? 1 : 0)
}

let options: ShimOptions
do { options = try ShimOptions.parse(arguments) } catch { fail("\(error)", code: 2) }
let ready = FileDescriptor(rawValue: options.readyFD ?? 1)

// Nothing we inherited (the daemon's sockets, its other pipes) may reach the runtime or the container.
do { try FileDescriptor.markCloseOnExec(from: 3) } catch { fail("\(error)", code: 1) }

if !options.foreground && !options.detached {
    // Detach: a copy of us in a new session, whose parent (this process) exits at once, so it is
    // re-parented away from the daemon and no signal to the daemon's group or session reaches it.
    // The copy reports on the ready fd itself.
    var detached = options
    detached.detached = true
    detached.readyFD = 3
    do {
        let executable = try FileSystem.resolveSymlink("/proc/self/exe")
        let devNull = try FileDescriptor.open("/dev/null", O_RDWR)
        _ = try ChildProcess.spawn(executable, arguments: ["swdock-shim"] + detached.arguments,
                                   environment: ChildProcess.currentEnvironment(),
                                   stdio: [devNull, devNull, devNull, ready], newSession: true)
    } catch {
        Shim.reportFailure(to: ready, ShimError("detach the shim", error))
        exit(1)
    }
    exit(0)
}

if options.detached {
    // Our own diagnostics go to the state directory; stdio stays off the daemon's terminal.
    do {
        try FileSystem.makeDirectories(options.stateDirectory, mode: 0o711)
        let log = try FileDescriptor.open("\(options.stateDirectory)/\(ShimProtocol.StateFile.shimLog)",
                                          O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
        try log.duplicate(onto: 2, closeOnExec: false)
        log.close()
    } catch {
        Shim.reportFailure(to: ready, ShimError("open the shim log", error))
        exit(1)
    }
}
// Hold no directory busy (the bundle's mounts may be unmounted while we run).
_ = chdir("/")

let shim: Shim
let initPID: Int32
do {
    shim = try Shim(options: options)
    initPID = try shim.setUp()
} catch {
    try? FileDescriptor.standardError.writeAll("swdock-shim \(options.id): \(error)\n")
    Shim.reportFailure(to: ready, error)
    exit(1)
}
shim.reportReady(to: ready, initPID: initPID)
exit(shim.run())
