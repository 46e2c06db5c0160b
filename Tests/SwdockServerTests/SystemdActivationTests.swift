import Foundation
import SwdockAPI
import SwdockOS
import SwdockTestSupport
import XCTest

/// swdockd under `systemd-socket-activate` (Debian's systemd package), and the sd_listen_fds
/// reading in-process.
final class SystemdActivationTests: XCTestCase {
    private let activate = "/usr/bin/systemd-socket-activate"

    private func makeDirectory() throws -> URL {
        // Short: a Unix socket address holds at most 107 bytes.
        let directory = URL(fileURLWithPath: "/tmp/swdock-sd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { HostCleanup.removeTree(directory) }
        return directory
    }

    private func executablePath(of pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    private func waitFor(_ what: String, timeout: TimeInterval = 30, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            usleep(20_000)
        }
        throw PrivateDaemonError("timed out waiting for \(what)")
    }

    /// Starts `systemd-socket-activate <listen> swdockd <hosts> …` in `directory`.
    private func startActivator(_ directory: URL, listen: [String], fdNames: String? = nil, hosts: [String]) throws -> DaemonProcess {
        guard FileManager.default.isExecutableFile(atPath: activate) else {
            try TestEnvironment.missing("\(activate) (apt-get install systemd)")
            throw PrivateDaemonError("\(activate) missing")
        }
        let config = directory.appendingPathComponent("daemon.json")
        // Networking off: a test daemon must not set up (and leave) the host's swdock0.
        try #"{"bridge": "none"}"#.write(to: config, atomically: false, encoding: .utf8)
        var arguments = listen.flatMap { ["-l", $0] }
        if let fdNames { arguments.append("--fdname=\(fdNames)") }
        arguments += [TestEnvironment.executable("swdockd")] + hosts.flatMap { ["-H", $0] }
        arguments += ["--data-root", directory.appendingPathComponent("root").path,
                      "--exec-root", directory.appendingPathComponent("exec").path,
                      "--pidfile", directory.appendingPathComponent("swdockd.pid").path,
                      "--config-file", config.path]
        let process = try DaemonProcess(name: "systemd-socket-activate swdockd", executable: activate, arguments: arguments,
                                        logFile: directory.appendingPathComponent("log"))
        addTeardownBlock { process.stop() }
        return process
    }

    func testSocketActivatedDaemonStartsOnFirstConnectionAndKeepsServing() throws {
        try TestEnvironment.requireRoot()
        let directory = try makeDirectory()
        let socket = directory.appendingPathComponent("api.sock").path
        let pidFile = directory.appendingPathComponent("swdockd.pid").path
        let activator = try startActivator(directory, listen: [socket], hosts: ["fd://"])
        try activator.waitUntilReady(timeout: 30) { FileManager.default.fileExists(atPath: socket) }

        // Listening, but no daemon yet: the process is still the activator and no PID file exists.
        XCTAssertEqual(executablePath(of: activator.pid), activate)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile))

        let swdock = TestEnvironment.executable("swdock")
        let first = try runCommand(swdock, ["-H", "unix://" + socket, "version", "--format", "{{.Server.APIVersion}}"])
        XCTAssertEqual(first.status, 0, "\(first.stderr)\n\(activator.log)")
        XCTAssertEqual(first.stdout, "1.41\n")
        // systemd-socket-activate execs the daemon in its own process on the first connection.
        XCTAssertEqual(executablePath(of: activator.pid), TestEnvironment.executable("swdockd"))
        let daemonPID = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(daemonPID, "\(activator.pid)")

        let second = try runCommand(swdock, ["-H", "unix://" + socket, "version", "--format", "{{.Server.Version}}"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stdout, "\(SwdockVersion.version)\n")
        XCTAssertEqual(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                       "\(activator.pid)", "the second connection is served by the same daemon")
        XCTAssertTrue(activator.log.contains("API listening on fd://"), activator.log)

        // swdock info says how the daemon was started.
        let start = try daemonStart(socket)
        XCTAssertTrue(start.SocketActivated, "\(start)")
        XCTAssertEqual(start.Listeners.count, 1, "\(start)")
        XCTAssertTrue(start.Listeners.first?.hasPrefix("fd://") ?? false, "\(start)")
        XCTAssertTrue(start.Listeners.first?.hasSuffix(" (fd 3, from systemd)") ?? false, "\(start)")
        XCTAssertFalse(start.ServiceManagerNotify, "systemd-socket-activate sets no NOTIFY_SOCKET")
        let info = try runCommand(swdock, ["-H", "unix://" + socket, "info"])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains(" Socket Activated: true\n API Sockets:\n  fd://"), info.stdout)

        activator.stop()
        XCTAssertFalse(activator.isRunning)
        XCTAssertTrue(activator.log.contains("swdockd stopped"), activator.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket), "the socket file belongs to the activator, not swdockd")
    }

    /// LISTEN_* are the daemon's alone: swdockd unsets them before it starts anything, so neither
    /// a container's shim nor its process sees them.
    func testContainersOfASocketActivatedDaemonSeeNoListenVariables() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let directory = try makeDirectory()
        let socket = directory.appendingPathComponent("api.sock").path
        let activator = try startActivator(directory, listen: [socket], hosts: ["fd://"])
        try activator.waitUntilReady(timeout: 30) { FileManager.default.fileExists(atPath: socket) }
        let swdock = TestEnvironment.executable("swdock")
        let image = "\(registry)/swdock-fixtures/busybox:latest"
        let pull = try runCommand(swdock, ["-H", "unix://" + socket, "pull", "-q", image], timeout: 120)
        XCTAssertEqual(pull.status, 0, pull.stderr + activator.log)
        let run = try runCommand(swdock, ["-H", "unix://" + socket, "run", "-d", "--name", "sd1", image, "sleep", "300"], timeout: 60)
        XCTAssertEqual(run.status, 0, run.stderr + activator.log)
        defer { _ = try? runCommand(swdock, ["-H", "unix://" + socket, "rm", "-f", "sd1"], timeout: 60) }
        let env = try runCommand(swdock, ["-H", "unix://" + socket, "exec", "sd1", "env"], timeout: 60)
        XCTAssertEqual(env.status, 0, env.stderr)
        XCTAssertTrue(env.stdout.contains("PATH="), env.stdout)
        XCTAssertFalse(env.stdout.contains("LISTEN_"), env.stdout)
        let pid = try runCommand(swdock, ["-H", "unix://" + socket, "inspect", "-f", "{{.State.Pid}}", "sd1"], timeout: 30)
        let containerPID = try XCTUnwrap(Int32(pid.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The container's parent is its shim; both environments are free of the variables.
        let stat = try String(contentsOfFile: "/proc/\(containerPID)/stat", encoding: .utf8)
        let parent = try XCTUnwrap(stat.split(separator: ")").last?.split(separator: " ").dropFirst(1).first)
        for process in ["\(containerPID)", String(parent)] {
            let environ = try String(contentsOfFile: "/proc/\(process)/environ", encoding: .utf8)
            XCTAssertFalse(environ.contains("LISTEN_"), "process \(process): \(environ)")
        }
        XCTAssertEqual(try String(contentsOfFile: "/proc/\(parent)/comm", encoding: .utf8), "swdock-shim\n")
    }

    func testNamedActivatedSocketAndUnixSocketTogether() throws {
        try TestEnvironment.requireRoot()
        let directory = try makeDirectory()
        let api = directory.appendingPathComponent("api.sock").path
        let other = directory.appendingPathComponent("other.sock").path
        let own = directory.appendingPathComponent("own.sock").path
        let activator = try startActivator(directory, listen: [other, api], fdNames: "other:api",
                                           hosts: ["fd://api", "unix://" + own])
        try activator.waitUntilReady(timeout: 30) { FileManager.default.fileExists(atPath: api) }

        let swdock = TestEnvironment.executable("swdock")
        let viaName = try runCommand(swdock, ["-H", "unix://" + api, "version", "--format", "{{.Server.APIVersion}}"])
        XCTAssertEqual(viaName.status, 0, "\(viaName.stderr)\n\(activator.log)")
        XCTAssertEqual(viaName.stdout, "1.41\n")
        let viaPath = try runCommand(swdock, ["-H", "unix://" + own, "version", "--format", "{{.Server.APIVersion}}"])
        XCTAssertEqual(viaPath.status, 0, "\(viaPath.stderr)\n\(activator.log)")
        XCTAssertEqual(viaPath.stdout, "1.41\n")
        // Only the socket named "api" (fd 4) is served; "other" (fd 3) is left alone.
        XCTAssertTrue(activator.log.contains("API listening on fd://api (fd 4, from systemd)"), activator.log)
        XCTAssertFalse(activator.log.contains("fd://other"), activator.log)
        let start = try daemonStart(api)
        XCTAssertEqual(start, SystemInfo.DaemonStart(SocketActivated: true, Listeners: ["fd://api (fd 4, from systemd)", "unix://" + own],
                                                      ServiceManagerNotify: false))
        activator.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: own), "swdockd removes the socket it bound itself")
    }

    func testInfoOfADaemonThatBoundItsOwnSocket() throws {
        let daemon = try PrivateDaemon()
        addTeardownBlock { daemon.stop() }
        XCTAssertEqual(try daemonStart(daemon.socketPath),
                       SystemInfo.DaemonStart(SocketActivated: false, Listeners: [daemon.host], ServiceManagerNotify: false))
        let info = try runCommand(TestEnvironment.executable("swdock"), ["-H", daemon.host, "info"])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains(" Socket Activated: false\n API Sockets:\n  \(daemon.host)\n Service Manager Notify: false\n"),
                      info.stdout)
        // And what docker info reports of the engine: versions, storage, cgroups, runtimes, security.
        for line in [" Server Version: \(SwdockVersion.version)\n", " Storage Driver: ", " Cgroup Driver: cgroupfs\n",
                     " Cgroup Version: ", " Runtimes: crun runc swdock-runtime\n", " Default Runtime: swdock-runtime\n",
                     " Security Options:\n  seccomp\n   Profile: default\n"] {
            XCTAssertTrue(info.stdout.contains(line), "no \"\(line)\" in \(info.stdout)")
        }
    }

    /// `/info`'s SwdockDaemonStart as `swdock info --format '{{json .SwdockDaemonStart}}'` prints it.
    private func daemonStart(_ socket: String) throws -> SystemInfo.DaemonStart {
        let result = try runCommand(TestEnvironment.executable("swdock"),
                                    ["-H", "unix://" + socket, "info", "--format", "{{json .SwdockDaemonStart}}"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONDecoder().decode(SystemInfo.DaemonStart.self, from: Data(result.stdout.utf8))
    }

    func testFDHostWithoutActivationIsRefused() throws {
        let daemon = try PrivateDaemon(arguments: ["-H", "fd://"], waitForSocket: false)
        addTeardownBlock { daemon.stop() }
        XCTAssertEqual(daemon.waitForExit(), 1)
        XCTAssertTrue(daemon.log.contains("host fd:// needs sockets from systemd socket activation"), daemon.log)
    }

    // MARK: in-process sd_listen_fds

    private func withActivationEnvironment(pid: String, fds: String, names: String?, _ body: () throws -> Void) rethrows {
        setenv("LISTEN_PID", pid, 1)
        setenv("LISTEN_FDS", fds, 1)
        if let names { setenv("LISTEN_FDNAMES", names, 1) } else { unsetenv("LISTEN_FDNAMES") }
        defer { unsetenv("LISTEN_PID"); unsetenv("LISTEN_FDS"); unsetenv("LISTEN_FDNAMES") }
        try body()
    }

    func testListenFDsTakesSocketsSetsCloexecAndUnsetsEnvironment() throws {
        // fd 3 stands in for systemd's socket; its flag is restored afterwards.
        let original = fcntl(3, F_GETFD)
        var opened: Int32 = -1
        if original < 0 {
            opened = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            XCTAssertEqual(opened, 3, "fd 3 was the lowest free fd")
        }
        defer {
            if opened >= 0 { close(opened) } else { _ = fcntl(3, F_SETFD, original) }
        }
        _ = fcntl(3, F_SETFD, 0)
        try withActivationEnvironment(pid: "\(getpid())", fds: "1", names: "swdock") {
            let sockets = try SystemdActivation.listenFDs(unsetEnvironment: true)
            XCTAssertEqual(sockets, [SystemdActivation.Socket(fileDescriptor: FileDescriptor(rawValue: 3), name: "swdock")])
            XCTAssertEqual(fcntl(3, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC)
            XCTAssertNil(getenv("LISTEN_PID"))
            XCTAssertNil(getenv("LISTEN_FDS"))
            XCTAssertNil(getenv("LISTEN_FDNAMES"))
            XCTAssertEqual(try SystemdActivation.select(["swdock"], from: sockets), sockets)
            XCTAssertEqual(try SystemdActivation.select([""], from: sockets), sockets)
            XCTAssertThrowsError(try SystemdActivation.select(["other"], from: sockets)) { error in
                XCTAssertTrue("\(error)".contains("fd://other: no such socket passed by systemd (passed: swdock(fd 3))"), "\(error)")
            }
        }
    }

    func testListenFDsIgnoresAnotherProcessesSocketsButStillUnsets() throws {
        try withActivationEnvironment(pid: "\(getpid() + 1)", fds: "2", names: nil) {
            XCTAssertEqual(try SystemdActivation.listenFDs(unsetEnvironment: true), [])
            XCTAssertNil(getenv("LISTEN_FDS"))
        }
        try withActivationEnvironment(pid: "\(getpid())", fds: "0", names: nil) {
            XCTAssertEqual(try SystemdActivation.listenFDs(unsetEnvironment: false), [])
            XCTAssertNotNil(getenv("LISTEN_FDS"), "kept when unsetEnvironment is false")
        }
        try withActivationEnvironment(pid: "\(getpid())", fds: "many", names: nil) {
            XCTAssertThrowsError(try SystemdActivation.listenFDs(unsetEnvironment: true))
            XCTAssertNil(getenv("LISTEN_PID"))
        }
    }
}
