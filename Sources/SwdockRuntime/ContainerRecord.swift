#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockOCI
import SwdockOS

/// What the runtime keeps about one container in `<root>/<id>/state.json`.
///
/// Layout version 1: this struct as JSON. The status is not stored but derived each time from
/// the init process (alive, same start time), the exec fifo (present until `start`) and the
/// freezer, as runc does, so a crash at any point leaves a record that still tells the truth.
public struct ContainerRecord: Codable, Sendable {
    public static let layoutVersion = 1

    public var version: Int = ContainerRecord.layoutVersion
    public var id: String
    /// Host pid of the container process (0 before it exists).
    public var initPid: Int32
    /// Field 22 of /proc/PID/stat at create time: tells a live init from a reused pid.
    public var initStartTime: UInt64
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    /// The spec as created (for hooks, `exec` defaults, cgroup paths and `delete`).
    public var config: RuntimeSpec
    /// Set by `start` once the fifo was opened.
    public var started: Bool = false
    /// The cgroup path as resolved at create (a relative `cgroupsPath` made absolute against
    /// the creator's cgroup); older records hold the spec's value.
    public var cgroupsPath: String?
    /// Controller (`""` on v2) → cgroup directory, resolved at create, as runc's `cgroup_paths`:
    /// later commands may run in another cgroup and must not resolve a relative path again.
    public var cgroupDirectories: [String: String]?

    public var annotations: [String: String]? { config.annotations }
}

/// The directory of container records under `--root`.
public struct StateStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(of id: String) -> String { root + "/" + id }
    public func fifoPath(of id: String) -> String { directory(of: id) + "/exec.fifo" }

    /// Container IDs must be safe as one path component, as runc requires.
    public static func validate(id: String) throws(RuntimeError) {
        let allowed = id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                || c == 0x5f || c == 0x2b || c == 0x2d || c == 0x2e
        }
        guard !id.isEmpty, allowed, id != ".", id != ".." else {
            throw RuntimeError(.invalidArgument, "invalid id format: \(id)")
        }
    }

    public func load(_ id: String) throws(RuntimeError) -> ContainerRecord {
        try StateStore.validate(id: id)
        let bytes: [UInt8]
        do { bytes = try HostFiles.read(directory(of: id) + "/state.json") } catch {
            if error.errno == ENOENT { throw RuntimeError(.notFound, "container does not exist") }
            throw RuntimeError.system("read state of \(id)", error)
        }
        do { return try JSONDecoder().decode(ContainerRecord.self, from: Data(bytes)) } catch {
            throw RuntimeError(.system, "read state of \(id): \(error)")
        }
    }

    public func save(_ record: ContainerRecord) throws(RuntimeError) {
        let data: Data
        do { data = try JSONEncoder().encode(record) } catch {
            throw RuntimeError(.system, "encode state of \(record.id): \(error)")
        }
        do { try HostFiles.writeAtomically(directory(of: record.id) + "/state.json", Array(data), mode: 0o600) } catch {
            throw RuntimeError.system("write state of \(record.id)", error)
        }
    }

    /// Writes a record whose `config` is exactly the JSON document `configText` (the bundle's
    /// config.json as `create` read it): the record's own fields are written by hand and the
    /// config is copied, not encoded again (JSONEncoder of the whole spec was the largest part of
    /// `create`'s own CPU time). `load` reads the result like any other record.
    func save(_ record: ContainerRecord, configText: [UInt8]) throws(RuntimeError) {
        var head = "{\"version\":\(record.version),\"id\":\(JSONQuoting.quote(record.id))"
        head += ",\"initPid\":\(record.initPid),\"initStartTime\":\(record.initStartTime)"
        head += ",\"bundle\":\(JSONQuoting.quote(record.bundle)),\"rootfs\":\(JSONQuoting.quote(record.rootfs))"
        head += ",\"created\":\(JSONQuoting.quote(record.created)),\"owner\":\(JSONQuoting.quote(record.owner))"
        head += ",\"started\":\(record.started)"
        if let path = record.cgroupsPath { head += ",\"cgroupsPath\":\(JSONQuoting.quote(path))" }
        if let directories = record.cgroupDirectories {
            head += ",\"cgroupDirectories\":{" + directories.sorted { $0.key < $1.key }
                .map { "\(JSONQuoting.quote($0.key)):\(JSONQuoting.quote($0.value))" }.joined(separator: ",") + "}"
        }
        let bytes = Array((head + ",\"config\":").utf8) + configText + Array("}".utf8)
        do { try HostFiles.writeAtomically(directory(of: record.id) + "/state.json", bytes, mode: 0o600) } catch {
            throw RuntimeError.system("write state of \(record.id)", error)
        }
    }

    public func ids() -> [String] {
        HostFiles.list(root).filter { HostFiles.exists(directory(of: $0) + "/state.json") }.sorted()
    }
}

/// Facts about a host process read from /proc.
enum ProcessInfoReader {
    /// (state letter, start time) from /proc/PID/stat, nil when the process is gone.
    static func stat(_ pid: Int32) -> (state: Character, startTime: UInt64)? {
        guard pid > 0, let text = try? HostFiles.readString("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "comm)": state is field 3, starttime is field 22.
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let state = rest[0].first, let start = UInt64(rest[19]) else { return nil }
        return (state, start)
    }

    /// True when `pid` is the process recorded (same start time) and not a zombie.
    static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool {
        guard let info = stat(pid) else { return false }
        return info.startTime == startTime && info.state != "Z" && info.state != "X"
    }
}
