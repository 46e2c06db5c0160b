#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// A container's cgroup on a cgroup v1 host: one directory per mounted controller (co-mounted
/// controllers share one), as runc's cgroupfs driver lays them out.
public struct CgroupV1Manager: CgroupManager {
    public var version: CgroupVersion { .v1 }
    public let path: String
    public let directories: [String: String]
    /// Controller → the mount point of its hierarchy.
    let mountPoints: [String: String]

    init(mounts: [String: CgroupV1Mounts.Mount], innerPath: String, ownCgroups: [String: String]) {
        var directories: [String: String] = [:]
        var mountPoints: [String: String] = [:]
        for (controller, mount) in mounts {
            var inside = innerPath
            if !innerPath.hasPrefix("/") {
                // Relative: below the cgroup the caller itself is in for this controller.
                var own = ownCgroups[controller] ?? "/"
                if mount.root != "/", own.hasPrefix(mount.root) { own = String(own.dropFirst(mount.root.count)) }
                inside = Cgroups.joinPath(own.isEmpty ? "/" : own, innerPath)
            }
            directories[controller] = Cgroups.cleanPath(mount.mountPoint + inside)
            mountPoints[controller] = mount.mountPoint
        }
        self.directories = directories
        self.mountPoints = mountPoints
        if innerPath.hasPrefix("/") {
            path = innerPath
        } else {
            let reference = ["memory", "pids", "cpu", "devices"].first { ownCgroups[$0] != nil }
            path = Cgroups.joinPath(reference.flatMap { ownCgroups[$0] } ?? "/", innerPath)
        }
    }

    /// Mounted controllers in runc's order, each directory once (co-mounted ones share it).
    var orderedDirectories: [(controller: String, directory: String)] {
        var seen: Set<String> = []
        var result: [(String, String)] = []
        for controller in CgroupV1Mounts.controllers {
            guard let dir = directories[controller], !seen.contains(dir) else { continue }
            seen.insert(dir)
            result.append((controller, dir))
        }
        return result
    }

    func directory(_ controller: String, for what: String) throws(CgroupError) -> String {
        guard let dir = directories[controller] else {
            throw CgroupError(.notSupported, "\(what): the cgroup v1 \(controller) controller is not mounted")
        }
        return dir
    }

    public func create(resources: RuntimeSpec.Resources?) throws(CgroupError) {
        for (controller, dir) in orderedDirectories {
            guard let root = mountPoints[controller] else { continue }
            if controller == "cpuset" {
                // A new cpuset cgroup starts with empty cpus/mems and refuses tasks; give each
                // level its parent's sets, as runc does. Every level from the top, not only the
                // ones made here: a parent another runtime created a moment ago may still be
                // empty (parallel starts under one new cgroup parent).
                try CgroupFile.makeDirectories(dir, below: root)
                var level = root
                for component in dir.dropFirst(root.count).split(separator: "/") {
                    level += "/" + component
                    try inheritCpuset(level)
                }
            } else {
                try CgroupFile.makeDirectories(dir, below: root)
            }
        }
        if let resources { try apply(resources) }
    }

    func inheritCpuset(_ dir: String) throws(CgroupError) {
        let parent = Cgroups.parentDirectory(dir)
        for file in ["cpuset.cpus", "cpuset.mems"] {
            if try CgroupFile.readValue(dir + "/" + file).isEmpty {
                try CgroupFile.write(dir + "/" + file, try CgroupFile.readValue(parent + "/" + file))
            }
        }
    }

    public func addProcess(_ pid: Int32) throws(CgroupError) {
        for (_, dir) in orderedDirectories {
            try CgroupFile.write(dir + "/cgroup.procs", String(pid))
        }
    }

    public func update(resources: RuntimeSpec.Resources) throws(CgroupError) {
        try apply(resources)
    }

    public func freeze() throws(CgroupError) {
        let state = try directory("freezer", for: "freeze") + "/freezer.state"
        // FREEZING lasts while tasks are being stopped; rewriting FROZEN now and then nudges
        // tasks that were created meanwhile (runc does the same).
        for attempt in 0..<2000 {
            if attempt % 50 == 0 { try CgroupFile.write(state, "FROZEN") }
            if try CgroupFile.readValue(state) == "FROZEN" { return }
            sleepMicroseconds(attempt < 100 ? 100 : 1000)
        }
        try? CgroupFile.write(state, "THAWED")
        throw CgroupError(.timeout, "freeze \(state): the cgroup stayed FREEZING; thawed it again")
    }

    public func thaw() throws(CgroupError) {
        let state = try directory("freezer", for: "thaw") + "/freezer.state"
        for attempt in 0..<1000 {
            if attempt % 50 == 0 { try CgroupFile.write(state, "THAWED") }
            if try CgroupFile.readValue(state) == "THAWED" { return }
            sleepMicroseconds(1000)
        }
        throw CgroupError(.timeout, "thaw \(state): the cgroup did not become THAWED")
    }

    public func isFrozen() throws(CgroupError) -> Bool {
        try CgroupFile.readValue(try directory("freezer", for: "freezer state") + "/freezer.state") == "FROZEN"
    }

    public func processes() throws(CgroupError) -> [Int32] {
        let controller = ["pids", "memory", "devices", "freezer", "cpu"].first { directories[$0] != nil }
        guard let dir = controller.flatMap({ directories[$0] }) ?? orderedDirectories.first?.directory else {
            return []
        }
        return parsePids(try CgroupFile.read(dir + "/cgroup.procs"))
    }

    public func destroy() throws(CgroupError) {
        var firstError: CgroupError?
        for (_, dir) in orderedDirectories {
            do { try CgroupFile.removeTree(dir) } catch { if firstError == nil { firstError = error } }
        }
        if let firstError { throw firstError }
    }
}
