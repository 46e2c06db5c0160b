import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// The two container-escape classes of issue 3's "Safety", attacked from inside a container.
///
/// CVE-2019-5736: a container process reaches the runtime binary through /proc/PID/exe of a
/// runtime process that entered the container, and writes to it, at once or (the published
/// exploit) through an fd kept open until the runtime has exited and the binary is no longer
/// busy. CVE-2024-21626: a host fd or the host cwd of the runtime left to the container process.
final class RuntimeBinaryProtectionTests: XCTestCase {
    /// The attacker: waits for a process that is not busybox (the runtime entering the container
    /// for `exec`), keeps an fd on its /proc/PID/exe, writes through the link, kills the process,
    /// and writes through the kept fd once the process is gone. Each step's outcome goes to
    /// /out/result (a bind mount of a host directory).
    private static let attacker = """
        exec 2>>/out/log
        i=0
        while [ $i -lt 1500 ]; do
          for p in /proc/[0-9]*; do
            exe=$(readlink $p/exe) || continue
            case "$exe" in /bin/busybox|"") continue;; esac
            pid=${p#/proc/}
            echo "found $exe" >> /out/log
            if exec 3< $p/exe; then echo "open for reading: ok"; else echo "open for reading: refused"; fi >> /out/log
            if echo pwned > $p/exe; then echo "write through /proc/PID/exe: WRITTEN"; else echo "write through /proc/PID/exe: refused"; fi >> /out/result
            kill -KILL $pid
            while [ -e $p/exe ]; do sleep 0.05; done
            if echo pwned > /proc/self/fd/3; then echo "write after exit: WRITTEN"; else echo "write after exit: refused"; fi >> /out/result
            echo done >> /out/result
            exit 0
          done
          i=$((i+1))
          sleep 0.01
        done
        echo "no runtime process seen" >> /out/result
        """

    func testContainerCannotOverwriteTheRuntimeBinaryThroughProcExe() throws {
        let bundle = try RuntimeBundle(self)
        let out = bundle.directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        bundle.spec.mounts?.append(.init(destination: "/out", type: "bind", source: out.path, options: ["rbind", "rw"]))
        bundle.spec.process?.args = ["sh", "-c", Self.attacker]
        let before = try Self.runtimeBinaryDigests()
        XCTAssertFalse(before.isEmpty)

        let id = bundle.newID()
        let started = try bundle.runtimeDetached(["run", "--detach", id])
        XCTAssertEqual(started.status, 0, started.stderr)

        // The runtime enters the container for `exec`, and `/proc/self/exe` there is the runtime
        // binary itself: it runs `update -r -`, which waits on its stdin, so the attacker has
        // all the time it needs to find it.
        var stdin: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&stdin), 0)  // both ends become close-on-exec in SpawnedProcess
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        var stdinWriter = stdin[1]
        defer { close(devNull); if stdinWriter >= 0 { close(stdinWriter) } }
        let exec = try SpawnedProcess("/usr/bin/env",
                                      ["-C", bundle.directory.path, RuntimeBundle.runtime, "--root", bundle.root,
                                       "exec", id, "/proc/self/exe", "update", "-r", "-", "whatever"],
                                      stdin: stdin[0], stdout: devNull, stderr: devNull)
        close(stdin[0])
        let resultFile = out.appendingPathComponent("result")
        var result = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            result = (try? String(contentsOf: resultFile, encoding: .utf8)) ?? ""
            if result.contains("done") || result.contains("no runtime process seen") { break }
            usleep(20_000)
        }
        close(stdinWriter)
        stdinWriter = -1
        if exec.wait(timeout: 20) == nil { exec.signal(SIGKILL); _ = exec.wait(timeout: 5) }
        let log = (try? String(contentsOf: out.appendingPathComponent("log"), encoding: .utf8)) ?? ""

        XCTAssertEqual(result, "write through /proc/PID/exe: refused\nwrite after exit: refused\ndone\n", "container log:\n\(log)")
        // The attack really had the binary in hand (a kept fd), and the shell's own messages
        // name why each write failed.
        XCTAssertTrue(log.contains("open for reading: ok"), "container log:\n\(log)")
        XCTAssertTrue(log.contains("Read-only file system") || log.contains("Text file busy") || log.contains("Permission denied"),
                      "container log:\n\(log)")
        XCTAssertEqual(try Self.runtimeBinaryDigests(), before, "a runtime binary on the host changed")
    }

    /// No host fd (one the runtime inherits without CLOEXEC) and no host cwd reaches the process
    /// of `run` or of `exec`.
    func testNeitherRunNorExecLeaksAHostFdOrTheHostCwd() throws {
        let bundle = try RuntimeBundle(self)
        let probe = ["sh", "-c", "ls /proc/$$/fd; readlink /proc/$$/cwd"]
        bundle.spec.process?.args = probe
        let runID = bundle.newID()
        let ran = try Self.withInheritedHostFd(bundle, ["run", runID])
        XCTAssertEqual(ran.status, 0, ran.stderr)
        XCTAssertEqual(ran.stdout, "0\n1\n2\n/\n", ran.stderr)

        bundle.spec.process?.args = ["sleep", "60"]
        let id = bundle.newID()
        let started = try bundle.runtimeDetached(["run", "--detach", id])
        XCTAssertEqual(started.status, 0, started.stderr)
        let executed = try Self.withInheritedHostFd(bundle, ["exec", id] + probe)
        XCTAssertEqual(executed.status, 0, executed.stderr)
        XCTAssertEqual(executed.stdout, "0\n1\n2\n/\n", executed.stderr)
    }

    /// Runs the runtime with fd 7 open on a host file without CLOEXEC and the bundle (a host
    /// directory) as its cwd.
    private static func withInheritedHostFd(_ bundle: RuntimeBundle, _ args: [String]) throws -> CommandResult {
        try bundle.writeSpec()
        return try runCommand("/bin/sh", ["-c", "exec 7</etc/hostname; cd \"$1\"; shift; exec \"$@\"", "sh",
                                          bundle.directory.path, RuntimeBundle.runtime, "--root", bundle.root] + args,
                              timeout: 60)
    }

    /// sha256 of the runtime binary under test and of every read-only copy of it the runtime made.
    private static func runtimeBinaryDigests() throws -> [String: String] {
        var paths = [URL(fileURLWithPath: RuntimeBundle.runtime).resolvingSymlinksInPath().path]
        let copies = "/var/lib/swdock-runtime/exe"
        for key in (try? FileManager.default.contentsOfDirectory(atPath: copies)) ?? [] {
            let path = "\(copies)/\(key)/swdock-runtime"
            if FileManager.default.fileExists(atPath: path) { paths.append(path) }
        }
        var digests: [String: String] = [:]
        for path in paths {
            digests[path] = Digest.sha256(of: try Data(contentsOf: URL(fileURLWithPath: path))).description
        }
        return digests
    }
}
