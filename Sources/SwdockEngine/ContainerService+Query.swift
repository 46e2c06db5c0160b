#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockMetadata
import SwdockOS
import SwdockSnapshot

/// What `GET /containers/json` asks for.
public struct ContainerListOptions: Sendable {
    public var all = false
    /// The last `limit` created containers (all states) when > 0.
    public var limit = 0
    public var size = false
    /// Filter name → values (the API decodes both wire forms into this).
    public var filters: [String: Set<String>] = [:]
    public init() {}
}

/// `top`'s answer: `ps` titles and the rows of the container's processes.
public struct ContainerTop: Sendable, Equatable {
    public var titles: [String]
    public var processes: [[String]]
}

/// The container counts of `GET /info`.
public struct ContainerCounts: Sendable, Equatable {
    public var containers: Int
    public var running: Int
    public var paused: Int
    public var stopped: Int
}

extension ContainerService {
    static let acceptedFilters: Set<String> = ["id", "name", "label", "status", "ancestor", "exited", "before", "since",
                                               "volume", "network", "publish", "expose", "health", "isolation", "is-task"]

    /// `GET /containers/json`: newest first, Docker's filters and defaults.
    public func list(_ options: ContainerListOptions) async throws -> [ContainerInfo] {
        try await offload { try self.listBlocking(options) }
    }

    func listBlocking(_ options: ContainerListOptions) throws -> [ContainerInfo] {
        let filters = options.filters
        for name in filters.keys.sorted() where !Self.acceptedFilters.contains(name) {
            throw EngineError(.invalidArgument, "invalid filter '\(name)'")
        }
        for name in ["network", "publish", "expose", "health", "isolation", "is-task"] where filters[name] != nil {
            throw EngineError(.notSupported, "container filter '\(name)'")
        }
        let statuses = filters["status"] ?? []
        for status in statuses where EngineContainerState(rawValue: status) == nil {
            throw EngineError(.invalidArgument, "invalid filter 'status=\(status)'")
        }
        var exitCodes: Set<Int32> = []
        for text in filters["exited"] ?? [] {
            guard let code = Int32(text) else { throw EngineError(.invalidArgument, "invalid filter 'exited=\(text)'") }
            exitCodes.insert(code)
        }
        let records = try storeRead("list containers") { try $0.allContainers() }
        var containers = try records.map { record throws(EngineError) in try load(record) }
        containers.reverse()   // newest first
        func created(_ ref: String) throws(EngineError) -> Int64 { try resolve(ref).record.createdNanoseconds }
        let before = try filters["before"].map { values throws(EngineError) in try values.map { v throws(EngineError) in try created(v) }.min() ?? 0 }
        let since = try filters["since"].map { values throws(EngineError) in try values.map { v throws(EngineError) in try created(v) }.max() ?? 0 }
        var ancestors: Set<String> = []
        for ref in filters["ancestor"] ?? [] {
            if let image = try? images.resolveImage(ref) { ancestors.insert(image.id) } else { ancestors.insert("\u{0}none") }
        }
        let showAll = options.all || options.limit > 0 || !statuses.isEmpty || !exitCodes.isEmpty || before != nil || since != nil
        var result: [ContainerInfo] = []
        for container in containers {
            let state = container.state
            if !showAll && state.Status != .running && state.Status != .paused && state.Status != .restarting { continue }
            if let values = filters["id"], !values.isEmpty, !values.contains(where: { container.id.hasPrefix($0) }) { continue }
            if let values = filters["name"], !values.isEmpty {
                let bare = String(container.record.name.dropFirst())
                let matched = values.contains { pattern in
                    if let regex = try? Regex(pattern) { return container.record.name.contains(regex) || bare.contains(regex) }
                    return container.record.name.contains(pattern)
                }
                if !matched { continue }
            }
            if let values = filters["label"], !values.isEmpty {
                let labels = container.document.Config.labels ?? [:]
                let matched = values.allSatisfy { label in
                    if let eq = label.firstIndex(of: "=") {
                        return labels[String(label[..<eq])] == String(label[label.index(after: eq)...])
                    }
                    return labels[label] != nil
                }
                if !matched { continue }
            }
            if !statuses.isEmpty && !statuses.contains(state.Status.rawValue) { continue }
            if !exitCodes.isEmpty && (state.Status != .exited || !exitCodes.contains(state.ExitCode)) { continue }
            if let before, container.record.createdNanoseconds >= before { continue }
            if let since, container.record.createdNanoseconds <= since { continue }
            if !ancestors.isEmpty && !ancestors.contains(container.record.image) { continue }
            // `volume`: a mounted volume's name or any mount's destination (moby's rule).
            if let values = filters["volume"], !values.isEmpty,
               !container.document.Mounts.contains(where: { mount in values.contains { $0 == mount.Name || $0 == mount.Destination } }) {
                continue
            }
            result.append(try info(container, size: options.size))
            if options.limit > 0 && result.count >= options.limit { break }
        }
        return result
    }

    /// `GET /containers/{id}/json`.
    public func inspect(_ ref: String, size: Bool) async throws -> ContainerInfo {
        try await offload { try self.info(try self.resolve(ref), size: size) }
    }

    func info(_ container: Loaded, size: Bool) throws(EngineError) -> ContainerInfo {
        let id = container.id
        let directory = layout.containerDirectory(id)
        var graph: [String: String] = [:]
        if let mounts = try? snapshotter.mounts(id), let overlay = mounts.first(where: { $0.type == "overlay" }) {
            for option in overlay.options {
                for (key, name) in [("lowerdir=", "LowerDir"), ("upperdir=", "UpperDir"), ("workdir=", "WorkDir")] where option.hasPrefix(key) {
                    graph[name] = String(option.dropFirst(key.count))
                }
            }
            graph["MergedDir"] = rootfs(id)
        }
        var sizeRw: Int64?, sizeRootFs: Int64?
        if size {
            let own = (try? snapshotter.usage(id))?.size ?? 0
            var total = own
            var parent = try? snapshotter.stat(id).parent
            while let name = parent {
                total += (try? snapshotter.usage(name))?.size ?? 0
                parent = try? snapshotter.stat(name).parent
            }
            sizeRw = own
            sizeRootFs = total
        }
        let created = container.record.createdNanoseconds
        return ContainerInfo(
            id: id, name: container.record.name,
            created: Timestamp(seconds: created / 1_000_000_000, nanoseconds: Int32(created % 1_000_000_000)),
            path: container.document.Path, args: container.document.Args, state: container.state,
            imageID: container.record.image, config: container.document.Config, hostConfig: container.document.HostConfig,
            runtime: container.document.Runtime, restartCount: container.document.RestartCount,
            resolvConfPath: directory + "/resolv.conf", hostnamePath: directory + "/hostname", hostsPath: directory + "/hosts",
            logPath: container.document.LogPath ?? "", driver: container.document.Driver, graphDriverData: graph,
            mounts: container.document.Mounts, sizeRw: sizeRw, sizeRootFs: sizeRootFs, network: networkInfo(container))
    }

    /// `GET /containers/{id}/top?ps_args=`: runs `ps` on the host and keeps the rows of the
    /// container's processes (the pids in its cgroup), as dockerd does.
    public func top(_ ref: String, psArguments: String) async throws -> ContainerTop {
        try await offload { try self.topBlocking(ref, psArguments: psArguments) }
    }

    func topBlocking(_ ref: String, psArguments: String) throws -> ContainerTop {
        let container = try resolve(ref)
        guard container.state.Status == .running || container.state.Status == .paused else {
            throw EngineError(.conflict, "Container \(container.id) is not running")
        }
        let pids = try containerPIDs(container)
        let arguments = psArguments.isEmpty ? ["-ef"] : psArguments.split(separator: " ").map(String.init)
        let output = try Self.run("/bin/ps", arguments)
        let lines = output.split(separator: "\n").map(String.init)
        guard let header = lines.first else { throw EngineError(.system, "ps \(psArguments): no output") }
        let titles = header.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let pidColumn = titles.firstIndex(of: "PID") else {
            throw EngineError(.invalidArgument, "Couldn't find PID field in ps output")
        }
        var processes: [[String]] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ", maxSplits: titles.count - 1, omittingEmptySubsequences: true).map(String.init)
            guard fields.count > pidColumn, let pid = Int32(fields[pidColumn]), pids.contains(pid) else { continue }
            processes.append(fields)
        }
        return ContainerTop(titles: titles, processes: processes)
    }

    /// The pids in the container's cgroup (v1: the pids or memory hierarchy; v2: the unified one).
    func containerPIDs(_ container: Loaded) throws(EngineError) -> Set<Int32> {
        let parent = container.document.HostConfig.cgroupParent.isEmpty ? options.specDefaults.cgroupParent : container.document.HostConfig.cgroupParent
        let path = ContainerSpecBuilder.cgroupsPath(parent: parent, id: container.id)
        for root in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup"] {
            if let bytes = try? FileSystem.read(root + path + "/cgroup.procs") {
                return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) })
            }
        }
        throw EngineError(.system, "find the processes of container \(container.id): no cgroup \(path)")
    }

    static func run(_ executable: String, _ arguments: [String]) throws(EngineError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { throw EngineError(.system, "run \(executable)", cause: DescribedError(error)) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw EngineError(.system, "ps failed: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return text
    }

    /// `POST /containers/{id}/rename?name=`.
    public func rename(_ ref: String, to newName: String) async throws {
        try await offload {
            guard !newName.isEmpty else { throw EngineError(.invalidArgument, "Neither old nor new names may be empty") }
            let container = try self.resolve(ref)
            let name = try ContainerNames.validate(newName)
            if name == container.record.name {
                throw EngineError(.invalidArgument, "Renaming a container with the same name as its current name")
            }
            try self.withContainerLock(container.id) {
                do {
                    try self.database.write { connection in
                        if let holder = try connection.container(name: name) {
                            throw EngineError(.conflict, "Conflict. The container name \"\(name)\" is already in use by container \"\(holder.id)\". You have to remove (or rename) that container to be able to reuse that name.")
                        }
                        try connection.renameContainer(id: container.id, to: name)
                    }
                } catch let error as EngineError { throw error } catch {
                    throw EngineError(.system, "rename container \(container.id)", cause: DescribedError(error))
                }
            }
            self.network?.refreshEmbeddedDNS()
            self.emit("rename", id: container.id, extra: ["oldName": container.record.name])
        }
    }

    /// `POST /containers/prune`: removes stopped containers (filters `until`, `label`,
    /// `label!`); answers the removed IDs and the bytes their snapshots held.
    public func prune(filters: [String: Set<String>]) async throws -> (removed: [String], reclaimed: Int64) {
        try await offload {
            for name in filters.keys where !["until", "label", "label!"].contains(name) {
                throw EngineError(.invalidArgument, "invalid filter '\(name)'")
            }
            var until: Int64?
            if let value = filters["until"]?.first { until = try Self.parseUntil(value) }
            let records = try self.storeRead("list containers") { try $0.allContainers() }
            var removed: [String] = []
            var reclaimed: Int64 = 0
            for record in records {
                guard let container = try? self.load(record),
                      [.created, .exited, .dead].contains(container.state.Status) else { continue }
                if let until, record.createdNanoseconds >= until { continue }
                let labels = container.document.Config.labels ?? [:]
                if let wanted = filters["label"], !wanted.allSatisfy({ Self.labelMatches($0, labels) }) { continue }
                if let unwanted = filters["label!"], unwanted.contains(where: { Self.labelMatches($0, labels) }) { continue }
                let size = (try? self.snapshotter.usage(record.id))?.size ?? 0
                do {
                    try self.removeBlocking(record.id, force: false)
                    removed.append(record.id)
                    reclaimed += size
                } catch {
                    continue
                }
            }
            return (removed, reclaimed)
        }
    }

    static func labelMatches(_ filter: String, _ labels: [String: String]) -> Bool {
        if let eq = filter.firstIndex(of: "=") { return labels[String(filter[..<eq])] == String(filter[filter.index(after: eq)...]) }
        return labels[filter] != nil
    }

    /// `until` as a Unix time (seconds, with fraction) or an RFC 3339 time.
    static func parseUntil(_ text: String) throws(EngineError) -> Int64 {
        if let seconds = Double(text) { return Int64(seconds * 1e9) }
        if let time = Timestamp(rfc3339Nano: text) { return time.seconds * 1_000_000_000 + Int64(time.nanoseconds) }
        throw EngineError(.invalidArgument, "invalid filter 'until=\(text)': not a timestamp")
    }

    /// Counts for `/info`.
    public func counts() throws -> ContainerCounts {
        try storeRead("count containers") { connection in
            let all = try connection.containerCount()
            let running = try connection.containerCount(status: "running")
            let paused = try connection.containerCount(status: "paused")
            return ContainerCounts(containers: all, running: running, paused: paused, stopped: all - running - paused)
        }
    }

    /// The container part of `/system/df`: every container with its sizes.
    public func diskUsage() async throws -> [ContainerInfo] {
        var options = ContainerListOptions()
        options.all = true
        options.size = true
        return try await list(options)
    }
}
