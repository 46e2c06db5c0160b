import Foundation
import SwdockOS
import SwdockShimCore
import SwdockTestSupport
import XCTest

/// One container under a real swdock-shim driving runc: a busybox bundle made for the test,
/// its own runc root and state directory under a short /tmp path (unix socket paths are
/// limited to 107 bytes), and a teardown that removes all of it even when the test fails.
final class ShimFixture {
    let root: String
    let id: String
    var bundle: String { "\(root)/bundle" }
    var state: String { "\(root)/state" }
    var runcRoot: String { "\(root)/runc" }
    var logPath: String { "\(root)/state/ctr-json.log" }
    var socket: String { "\(state)/\(ShimProtocol.StateFile.socket)" }
    let runc = "/usr/bin/runc"
    var shimPID: Int32 = 0

    static var shimExecutable: String { TestEnvironment.executable("swdock-shim") }

    init(_ test: XCTestCase, args: [String], terminal: Bool = false, memoryLimit: Int? = nil) throws {
        try TestEnvironment.requireRoot()
        guard FileManager.default.isExecutableFile(atPath: runc) else {
            try TestEnvironment.missing("runc is not installed at \(runc)")
            throw XCTSkip("no runc")
        }
        let token = String(UUID().uuidString.prefix(8)).lowercased()
        root = "/tmp/swsh-\(token)"
        id = "swsh-\(token)"
        test.addTeardownBlock { [self] in self.cleanUp() }
        try makeBundle(args: args, terminal: terminal, memoryLimit: memoryLimit)
    }

    private func makeBundle(args: [String], terminal: Bool, memoryLimit: Int?) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(bundle)/rootfs/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: state, withIntermediateDirectories: true)
        try fm.copyItem(atPath: "/bin/busybox", toPath: "\(bundle)/rootfs/bin/busybox")
        let install = try runCommand("/usr/sbin/chroot", ["\(bundle)/rootfs", "/bin/busybox", "--install", "-s", "/bin"])
        XCTAssertEqual(install.status, 0, install.stderr)
        let spec = try runCommand(runc, ["spec", "--bundle", bundle])
        XCTAssertEqual(spec.status, 0, spec.stderr)
        let path = "\(bundle)/config.json"
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var process = try XCTUnwrap(config["process"] as? [String: Any])
        process["terminal"] = terminal
        process["args"] = args
        config["process"] = process
        if let memoryLimit {
            var linux = try XCTUnwrap(config["linux"] as? [String: Any])
            var resources = linux["resources"] as? [String: Any] ?? [:]
            resources["memory"] = ["limit": memoryLimit, "swap": memoryLimit]
            linux["resources"] = resources
            config["linux"] = linux
        }
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
    }

    /// An OCI process.json for `exec`, derived from the bundle's process.
    func writeExecProcess(args: [String], terminal: Bool = false, consoleSize: (rows: Int, columns: Int)? = nil) throws -> String {
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(bundle)/config.json"))) as? [String: Any])
        var process = try XCTUnwrap(config["process"] as? [String: Any])
        process["args"] = args
        process["terminal"] = terminal
        if let consoleSize { process["consoleSize"] = ["height": consoleSize.rows, "width": consoleSize.columns] }
        let path = "\(root)/exec-\(UUID().uuidString.prefix(6)).json"
        try JSONSerialization.data(withJSONObject: process).write(to: URL(fileURLWithPath: path))
        return path
    }

    func options(stdin: Bool = false, tty: Bool = false, consoleSize: (UInt16, UInt16)? = nil,
                 maxSize: Int64? = nil, maxFiles: Int = 1) -> ShimOptions {
        var o = ShimOptions()
        o.id = id
        o.bundle = bundle
        o.runtime = runc
        o.runtimeRoot = runcRoot
        o.stateDirectory = state
        o.logPath = logPath
        o.logMaxSize = maxSize
        o.logMaxFiles = maxFiles
        o.stdin = stdin
        o.tty = tty
        if let consoleSize { o.consoleSize = (consoleSize.0, consoleSize.1) }
        return o
    }

    @discardableResult
    func launch(_ options: ShimOptions? = nil) throws -> ShimLauncher.Ready {
        let ready = try ShimLauncher.start(executable: ShimFixture.shimExecutable, options: options ?? self.options())
        shimPID = ready.shimPID
        return ready
    }

    func client() throws -> ShimClient { try ShimClient(socketPath: socket, timeoutSeconds: 30) }

    /// Reads output frames until `output-end`: (stdout, stderr).
    func collectOutput(_ client: ShimClient) throws -> (String, String) {
        var out: [UInt8] = [], err: [UInt8] = []
        while let frame = try client.nextFrame() {
            if frame.kind == .event, try ShimMessage.decode(frame.payload).verb == "output-end" { break }
            XCTAssertEqual(frame.kind, .output)
            if frame.stream == 2 { err += frame.payload } else { out += frame.payload }
        }
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    func logRecords(_ suffix: String = "") throws -> [[String: String]] {
        let text = try String(contentsOfFile: logPath + suffix, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        }
    }

    /// Polls `condition` (every 20 ms, up to `seconds`): a bound against hangs, not a timing check.
    func eventually(_ what: String, seconds: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(20_000)
        }
        XCTFail("timed out waiting for \(what)")
        throw XCTSkip("failed above: \(what)")
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        // A zombie is not alive.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    /// Zombie children of `pid`: what a reaper failed to reap.
    static func zombieChildren(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && fields[0] == "Z" && fields[1] == Substring(String(pid))
        }
    }

    static func status(of pid: Int32, field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    func runcContainers() throws -> String {
        try runCommand(runc, ["--root", runcRoot, "list", "-q"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func cleanUp() {
        if FileManager.default.fileExists(atPath: socket), let client = try? ShimClient(socketPath: socket, timeoutSeconds: 10) {
            _ = try? client.request("delete", [("force", "true")])
        }
        if shimPID > 0 && ShimFixture.isAlive(shimPID) { kill(shimPID, SIGKILL) }
        _ = try? runCommand(runc, ["--root", runcRoot, "delete", "--force", id])
        try? FileManager.default.removeItem(atPath: root)
    }
}
