#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// A container's cgroup on the unified (v2) hierarchy: one directory, with the controllers it
/// needs enabled in `cgroup.subtree_control` of every ancestor, as runc's fs2 driver does.
public struct CgroupV2Manager: CgroupManager {
    public var version: CgroupVersion { .v2 }
    public let path: String
    /// The hierarchy's mount point (or a directory laid out as one).
    public let mountRoot: String
    public var directories: [String: String] { ["": directory] }
    /// The cgroup's directory.
    public var directory: String { Cgroups.cleanPath(mountRoot + path) }

    init(mountRoot: String, path: String) {
        self.mountRoot = mountRoot
        self.path = path
    }

    public func create(resources: RuntimeSpec.Resources?) throws(CgroupError) {
        // Every controller the root offers, as "+cpu +memory …".
        let available = try CgroupFile.readValue(mountRoot + "/cgroup.controllers").split(separator: " ")
        let enable = available.map { "+" + $0 }.joined(separator: " ")
        var current = mountRoot
        let components = path.split(separator: "/")
        for component in components {
            if !enable.isEmpty {
                // Enable for the children of `current`; one at a time when the kernel refuses the
                // batch (some may be unavailable here). Missing ones show when a limit is written.
                do {
                    try CgroupFile.write(current + "/cgroup.subtree_control", enable)
                } catch {
                    for one in enable.split(separator: " ") {
                        try? CgroupFile.write(current + "/cgroup.subtree_control", String(one))
                    }
                }
            }
            current += "/" + component
            try CgroupFile.makeDirectory(current)
            if CgroupFile.exists(current + "/cgroup.type") {
                let type = try CgroupFile.readValue(current + "/cgroup.type")
                if type == "domain invalid" {
                    throw CgroupError(.invalidArgument, "cannot enter cgroup v2 \(current): it is in an invalid state (\"domain invalid\": a parent holds processes)")
                }
            }
        }
        if let resources { try apply(resources) }
    }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        try CgroupFile.write(directory + "/cgroup.procs", String(pid))
    }

    public func update(resources: RuntimeSpec.Resources) throws(CgroupError) {
        try apply(resources)
    }

    public func freeze() throws(CgroupError) { try setFrozen(true) }
    public func thaw() throws(CgroupError) { try setFrozen(false) }

    func setFrozen(_ frozen: Bool) throws(CgroupError) {
        let freezeFile = directory + "/cgroup.freeze"
        guard CgroupFile.exists(freezeFile) else {
            throw CgroupError(.notSupported, "freezing on cgroup v2: \(freezeFile) does not exist (kernel before 5.2)")
        }
        try CgroupFile.write(freezeFile, frozen ? "1" : "0")
        // cgroup.events says "frozen 1" once every task has stopped.
        let eventsFile = directory + "/cgroup.events"
        guard CgroupFile.exists(eventsFile) else { return }
        for _ in 0..<2000 {
            if (try CgroupFile.readKeyValues(eventsFile)["frozen"] ?? 0 == 1) == frozen { return }
            sleepMicroseconds(1000)
        }
        if frozen { try? CgroupFile.write(freezeFile, "0") }
        throw CgroupError(.timeout, "\(frozen ? "freeze" : "thaw") \(directory): cgroup.events did not report frozen \(frozen ? 1 : 0)")
    }

    public func isFrozen() throws(CgroupError) -> Bool {
        let freezeFile = directory + "/cgroup.freeze"
        guard CgroupFile.exists(freezeFile) else { return false }
        guard try CgroupFile.readValue(freezeFile) == "1" else { return false }
        let eventsFile = directory + "/cgroup.events"
        guard CgroupFile.exists(eventsFile) else { return true }
        return try CgroupFile.readKeyValues(eventsFile)["frozen"] == 1
    }

    public func processes() throws(CgroupError) -> [Int32] {
        parsePids(try CgroupFile.read(directory + "/cgroup.procs"))
    }

    public func destroy() throws(CgroupError) {
        try CgroupFile.removeTree(directory)
    }
}
