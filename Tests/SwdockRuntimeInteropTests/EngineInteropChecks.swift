import Foundation
import SwdockTestSupport
import XCTest

/// Engines driving a runtime given by path: a private dockerd (`--add-runtime swdock=PATH`),
/// a private containerd (`ctr run --runc-binary PATH`) and podman (`--runtime PATH`).
///
/// The runtime is called through a recorder script that logs each argv and execs it, so each
/// check also proves the engine really called the runtime under test (create, start, exec,
/// pause, delete …), not its default runc. `RuncStandInEngineInteropTests` proves the harness
/// with runc as the "custom" runtime; `SwdockRuntimeEngineInteropTests` runs swdock-runtime.
struct EngineInteropChecks {
    let runtime: String
    let name: String

    static let dockerImage = "swdock-busybox:latest"
    static let containerdImage = "docker.io/library/swdock-busybox:latest"
    static let podmanImage = "localhost/swdock-busybox:latest"

    /// Skips (fails under SWDOCK_TEST_STRICT=1) when a peer program is not installed.
    func requirePrograms(_ names: [String], package: String) throws {
        for name in names where PeerRuntimes.find(name) == nil {
            try TestEnvironment.missing("\(name) is not installed (apt-get install \(package))")
        }
    }

    /// A temp directory with the recorder script, removed at the end of `body`.
    func withRecorder(_ body: (_ recorder: String, _ calls: CallLog, _ dir: URL) throws -> Void) throws {
        try TestEnvironment.requireRoot()
        let dir = URL(fileURLWithPath: "/tmp/swdock-rec-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        defer { HostCleanup.removeTree(dir) }
        let log = dir.appendingPathComponent("calls.log")
        let recorder = dir.appendingPathComponent("runtime")
        try """
            #!/bin/sh
            printf '%s\\n' "$*" >> '\(log.path)'
            exec '\(runtime)' "$@"

            """.write(to: recorder, atomically: false, encoding: .utf8)
        chmod(recorder.path, 0o755)
        try body(recorder.path, CallLog(file: log), dir)
    }

    /// The runtime subcommands in `calls`, in order (the first word after the global flags).
    static func subcommands(_ calls: [String]) -> [String] {
        let known: Set<String> = ["create", "start", "state", "kill", "delete", "run", "exec", "pause", "resume",
                                  "ps", "update", "features", "list", "--version", "events", "checkpoint"]
        return calls.compactMap { line in line.split(separator: " ").map(String.init).first(where: known.contains) }
    }

    func assertCalled(_ calls: [String], _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        let seen = Self.subcommands(calls)
        for command in expected {
            XCTAssertTrue(seen.contains(command), "\(name): the engine never called `\(command)` on the runtime; calls:\n\(calls.joined(separator: "\n"))",
                          file: file, line: line)
        }
    }

    /// The argv lines the recorder script logged, one per runtime call.
    struct CallLog {
        let file: URL
        func read() -> [String] {
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    // MARK: - dockerd

    private func withDocker(_ body: (PrivateDockerd, CallLog) throws -> Void) throws {
        try requirePrograms(["dockerd", "containerd", "ctr", "curl"], package: "docker.io containerd curl")
        try withRecorder { recorder, calls, dir in
            let dockerd = try PrivateDockerd(runtimes: ["swdock": recorder])
            defer { dockerd.stop() }
            let tar = dir.appendingPathComponent("rootfs.tar")
            try BusyboxImage.writeRootfsTar(to: tar)
            let imported = try dockerd.docker(["import", tar.path, Self.dockerImage])
            XCTAssertEqual(imported.status, 0, "docker import: \(imported.stderr)")
            try body(dockerd, calls)
        }
    }

    func dockerRunRemove() throws {
        try withDocker { dockerd, calls in
            let ok = try dockerd.docker(["run", "--rm", "--runtime", "swdock", "--network", "none", Self.dockerImage, "echo", "ok"])
            XCTAssertEqual(ok.status, 0, "\(name): docker run: \(ok.stderr)\ndockerd log:\n\(dockerd.log.suffix(2000))")
            XCTAssertEqual(ok.stdout, "ok\n", "\(name): docker run stdout; stderr: \(ok.stderr)")
            let code = try dockerd.docker(["run", "--rm", "--runtime", "swdock", "--network", "none", Self.dockerImage,
                                           "sh", "-c", "echo to-stderr >&2; exit 3"])
            XCTAssertEqual(code.status, 3, "\(name): the container's exit code must reach `docker run`")
            XCTAssertTrue(code.stderr.contains("to-stderr"), "\(name): stderr: \(code.stderr)")
            assertCalled(calls.read(), ["create", "start", "delete"])
            let left = try dockerd.docker(["ps", "-aq"])
            XCTAssertEqual(left.stdout, "", "\(name): --rm must leave no container")
        }
    }

    func dockerRunInteractiveTerminal() throws {
        try withDocker { dockerd, calls in
            let pty = TestEnvironment.packageRoot.appendingPathComponent("Tests/Harness/peers/pty-run.py").path
            // The CLI sends its terminal size after the start (a resize through the shim), so wait for it, bounded.
            let script = "tty; test -t 0 && echo stdin-is-a-tty; " +
                "for i in $(seq 100); do s=$(stty size 2>/dev/null); [ -n \"$s\" ] && [ \"$s\" != '0 0' ] && break; sleep 0.05; done; " +
                "echo \"size $s\"; echo READY; read line; echo got-$line; exit 7"
            let argv = ["--timeout", "60", "--send-after", "READY", "hello\r", "--"] +
                dockerd.dockerCommand(["run", "--rm", "-it", "--runtime", "swdock", "--network", "none",
                                       Self.dockerImage, "sh", "-c", script])
            let result = try runCommand("/usr/bin/python3", [pty] + argv, timeout: 90)
            let out = result.stdout.replacingOccurrences(of: "\r", with: "")
            XCTAssertEqual(result.status, 7, "\(name): docker run -it exit code; output:\n\(out)\nstderr: \(result.stderr)")
            XCTAssertTrue(out.contains("/dev/pts/0\n"), "\(name): the container's stdin must be its pty: \(out)")
            XCTAssertTrue(out.contains("stdin-is-a-tty\n"), "\(name): \(out)")
            XCTAssertTrue(out.contains("size 24 80\n"), "\(name): the terminal size must reach the container: \(out)")
            XCTAssertTrue(out.contains("got-hello\n"), "\(name): typed input must reach the container: \(out)")
            XCTAssertTrue(calls.read().contains { $0.contains(" create ") && $0.contains("--console-socket") },
                          "\(name): docker -it must create with --console-socket; calls:\n\(calls.read().joined(separator: "\n"))")
        }
    }

    func dockerDetachedExecPauseAndRemove() throws {
        try withDocker { dockerd, calls in
            let run = try dockerd.docker(["run", "-d", "--runtime", "swdock", "--network", "none", "--name", "interop",
                                          Self.dockerImage, "sleep", "1000"])
            XCTAssertEqual(run.status, 0, "\(name): docker run -d: \(run.stderr)")
            let exec = try dockerd.docker(["exec", "interop", "sh", "-c", "echo exec-ok; cat /proc/1/cmdline | tr '\\0' ' '; echo"])
            XCTAssertEqual(exec.stdout, "exec-ok\nsleep 1000 \n", "\(name): docker exec; stderr: \(exec.stderr)")
            let user = try dockerd.docker(["exec", "-u", "1000:1000", "interop", "id"])
            XCTAssertEqual(user.stdout, "uid=1000 gid=1000 groups=1000\n", "\(name): docker exec -u; stderr: \(user.stderr)")
            let failing = try dockerd.docker(["exec", "interop", "sh", "-c", "exit 5"])
            XCTAssertEqual(failing.status, 5, "\(name): docker exec exit code")
            let top = try dockerd.docker(["top", "interop"])
            XCTAssertTrue(top.stdout.contains("sleep 1000"), "\(name): docker top: \(top.stdout) \(top.stderr)")
            XCTAssertEqual(try dockerd.docker(["pause", "interop"]).status, 0, "\(name): docker pause")
            let paused = try dockerd.docker(["inspect", "-f", "{{.State.Status}}", "interop"])
            XCTAssertEqual(paused.stdout, "paused\n", "\(name): state after pause")
            XCTAssertEqual(try dockerd.docker(["unpause", "interop"]).status, 0, "\(name): docker unpause")
            let rm = try dockerd.docker(["rm", "-f", "interop"])
            XCTAssertEqual(rm.status, 0, "\(name): docker rm -f: \(rm.stderr)")
            assertCalled(calls.read(), ["create", "start", "exec", "pause", "resume", "kill", "delete"])
        }
    }

    // MARK: - containerd

    func ctrRun() throws {
        try requirePrograms(["containerd", "ctr"], package: "containerd")
        try withRecorder { recorder, calls, dir in
            let containerd = try PrivateContainerd()
            defer {
                containerd.removeAllContainers(namespace: "swdock-interop")
                containerd.stop()
            }
            let archive = dir.appendingPathComponent("busybox-oci.tar")
            try BusyboxImage.writeOCIArchive(to: archive, name: Self.containerdImage)
            let imported = try containerd.ctr(["image", "import", archive.path])
            XCTAssertEqual(imported.status, 0, "ctr image import: \(imported.stdout) \(imported.stderr)")
            let id = "interop-\(UUID().uuidString.prefix(8).lowercased())"
            let run = try containerd.ctr(["run", "--rm", "--runc-binary", recorder,
                                          "--runc-root", dir.appendingPathComponent("runc-root").path,
                                          "--cgroup", "\(containerd.cgroupParent)/\(id)",
                                          Self.containerdImage, id, "sh", "-c", "echo ok; echo $$"])
            XCTAssertEqual(run.status, 0, "\(name): ctr run: \(run.stderr)\ncontainerd log:\n\(containerd.log.suffix(2000))")
            XCTAssertEqual(run.stdout, "ok\n1\n", "\(name): ctr run stdout; stderr: \(run.stderr)")
            let failing = try containerd.ctr(["run", "--rm", "--runc-binary", recorder,
                                              "--runc-root", dir.appendingPathComponent("runc-root").path,
                                              "--cgroup", "\(containerd.cgroupParent)/\(id)-x",
                                              Self.containerdImage, id + "-x", "sh", "-c", "exit 4"])
            XCTAssertEqual(failing.status, 4, "\(name): ctr run exit code; stderr: \(failing.stderr)")
            assertCalled(calls.read(), ["create", "start", "delete"])
            let left = try containerd.ctr(["container", "list", "--quiet"])
            XCTAssertEqual(left.stdout, "", "\(name): ctr run --rm must leave no container")
        }
    }

    // MARK: - podman

    private func withPodman(_ body: (PrivatePodman, CallLog) throws -> Void) throws {
        try requirePrograms(["podman", "conmon"], package: "podman conmon")
        try withRecorder { recorder, calls, dir in
            let podman = try PrivatePodman(runtime: recorder)
            defer { podman.stop() }
            let tar = dir.appendingPathComponent("rootfs.tar")
            try BusyboxImage.writeRootfsTar(to: tar)
            let imported = try podman.podman(["import", tar.path, Self.podmanImage])
            XCTAssertEqual(imported.status, 0, "podman import: \(imported.stderr)")
            try body(podman, calls)
        }
    }

    func podmanRunRemove() throws {
        try withPodman { podman, calls in
            let ok = try podman.podman(["run", "--rm"] + podman.runFlags + [Self.podmanImage, "echo", "ok"])
            XCTAssertEqual(ok.status, 0, "\(name): podman run: \(ok.stderr)")
            XCTAssertEqual(ok.stdout, "ok\n", "\(name): podman run stdout; stderr: \(ok.stderr)")
            let code = try podman.podman(["run", "--rm"] + podman.runFlags + [Self.podmanImage, "sh", "-c", "exit 6"])
            XCTAssertEqual(code.status, 6, "\(name): podman run exit code; stderr: \(code.stderr)")
            assertCalled(calls.read(), ["create", "start", "delete"])
        }
    }

    func podmanDetachedExec() throws {
        try withPodman { podman, calls in
            let run = try podman.podman(["run", "-d", "--name", "interop"] + podman.runFlags +
                                        [Self.podmanImage, "sleep", "1000"])
            XCTAssertEqual(run.status, 0, "\(name): podman run -d: \(run.stderr)")
            let exec = try podman.podman(["exec", "interop", "sh", "-c", "echo exec-ok; cat /proc/1/cmdline | tr '\\0' ' '; echo"])
            XCTAssertEqual(exec.stdout, "exec-ok\nsleep 1000 \n", "\(name): podman exec; stderr: \(exec.stderr)")
            let rm = try podman.podman(["rm", "-f", "-t", "0", "interop"])
            XCTAssertEqual(rm.status, 0, "\(name): podman rm -f: \(rm.stderr)")
            assertCalled(calls.read(), ["create", "start", "exec", "kill", "delete"])
        }
    }
}
