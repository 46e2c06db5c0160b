#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

extension ContainerService {
    /// Makes the container's working directory in its mounted root filesystem when the image
    /// lacks it (mode 0755, owned by root), as dockerd's `SetupWorkingDirectory` does, so
    /// `-w /new` and a committed `WORKDIR` work; a non-directory there is dockerd's error.
    /// Every component resolves inside the root (`openat2(RESOLVE_IN_ROOT)`).
    func makeWorkingDirectory(_ id: String, _ workingDir: String) throws(EngineError) {
        let components = workingDir.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !components.isEmpty, !components.contains("..") else { return }
        let root: FileDescriptor
        do { root = try FileDescriptor.open(rootfs(id), RootfsFiles.openPath | O_DIRECTORY) } catch {
            throw EngineError(.system, "open the root filesystem of container \(id)", cause: error)
        }
        defer { root.close() }
        var parent = ""
        for component in components {
            let path = parent.isEmpty ? component : parent + "/" + component
            do {
                let fd = try sys("openat2", "\"\(path)\"") {
                    swdock_openat2(root.rawValue, path, UInt64(RootfsFiles.openPath | O_DIRECTORY | O_CLOEXEC), 0,
                                   SWDOCK_RESOLVE_IN_ROOT)
                }
                Glibc.close(fd)
            } catch where error.errno == ENOENT {
                do {
                    let directory = parent.isEmpty ? root.rawValue : try sys("openat2", "\"\(parent)\"") {
                        swdock_openat2(root.rawValue, parent, UInt64(RootfsFiles.openPath | O_DIRECTORY | O_CLOEXEC), 0,
                                       SWDOCK_RESOLVE_IN_ROOT)
                    }
                    defer { if directory != root.rawValue { Glibc.close(directory) } }
                    try sys("mkdirat", "\"\(path)\"") { mkdirat(directory, component, 0o755) }
                } catch {
                    throw EngineError(.system, "create the working directory \(workingDir) of container \(id)", cause: error)
                }
            } catch where error.errno == ENOTDIR {
                throw EngineError(.invalidArgument, "Cannot mkdir: \(workingDir) is not a directory")
            } catch {
                throw EngineError(.system, "create the working directory \(workingDir) of container \(id)", cause: error)
            }
            parent = path
        }
    }
}
