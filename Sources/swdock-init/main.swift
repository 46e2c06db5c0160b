// swdock-init: the process `--init` puts at PID 1 of a container (Docker's docker-init/tini
// role). It starts the command, forwards every signal it receives to it, reaps every child that
// exits (orphans re-parented to PID 1 included, so no zombie accumulates), and exits with the
// command's status: its exit code, or 128 + the signal that killed it, as a shell reports it.
//
// Usage: swdock-init [--] COMMAND [ARG…]
#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

func fail(_ message: String, code: Int32) -> Never {
    let text = "swdock-init: \(message)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(code)
}

let usage = "usage: swdock-init [--] COMMAND [ARG...]"
var arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "--version":
    print("swdock-init version \(SwdockVersion.version)")
    exit(0)
case "--help", "-h":
    print("""
        \(usage)

        PID 1 of a container started with --init: runs COMMAND, forwards signals to it, reaps
        every exited child, and exits with COMMAND's status (128 + signal when it was killed).
        """)
    exit(0)
case "--":
    arguments.removeFirst()
default:
    break
}
guard !arguments.isEmpty else { fail(usage, code: 2) }

// Every signal is taken synchronously with sigwaitinfo; the command gets a clean mask and
// default dispositions.
var all = sigset_t()
sigfillset(&all)
var previous = sigset_t()
sigprocmask(SIG_SETMASK, &all, &previous)

var attributes = posix_spawnattr_t()
posix_spawnattr_init(&attributes)
var defaults = sigset_t()
sigfillset(&defaults)
posix_spawnattr_setsigdefault(&attributes, &defaults)
posix_spawnattr_setsigmask(&attributes, &previous)
posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

var child: pid_t = 0
let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
let spawned = posix_spawnp(&child, arguments[0], nil, &attributes, argv, environ)
if spawned != 0 {
    // Docker's codes: 127 for a command that is not there, 126 for one that cannot run.
    fail("exec \(arguments[0]): \(String(cString: strerror(spawned)))", code: spawned == ENOENT ? 127 : 126)
}

while true {
    var info = siginfo_t()
    let number = sigwaitinfo(&all, &info)
    if number < 0 { continue }
    if number == SIGCHLD {
        var status: Int32 = 0
        while true {
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped <= 0 { break }
            guard reaped == child else { continue }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (Swift does not import the macros).
            let signal = status & 0x7f
            exit(signal == 0 ? (status >> 8) & 0xff : 128 + signal)
        }
    } else {
        kill(child, number)
    }
}
