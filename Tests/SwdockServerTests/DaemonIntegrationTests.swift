import Foundation
import SwdockClient
import SwdockTestSupport
import XCTest

/// swdockd as a process, driven by the real docker CLI, docker-py and raw sockets.
final class DaemonIntegrationTests: XCTestCase {
    private func startDaemon(config: String = "{}", arguments: [String] = []) throws -> PrivateDaemon {
        let daemon = try PrivateDaemon(config: config, arguments: arguments)
        addTeardownBlock { daemon.stop() }
        return daemon
    }

    func testDockerCLIVersionAndInfo() throws {
        let docker = "/usr/local/bin/docker"
        guard FileManager.default.isExecutableFile(atPath: docker) else { return try TestEnvironment.missing("\(docker) is not installed") }
        let daemon = try startDaemon()
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = daemon.host
        environment["DOCKER_CONFIG"] = daemon.directory.path  // no user config or contexts
        let version = try runCommand(docker, ["version"], environment: environment)
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertTrue(version.stdout.contains("Server: swdock Engine"), version.stdout)
        XCTAssertTrue(version.stdout.contains("API version:      1.41 (minimum version 1.12)"), version.stdout)
        XCTAssertTrue(version.stdout.contains("1.41 (downgraded from"), "the CLI negotiated 1.41: \(version.stdout)")
        let info = try runCommand(docker, ["info"], environment: environment)
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("Docker Root Dir: \(daemon.dataRoot)"), info.stdout)
        XCTAssertTrue(info.stdout.contains("Default Runtime: swdock-runtime"), info.stdout)
        XCTAssertTrue(info.stdout.contains("CPUs: \(ProcessInfo.processInfo.activeProcessorCount)"), info.stdout)
        let format = try runCommand(docker, ["info", "--format", "{{.ServerVersion}} {{.OSType}}"], environment: environment)
        XCTAssertEqual(format.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0 linux", format.stderr)
    }

    func testDockerPy() throws {
        let check = try runCommand("/usr/bin/env", ["python3", "-c", "import docker; print(docker.__version__)"])
        guard check.status == 0, check.stdout.hasPrefix("7.1") else { return try TestEnvironment.missing("docker-py 7.1 (pip install docker==7.1.0)") }
        let daemon = try startDaemon()
        let script = """
            import docker
            c = docker.DockerClient(base_url='\(daemon.host)')
            v = c.version()
            assert v['ApiVersion'] == '1.41', v
            assert c.ping() is True
            i = c.info()
            print(v['Version'], i['DockerRootDir'], i['NCPU'] > 0)
            """
        let result = try runCommand("/usr/bin/env", ["python3", "-c", script])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0 \(daemon.dataRoot) True")
    }

    func testSwdockCLIVersionInfoAndMissingDaemon() throws {
        let daemon = try startDaemon()
        let swdock = TestEnvironment.executable("swdock")
        let version = try runCommand(swdock, ["-H", daemon.host, "version", "--format", "{{.Server.APIVersion}}|{{.Client.Version}}"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertEqual(version.stdout, "1.41|0.1.0\n")
        let plain = try runCommand(swdock, ["version"], environment: ["SWDOCK_HOST": daemon.host])
        XCTAssertTrue(plain.stdout.contains("Server: swdock Engine"), plain.stdout)
        let info = try runCommand(swdock, ["info", "-H", daemon.host])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains(" Docker Root Dir: \(daemon.dataRoot)"), info.stdout)
        let missing = try runCommand(swdock, ["-H", "unix://\(daemon.directory.path)/nosuch.sock", "version"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("Cannot connect to swdockd at unix://\(daemon.directory.path)/nosuch.sock. Is it running?"),
                      missing.stderr)
    }

    func testSecondDaemonOnTheSameDataRootRefuses() throws {
        let first = try startDaemon()
        let second = try PrivateDaemon(dataRoot: first.dataRoot, waitForSocket: false)
        addTeardownBlock { second.stop() }
        XCTAssertEqual(second.waitForExit(), 1)
        XCTAssertTrue(second.log.contains("data-root \(first.dataRoot) is in use by another swdockd (pid \(first.pid))"), second.log)
        XCTAssertTrue(first.isRunning)
    }

    func testSecondDaemonOnTheSameSocketRefusesAndAStaleSocketIsReplaced() throws {
        let first = try startDaemon()
        let second = try PrivateDaemon(socketPath: first.socketPath, waitForSocket: false)
        addTeardownBlock { second.stop() }
        XCTAssertEqual(second.waitForExit(), 1)
        XCTAssertTrue(second.log.contains("another daemon is already listening"), second.log)
        // kill -9 leaves the socket file behind; the next daemon removes it and serves.
        kill(first.pid, SIGKILL)
        XCTAssertNotNil(first.waitForExit())
        XCTAssertTrue(FileManager.default.fileExists(atPath: first.socketPath))
        let third = try PrivateDaemon(socketPath: first.socketPath)
        addTeardownBlock { third.stop() }
        XCTAssertTrue(third.isRunning)
        let mode = try FileManager.default.attributesOfItem(atPath: first.socketPath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o660)
    }

    func testConfigurationErrorsAsDockerd() throws {
        let unknown = try PrivateDaemon(config: #"{"data-root":"/tmp/x","bogus-key":1}"#, waitForSocket: false)
        addTeardownBlock { unknown.stop() }
        XCTAssertEqual(unknown.waitForExit(), 1)
        XCTAssertTrue(unknown.log.contains("the following directives don't match any configuration option: bogus-key"), unknown.log)
        let conflict = try PrivateDaemon(config: #"{"data-root":"/tmp/elsewhere"}"#, waitForSocket: false)
        addTeardownBlock { conflict.stop() }
        XCTAssertEqual(conflict.waitForExit(), 1)
        XCTAssertTrue(conflict.log.contains("the following directives are specified both as a flag and in the configuration file: data-root: (from flag: \(conflict.dataRoot), from file: \"/tmp/elsewhere\")"), conflict.log)
    }

    func testSIGTERMStopsCleanly() throws {
        let daemon = try startDaemon()
        XCTAssertTrue(FileManager.default.fileExists(atPath: daemon.pidFile))
        kill(daemon.pid, SIGTERM)
        XCTAssertEqual(daemon.waitForExit(), 0, daemon.log)
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.socketPath), "the socket is removed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.pidFile), "the PID file is removed")
    }

    // MARK: bad input

    /// A raw connection with a receive timeout, so a server that never answers fails the test
    /// instead of hanging it.
    private func rawConnection(_ daemon: PrivateDaemon) throws -> SocketConnection {
        let connection = try SocketConnection(DaemonAddress(socketPath: daemon.socketPath))
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(connection.fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return connection
    }

    private func readUntilClose(_ connection: SocketConnection) throws -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = try connection.readSome()
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testBadInputGets4xxOrIsDroppedWhileOthersAreServed() throws {
        let daemon = try startDaemon(arguments: ["--api-request-timeout", "2"])

        // Opened first and kept silent / half-sent while the others are served.
        let silent = try rawConnection(daemon)
        let truncated = try rawConnection(daemon)
        try truncated.write(Array("POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"Ima".utf8))

        let malformed = try rawConnection(daemon)
        try malformed.write(Array("THIS IS NOT HTTP\r\n\r\n".utf8))
        let malformedAnswer = try readUntilClose(malformed)
        XCTAssertTrue(malformedAnswer.hasPrefix("HTTP/1.1 400"), malformedAnswer)
        XCTAssertTrue(malformedAnswer.contains("\"message\":\"malformed HTTP request"), malformedAnswer)

        let oversized = try rawConnection(daemon)
        try oversized.write(Array("POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n".utf8))
        let oversizedAnswer = try readUntilClose(oversized)
        XCTAssertTrue(oversizedAnswer.hasPrefix("HTTP/1.1 413"), oversizedAnswer)
        XCTAssertTrue(oversizedAnswer.contains("exceeds the limit"), oversizedAnswer)

        // Meanwhile ordinary clients are served, several at once.
        let client = EngineClient(address: DaemonAddress(socketPath: daemon.socketPath))
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                var response = try client.send("GET", "/_ping", versioned: false)
                let body = try response.body.readAll()
                if response.head.status != 200 || body != Array("OK".utf8) { failures.add("ping: \(response.head.status)") }
            } catch {
                failures.add("\(error)")
            }
        }
        XCTAssertEqual(failures.all, [])

        // The silent and the truncated client are dropped after the request timeout, unanswered.
        let start = Date()
        XCTAssertEqual(try readUntilClose(silent), "")
        XCTAssertEqual(try readUntilClose(truncated), "")
        XCTAssertLessThan(Date().timeIntervalSince(start), 14, "dropped by the daemon, not by our receive timeout")
        XCTAssertTrue(daemon.isRunning)
    }

    func testKeepAliveServesSeveralRequestsOnOneConnectionInOrder() throws {
        let daemon = try startDaemon()
        let connection = try rawConnection(daemon)
        // Pipelined: both requests at once; answers come back in order on the same connection.
        try connection.write(Array("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /v1.41/nosuch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        let answer = try readUntilClose(connection)
        let first = answer.range(of: "HTTP/1.1 200 OK")
        let second = answer.range(of: "HTTP/1.1 404 Not Found")
        XCTAssertNotNil(first, answer)
        XCTAssertNotNil(second, answer)
        if let first, let second { XCTAssertLessThan(first.lowerBound, second.lowerBound) }
        XCTAssertTrue(answer.hasSuffix("{\"message\":\"page not found\"}\n"), answer)
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ text: String) { lock.withLock { list.append(text) } }
    var all: [String] { lock.withLock { list } }
}
