#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwdockOS
import SwdockRuntime

// A hook or a console peer that goes away must not kill the runtime with SIGPIPE; the
// container init resets every disposition before it execs.
signal(SIGPIPE, SIG_IGN)
do {
    let (global, rest) = try GlobalOptions.parse(Array(CommandLine.arguments.dropFirst()))
    GlobalOptions.current = global
    RuntimeLog.shared = RuntimeLog(path: global.log, format: global.logFormat, debug: global.debug)
    if global.systemdCgroup {
        throw RuntimeError.notSupported("--systemd-cgroup (the systemd cgroup driver; use cgroupfs paths)")
    }
    // Commands that start a process in a container run from the read-only copy of the binary.
    if let command = rest.first, ["create", "run", "exec"].contains(command) {
        try ProtectedExe.reexecIfNeeded()
    }
    if let command = HotCommand.parse(rest) {
        exit(command.execute(global.runtime))
    }
    SwdockRuntimeCommand.main(rest)
} catch let error as RuntimeError {
    RuntimeLog.shared.fatal(error.message)
    exit(1)
}
