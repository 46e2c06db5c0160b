#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockOCI
import SwdockOS

/// The OCI runtime: container lifecycle over the state directory `root`.
///
/// Each command of the CLI is one method here (`create`, `start`, `state`, `kill`, `delete`,
/// `run`, …), in a file of its own (`Runtime+Create.swift`, …).
public struct Runtime: Sendable {
    public let store: StateStore

    /// runc's default is /run/runc; ours is /run/swdock-runtime.
    public static let defaultRoot = "/run/swdock-runtime"

    public init(root: String = Runtime.defaultRoot) {
        store = StateStore(root: root)
    }

    /// Reads and decodes `config.json` of a bundle.
    public static func loadSpec(bundle: String) throws(RuntimeError) -> RuntimeSpec {
        try loadSpecAndText(bundle: bundle).spec
    }

    /// `config.json` of a bundle decoded, and its bytes as read (valid JSON, since they
    /// decoded): `create` stores them in state.json as they are instead of encoding the spec again.
    static func loadSpecAndText(bundle: String) throws(RuntimeError) -> (spec: RuntimeSpec, text: [UInt8]) {
        let path = absolutePath("config.json", relativeTo: bundle)
        let bytes: [UInt8]
        do { bytes = try HostFiles.read(path) } catch {
            if error.errno == ENOENT { throw RuntimeError(.config, "JSON specification file config.json not found") }
            throw RuntimeError.system("open \(path)", error)
        }
        do { return (try JSONDecoder().decode(RuntimeSpec.self, from: Data(bytes)), bytes) } catch {
            throw RuntimeError(.config, "parse \(path): \(Runtime.describe(decodingError: error))")
        }
    }

    static func describe(decodingError error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \(Runtime.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.debugDescription) at \(Runtime.path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return "\(context.debugDescription) at \(Runtime.path(context.codingPath))"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// The current status of a recorded container, derived as runc does it.
    public func status(of record: ContainerRecord) -> ContainerStatus {
        guard record.initPid > 0, ProcessInfoReader.isAlive(record.initPid, startTime: record.initStartTime) else {
            return .stopped
        }
        if HostFiles.exists(store.fifoPath(of: record.id)) { return .created }
        if (try? cgroup(of: record).isFrozen()) == true { return .paused }
        return .running
    }

    /// Sends `signal` to the container's init (a pidfd, so a reused pid is never hit).
    func signalInit(_ record: ContainerRecord, _ signal: Int32) throws(RuntimeError) {
        let pidfd = swdock_pidfd_open_checked(record.initPid)
        guard pidfd >= 0, ProcessInfoReader.isAlive(record.initPid, startTime: record.initStartTime) else {
            if pidfd >= 0 { close(pidfd) }
            throw RuntimeError(.invalidState, "container not running")
        }
        defer { close(pidfd) }
        do { try sys("pidfd_send_signal", "pid \(record.initPid)") { swdock_pidfd_send_signal(pidfd, signal) } } catch {
            if error.errno == ESRCH { throw RuntimeError(.invalidState, "container not running") }
            throw RuntimeError.system("kill container \(record.id)", error)
        }
    }

    /// Waits until `pid` is gone (it is not our child: poll its pidfd), up to `timeoutMs`.
    static func waitGone(_ pid: Int32, startTime: UInt64, timeoutMs: Int32 = 10_000) -> Bool {
        let pidfd = swdock_pidfd_open_checked(pid)
        if pidfd < 0 { return true }
        defer { close(pidfd) }
        var fds = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        let deadline = Clock.monotonicMilliseconds() + Int64(timeoutMs)
        while Clock.monotonicMilliseconds() < deadline {
            if !ProcessInfoReader.isAlive(pid, startTime: startTime) { return true }
            _ = poll(&fds, 1, 50)
            if fds.revents != 0 { return true }
        }
        return !ProcessInfoReader.isAlive(pid, startTime: startTime)
    }
}

import CSwdockSys

func swdock_pidfd_open_checked(_ pid: Int32) -> Int32 {
    guard pid > 0 else { return -1 }
    return (try? sys("pidfd_open") { swdock_pidfd_open(pid, 0) }) ?? -1
}
