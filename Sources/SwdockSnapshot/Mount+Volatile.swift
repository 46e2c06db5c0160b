#if canImport(Glibc)
import Glibc
#endif

extension Mount {
    /// This mount for an upper layer that is thrown away after one run (a `--rm` container):
    /// an overlay with an upper directory gets `volatile`, so neither its writes nor its
    /// unmount sync the upper filesystem. An unmount of a plain overlay syncs the whole
    /// filesystem holding the upper directory (here the root ext4): 3 ms median, up to 120 ms
    /// while other work writes. Podman mounts its `--rm` containers the same way. Other mounts
    /// are returned unchanged.
    public func discardingUpper() -> Mount {
        guard type == "overlay", upperWorkDirectory != nil, !options.contains("volatile") else { return self }
        var copy = self
        copy.options.append("volatile")
        return copy
    }

    /// Removes the marker a `volatile` mount leaves in its work directory
    /// (`<workdir>/work/incompat/volatile`; a clean unmount leaves it too), which makes the
    /// kernel refuse the next mount of the same upper. Called only before mounting again an
    /// upper whose previous mount this daemon unmounted — a restarted `--rm` container — or
    /// one it is about to discard; after a host crash such a container is removed, not mounted.
    public func clearVolatileMarker() {
        guard type == "overlay", let work = upperWorkDirectory else { return }
        for path in [work + "/work/incompat/volatile", work + "/work/incompat"] { rmdir(path) }
    }

    /// The overlay's `workdir=` option.
    private var upperWorkDirectory: String? {
        options.first { $0.hasPrefix("workdir=") }.map { String($0.dropFirst("workdir=".count)) }
    }
}
