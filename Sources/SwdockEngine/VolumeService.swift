import Foundation
import SwdockMetadata
import SwdockOS

/// One volume as the engine reports it.
public struct VolumeDescription: Sendable, Equatable {
    public var name: String
    public var driver: String
    public var labels: [String: String]
    public var options: [String: String]
    public var anonymous: Bool
    public var createdAt: Timestamp
    /// `<data-root>/volumes/<name>/_data`.
    public var mountpoint: String
}

/// Volumes of the `local` driver: a directory `<data-root>/volumes/<name>/_data` per volume,
/// one row in the store's `volumes` table. Containers reference volumes from their documents'
/// `Mounts` (Type volume, Name), which is what "in use" means.
///
/// Driver options (`type`, `device`, `o`: mounting a device or NFS share as the volume) are not
/// implemented: a create with any of them is "not supported: …".
public final class VolumeService: @unchecked Sendable {
    let database: Database
    let layout: EngineLayout
    let events: EventBus
    /// Serialises create/remove so "create on first use" never races a remove.
    let lock = NSLock()

    public init(database: Database, layout: EngineLayout, events: EventBus) throws {
        self.database = database
        self.layout = layout
        self.events = events
        do { try FileSystem.makeDirectories(root, mode: 0o701) } catch {
            throw EngineError(.system, "create \(root)", cause: error)
        }
    }

    var root: String { layout.dataRoot + "/volumes" }
    func directory(_ name: String) -> String { root + "/" + name }
    /// Where a volume's content lives (what containers bind-mount).
    public func mountpoint(_ name: String) -> String { directory(name) + "/_data" }

    func store<T>(_ step: String, write: Bool = false, _ body: (Connection) throws -> T) throws(EngineError) -> T {
        do { return write ? try database.write(body) : try database.read(body) } catch let error as EngineError { throw error } catch {
            throw EngineError(.system, step, cause: DescribedError(error))
        }
    }

    func describe(_ record: VolumeRecord) -> VolumeDescription {
        let labels = (try? JSONDecoder().decode([String: String].self, from: Data(record.labels.utf8))) ?? [:]
        let options = (try? JSONDecoder().decode([String: String].self, from: Data(record.options.utf8))) ?? [:]
        return VolumeDescription(name: record.name, driver: record.driver, labels: labels, options: options,
                                 anonymous: record.anonymous,
                                 createdAt: Timestamp(seconds: record.createdNanoseconds / 1_000_000_000,
                                                      nanoseconds: Int32(record.createdNanoseconds % 1_000_000_000)),
                                 mountpoint: mountpoint(record.name))
    }

    /// `POST /volumes/create`: a new volume, or the existing one of that name (Docker answers
    /// it unchanged when the driver matches). No name: a generated 64-hex name. Returns the
    /// volume and whether it was created now.
    @discardableResult
    public func create(name requested: String?, driver: String? = nil, labels: [String: String] = [:],
                       options: [String: String] = [:], anonymous: Bool = false) throws(EngineError) -> (VolumeDescription, Bool) {
        let driver = (driver ?? "").isEmpty ? "local" : driver!
        guard driver == "local" else { throw EngineError(.notFound, "error looking up volume plugin \(driver): plugin \"\(driver)\" not found") }
        if let key = options.keys.sorted().first {
            throw EngineError(.notSupported, "local volume option \(key) (mounting type/device/o as a volume is not implemented)")
        }
        let name = (requested ?? "").isEmpty ? ContainerService.generateID() : requested!
        try BindSpec.checkVolumeName(name)
        lock.lock()
        defer { lock.unlock() }
        if let existing = try store("look up volume \(name)", { try $0.volume(name: name) }) {
            return (describe(existing), false)
        }
        do { try FileSystem.makeDirectories(mountpoint(name), mode: 0o755) } catch {
            throw EngineError(.system, "create the directory of volume \(name)", cause: error)
        }
        let record = VolumeRecord(name: name, driver: driver, labels: try ContainerService.encode(labels),
                                  options: try ContainerService.encode(options), anonymous: anonymous,
                                  createdNanoseconds: ContainerService.nowNanoseconds())
        do {
            try store("record volume \(name)", write: true) { try $0.insertVolume(record) }
        } catch {
            HostPaths.removeTree(directory(name))
            throw error
        }
        events.publish(type: "volume", action: "create", actorID: name, attributes: ["driver": driver])
        return (describe(record), true)
    }

    /// `GET /volumes/{name}`.
    public func inspect(_ name: String) throws(EngineError) -> VolumeDescription {
        guard let record = try store("look up volume \(name)", { try $0.volume(name: name) }) else {
            throw EngineError(.notFound, "get \(name): no such volume")
        }
        return describe(record)
    }

    /// The containers (IDs) whose mounts name the volume.
    public func users(of name: String) throws(EngineError) -> [String] {
        let records = try store("list containers", { try $0.allContainers() })
        return records.filter { record in
            guard let document = try? JSONDecoder().decode(ContainerDocument.self, from: Data(record.config.utf8)) else { return false }
            return document.Mounts.contains { $0.Type == "volume" && $0.Name == name }
        }.map(\.id)
    }

    /// `GET /volumes?filters=`: `name` (substring), `label` (`k` or `k=v`), `driver`, `dangling`
    /// (true: used by no container).
    public func list(filters: [String: Set<String>]) throws(EngineError) -> [VolumeDescription] {
        for key in filters.keys.sorted() where !["name", "label", "driver", "dangling"].contains(key) {
            throw EngineError(.invalidArgument, "invalid filter '\(key)'")
        }
        var dangling: Bool?
        if let values = filters["dangling"] {
            guard values.count == 1, let value = values.first, ["true", "false", "1", "0"].contains(value) else {
                throw EngineError(.invalidArgument, "invalid filter 'dangling=\(values.sorted().joined(separator: ","))'")
            }
            dangling = value == "true" || value == "1"
        }
        let records = try store("list volumes", { try $0.allVolumes() })
        var used = Set<String>()
        if dangling != nil {
            for record in try store("list containers", { try $0.allContainers() }) {
                guard let document = try? JSONDecoder().decode(ContainerDocument.self, from: Data(record.config.utf8)) else { continue }
                for mount in document.Mounts where mount.Type == "volume" { if let name = mount.Name { used.insert(name) } }
            }
        }
        return records.map(describe).filter { volume in
            if let names = filters["name"], !names.contains(where: { volume.name.contains($0) }) { return false }
            if let drivers = filters["driver"], !drivers.contains(volume.driver) { return false }
            if let labels = filters["label"] {
                for label in labels {
                    if let equals = label.firstIndex(of: "=") {
                        if volume.labels[String(label[..<equals])] != String(label[label.index(after: equals)...]) { return false }
                    } else if volume.labels[label] == nil { return false }
                }
            }
            if let dangling, dangling == used.contains(volume.name) { return false }
            return true
        }
    }

    /// `DELETE /volumes/{name}?force=`: 409 while a container uses it (even with force, as
    /// Docker); force makes a missing volume not an error.
    public func remove(_ name: String, force: Bool) throws(EngineError) {
        lock.lock()
        defer { lock.unlock() }
        guard try store("look up volume \(name)", { try $0.volume(name: name) }) != nil else {
            if force { return }
            throw EngineError(.notFound, "get \(name): no such volume")
        }
        let users = try users(of: name)
        if !users.isEmpty {
            throw EngineError(.conflict, "remove \(name): volume is in use - [\(users.joined(separator: ", "))]")
        }
        try removeUnlocked(name)
    }

    func removeUnlocked(_ name: String) throws(EngineError) {
        if HostPaths.isMountPointBelow(directory(name)) {
            throw EngineError(.conflict, "remove \(name): something is mounted in \(directory(name))")
        }
        do { try FileManager.default.removeItem(atPath: directory(name)) } catch {
            if FileManager.default.fileExists(atPath: directory(name)) {
                throw EngineError(.system, "remove the directory of volume \(name)", cause: DescribedError(error))
            }
        }
        _ = try store("remove volume \(name)", write: true) { try $0.deleteVolume(name: name) }
        events.publish(type: "volume", action: "destroy", actorID: name, attributes: ["driver": "local"])
    }

    /// `POST /volumes/prune`: removes unused anonymous volumes (with `all=true`: every unused
    /// one, as Docker 23+), also filtered by `label`; answers the names and bytes freed.
    public func prune(filters: [String: Set<String>]) throws(EngineError) -> (removed: [String], reclaimed: Int64) {
        for key in filters.keys.sorted() where !["label", "all"].contains(key) {
            throw EngineError(.invalidArgument, "invalid filter '\(key)'")
        }
        let all = filters["all"].map { $0.contains("true") || $0.contains("1") } ?? false
        var labelFilters = filters
        labelFilters["all"] = nil
        labelFilters["dangling"] = ["true"]
        var removed: [String] = []
        var reclaimed: Int64 = 0
        for volume in try list(filters: labelFilters) where all || volume.anonymous {
            lock.lock()
            defer { lock.unlock() }
            guard (try? users(of: volume.name))?.isEmpty == true else { continue }
            let size = Self.diskUsage(directory(volume.name))
            if (try? removeUnlocked(volume.name)) != nil {
                removed.append(volume.name)
                reclaimed += size
            }
        }
        return (removed, reclaimed)
    }

    static func diskUsage(_ path: String) -> Int64 {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        while let item = enumerator.nextObject() as? String {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + item),
               (attributes[.type] as? FileAttributeType) == .typeRegular {
                total += (attributes[.size] as? Int64) ?? 0
            }
        }
        return total
    }
}
