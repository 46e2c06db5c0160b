import SwdockOS

/// How and when a container's process ended, as the shim records it in `<state-dir>/exit`
/// before it tells anyone, so the daemon finds it even after both were down.
///
/// File format (version 1): a first line `swdock-shim-exit 1`, then `key=value` lines:
/// `pid`, `exit-code` (the code, or 128 + signal), `signal` (0 when it exited normally),
/// `exit-time` (RFC 3339, UTC, nanoseconds), `oom-killed` (`true` when the container's memory
/// cgroup OOM-killed a process during its life; absent means false).
public struct ExitRecord: Equatable, Sendable {
    public static let formatVersion = 1

    public var pid: Int32
    public var status: ExitStatus
    public var time: Timestamp
    public var oomKilled: Bool

    public init(pid: Int32, status: ExitStatus, time: Timestamp, oomKilled: Bool = false) {
        self.pid = pid
        self.status = status
        self.time = time
        self.oomKilled = oomKilled
    }

    public var exitCode: Int32 { status.code }
    public var signal: Int32 {
        if case .signaled(let s, _) = status { return s }
        return 0
    }

    public var encoded: [UInt8] {
        Array("""
        swdock-shim-exit \(ExitRecord.formatVersion)
        pid=\(pid)
        exit-code=\(exitCode)
        signal=\(signal)
        exit-time=\(time.rfc3339Nano)
        oom-killed=\(oomKilled)

        """.utf8)
    }

    public init(decoding bytes: [UInt8]) throws(ShimError) {
        let lines = bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        guard lines.first == "swdock-shim-exit \(ExitRecord.formatVersion)" else {
            throw ShimError(.invalid, "exit record: unknown header \"\(lines.first ?? "")\"")
        }
        var values: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let pid = values["pid"].flatMap({ Int32($0) }),
              let code = values["exit-code"].flatMap({ Int32($0) }),
              let signal = values["signal"].flatMap({ Int32($0) }),
              let time = values["exit-time"].flatMap({ Timestamp(rfc3339Nano: $0) })
        else { throw ShimError(.invalid, "exit record: missing or malformed field") }
        self.init(pid: pid, status: signal != 0 ? .signaled(signal, coreDumped: false) : .exited(code), time: time,
                  oomKilled: values["oom-killed"] == "true")
    }

    /// Writes the record durably (temp file, fsync, rename, fsync of the directory).
    public func write(to path: String) throws(OSError) {
        try FileSystem.writeAtomically(path, encoded, mode: 0o644)
    }

    /// The record in `stateDirectory`, nil when the process has not exited (or no shim recorded it).
    public static func read(stateDirectory: String) throws(ShimError) -> ExitRecord? {
        let path = "\(stateDirectory)/\(ShimProtocol.StateFile.exit)"
        let bytes: [UInt8]?
        do { bytes = try FileSystem.read(path) } catch { throw ShimError("read \(path)", error) }
        guard let bytes else { return nil }
        return try ExitRecord(decoding: bytes)
    }
}
