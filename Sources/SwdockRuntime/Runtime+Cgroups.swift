import SwdockCgroups
import SwdockOCI

extension Runtime {
    /// The cgroup manager of a recorded container: its resolved path was stored at create time,
    /// so a later caller in another cgroup still finds the same directory.
    func cgroup(of record: ContainerRecord) throws(RuntimeError) -> any CgroupManager {
        do {
            if let path = record.cgroupsPath, let directories = record.cgroupDirectories {
                return try Cgroups.manager(recordedPath: path, directories: directories)
            }
            return try Cgroups.manager(cgroupsPath: record.cgroupsPath ?? record.config.linux?.cgroupsPath,
                                       containerID: record.id)
        } catch {
            throw RuntimeError(.system, "cgroup of \(record.id): \(error.message)", cause: error)
        }
    }

    static func wrap(_ step: String, _ error: CgroupError) -> RuntimeError {
        RuntimeError(error.code == .notSupported ? .notSupported : .system, "\(step): \(error.message)", cause: error)
    }
}
