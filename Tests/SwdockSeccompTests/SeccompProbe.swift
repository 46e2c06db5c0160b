import Foundation
import SwdockSeccomp
import SwdockTestSupport
import XCTest

/// A small C program, compiled with `cc` at test time, that loads a BPF program from a file
/// with prctl(PR_SET_NO_NEW_PRIVS) + seccomp(SECCOMP_SET_MODE_FILTER) in its own process and
/// then either makes probe syscalls (printing `label result errno` per probe) or execs a
/// command. It proves a compiled filter does what the profile says, in a separate process.
enum SeccompProbe {
    static let source = #"""
    #define _GNU_SOURCE
    #include <errno.h>
    #include <fcntl.h>
    #include <linux/filter.h>
    #include <linux/seccomp.h>
    #include <sched.h>
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/mount.h>
    #include <sys/prctl.h>
    #include <sys/socket.h>
    #include <sys/syscall.h>
    #include <sys/wait.h>
    #include <unistd.h>

    static void report(const char *label, long r) {
        printf("%s %ld %d\n", label, r, r == -1 ? errno : 0);
        fflush(stdout);
    }

    static void on_sigsys(int sig) { (void)sig; write(1, "SIGSYS\n", 7); _exit(42); }

    static long number(const char *name) {
        if (!strcmp(name, "getppid")) return SYS_getppid;
        if (!strcmp(name, "getpriority")) return SYS_getpriority;
        if (!strcmp(name, "umask")) return SYS_umask;
        if (!strcmp(name, "unshare")) return SYS_unshare;
        if (!strcmp(name, "keyctl")) return SYS_keyctl;
        if (!strcmp(name, "personality")) return SYS_personality;
        if (!strcmp(name, "getpid")) return SYS_getpid;
        fprintf(stderr, "unknown probe syscall %s\n", name);
        exit(124);
    }

    int main(int argc, char **argv) {
        if (argc < 4) { fprintf(stderr, "usage: probe BPF FLAGS (probe ...|exec PATH ARGS...)\n"); return 124; }
        FILE *f = fopen(argv[1], "rb");
        if (!f) { perror("open filter"); return 124; }
        static unsigned char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        struct sock_fprog prog = { .len = (unsigned short)(n / 8), .filter = (struct sock_filter *)buf };
        unsigned int flags = (unsigned int)strtoul(argv[2], NULL, 0);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl"); return 125; }
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) != 0) { perror("seccomp"); return 125; }

        if (!strcmp(argv[3], "exec")) {
            execv(argv[4], argv + 4);
            perror("execv");
            return 126;
        }
        for (int i = 4; i < argc; i++) {
            const char *p = argv[i];
            if (!strcmp(p, "trap-handler")) {
                signal(SIGSYS, on_sigsys);
            } else if (!strcmp(p, "mount")) {
                /* ENOENT when allowed: the target does not exist, so nothing is ever mounted. */
                report(p, mount("none", "/nonexistent-swdock-probe", "tmpfs", 0, NULL));
            } else if (!strcmp(p, "clone-newns")) {
                long r = syscall(SYS_clone, (long)(CLONE_NEWNS | SIGCHLD), 0L, 0L, 0L, 0L);
                if (r == 0) _exit(0);
                if (r > 0) waitpid((pid_t)r, NULL, 0);
                report(p, r > 0 ? 0 : r);
            } else if (!strcmp(p, "fork")) {
                pid_t r = fork();
                if (r == 0) _exit(0);
                if (r > 0) waitpid(r, NULL, 0);
                report(p, r > 0 ? 0 : r);
            } else if (!strcmp(p, "clone3")) {
                /* EINVAL when allowed (no clone_args), so no process is made. */
                report(p, syscall(SYS_clone3, NULL, 0));
            } else if (!strncmp(p, "socket:", 7)) {
                long r = socket(atoi(p + 7), SOCK_STREAM, 0);
                if (r >= 0) { close((int)r); r = 0; }
                report(p, r);
            } else {
                /* NAME[:a0[:a1[:a2]]] with numeric arguments. */
                char copy[256];
                snprintf(copy, sizeof copy, "%s", p);
                long a[3] = {0, 0, 0};
                char *save = NULL, *name = strtok_r(copy, ":", &save), *tok;
                for (int k = 0; k < 3 && (tok = strtok_r(NULL, ":", &save)); k++) a[k] = strtol(tok, NULL, 0);
                long r = syscall(number(name), a[0], a[1], a[2]);
                if (!strcmp(name, "getppid") || !strcmp(name, "getpid")) r = r > 0 ? 0 : r;
                report(p, r);
            }
        }
        return 0;
    }
    """#

    /// The outcome of one probe: the syscall's return value (0 for success where a pid or fd
    /// came back) and errno.
    struct Outcome: Equatable, CustomStringConvertible {
        var result: Int
        var errno: Int32
        var description: String { "result \(result) errno \(errno)" }
    }

    struct Run {
        var status: Int32
        var signaled: Bool
        var stdout: String
        var stderr: String
        var outcomes: [String: Outcome]
    }

    /// Compiles the helper once per test into `directory` and returns its path.
    static func build(in directory: URL) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else {
            try TestEnvironment.missing("/usr/bin/cc is needed to build the seccomp probe")
            return ""
        }
        let src = directory.appendingPathComponent("seccomp-probe.c")
        let exe = directory.appendingPathComponent("seccomp-probe")
        try source.write(to: src, atomically: false, encoding: .utf8)
        let result = try runCommand("/usr/bin/cc", ["-O1", "-o", exe.path, src.path])
        XCTAssertEqual(result.status, 0, "cc seccomp-probe.c: \(result.stderr)")
        return exe.path
    }

    /// Loads `program` in a child and runs `probes` there (or `exec` + argv).
    static func run(_ program: SeccompProgram, probes: [String], helper: String, directory: URL) throws -> Run {
        let bpf = directory.appendingPathComponent("filter-\(UUID().uuidString).bpf")
        try Data(program.filter).write(to: bpf)
        defer { try? FileManager.default.removeItem(at: bpf) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        let mode = probes.first == "exec" ? [] : ["probe"]
        process.arguments = [bpf.path, String(program.filterFlags)] + mode + probes
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stdout = String(decoding: outData, as: UTF8.self)
        var outcomes: [String: Outcome] = [:]
        for line in stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, let r = Int(fields[1]), let e = Int32(fields[2]) {
                outcomes[String(fields[0])] = Outcome(result: r, errno: e)
            }
        }
        return Run(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                   stdout: stdout, stderr: String(decoding: errData, as: UTF8.self), outcomes: outcomes)
    }

    static func allowed() -> Outcome { Outcome(result: 0, errno: 0) }
    static func denied(_ errno: Int32) -> Outcome { Outcome(result: -1, errno: errno) }
}
