// swdock-shim: one per container. No Foundation here (see DESIGN.md): argv is parsed by hand.
#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
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

let parsed: ShimOptions
do { parsed = try ShimOptions.parse(arguments) } catch { fail("\(error)", code: 2) }
let launcherReady = FileDescriptor(rawValue: parsed.readyFD ?? 1)

// Nothing we inherited (the daemon's sockets, its other pipes) may reach the runtime or the container.
do { try FileDescriptor.markCloseOnExec(from: 3) } catch { fail("\(error)", code: 1) }

/// Detach: a child in a new session, whose parent (this process) exits at once, so it is
/// re-parented away from the daemon and no signal to the daemon's group or session reaches it.
/// The child reports on the ready fd itself (moved above stdio) and goes on with what is
/// returned. A fork rather than a second exec of this binary (an exec costs about 1 ms here,
/// much of it glibc's start-up cpuid calls, each a VM exit): no other thread runs yet, so the
/// child may go on as the shim.
func detach(_ options: ShimOptions, ready: FileDescriptor) -> (ShimOptions, FileDescriptor) {
    let devNull: FileDescriptor
    let movedReady: FileDescriptor
    do {
        devNull = try FileDescriptor.open("/dev/null", O_RDWR)
        movedReady = ready.rawValue > 2 ? ready : try ready.duplicated()
    } catch {
        Shim.reportFailure(to: ready, ShimError("detach the shim", error))
        exit(1)
    }
    switch fork() {
    case -1:
        Shim.reportFailure(to: ready, ShimError("detach the shim", OSError(call: "fork", errno: errno)))
        exit(1)
    case 0:
        _ = setsid()
        for fd in Int32(0)...2 { try? devNull.duplicate(onto: fd, closeOnExec: false) }
        // What the daemon left open (close-on-exec, but there is no exec now) must not be held
        // for the container's lifetime: a pipe's reader would never see its end.
        let keep = UInt32(movedReady.rawValue)
        if keep > 3 { _ = swdock_close_range(3, keep - 1) }
        _ = swdock_close_range(keep + 1, ~0)
        var detached = options
        detached.detached = true
        detached.readyFD = movedReady.rawValue
        return (detached, movedReady)
    default:
        exit(0)
    }
}
let (options, ready) = parsed.foreground || parsed.detached ? (parsed, launcherReady) : detach(parsed, ready: launcherReady)

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
