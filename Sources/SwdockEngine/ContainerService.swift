#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import SwdockMetadata
import SwdockOS
import SwdockShimCore
import SwdockSnapshot

/// The container side of the engine: the lifecycle (create, start, stop, kill, restart,
/// remove) as state types in the store, one `swdock-shim` per running container, exit
/// monitoring, wait, attach, logs, list, inspect, top, rename, prune.
///
/// Who mounts the root filesystem: the daemon. At start it performs the snapshot's `Mount`
/// values on `<exec-root>/containers/<id>/bundle/rootfs` in its own mount namespace (where the
/// shim and runtime run too), so the mount outlives a daemon crash along with the container;
/// it is unmounted when the exit is handled (by this daemon or, after a crash, by the next one
/// at recovery) and on remove. The shim's command line has no mount step, and the mounts stay
/// values until this one place performs them.
///
/// Every state change is one transaction on the container's record. Operations on one
/// container are serialised by a per-container lock; waiting (stop's grace period, wait,
/// attach, logs) happens outside it.
///
/// Networking: through `options.network` (NetworkService): a request without NetworkMode (or
/// `default`) is on the default bridge; `none`, `host`, `container:ID` and user networks as
/// Docker. Without a network service only `none` (the default then) and `host` exist.
public final class ContainerService: @unchecked Sendable {
    let database: Database
    let snapshotter: any Snapshotter
    let images: any ImageResolver
    public let options: ContainerServiceOptions
    let builder: ContainerSpecBuilder
    /// Where the container side publishes its events (create, start, die, …); shared with the
    /// image side through swdockd.
    public let events: EventBus
    /// The local volumes containers mount (`-v NAME:/path`, anonymous volumes).
    public let volumes: VolumeService
    /// The reconcile loop's driver (restart policies, resync).
    let reconciler = Reconciler()
    var layout: EngineLayout { options.layout }

    /// In-memory state: waiters, pending attaches, monitors. Never held across blocking work.
    struct Live {
        var waiters: [String: [ContainerWaiter]] = [:]
        var pendingAttaches: [String: [AttachSubscription]] = [:]
        var monitors: [String: ShimSession] = [:]
        var locks: [String: NSLock] = [:]
        var shutDown = false
    }
    let live = Locked(Live())
    /// Exec instances (ContainerService+Exec.swift).
    let execs = ExecRegistry()
    /// Archive operations under way, which `start` waits for (ContainerFileView.swift).
    let archiveUsers = ArchiveUsers()
    /// Decoded documents by container ID, with the stored text each came from: `ps` loads every
    /// container, and decoding the documents' JSON was most of its time (0.2 ms each).
    let documents = Locked<[String: (text: String, document: ContainerDocument)]>([:])

    /// Builds the service on the shared store and snapshotter, creates its directories and
    /// reconnects to the shims of containers the store says are running (recording the exits
    /// of those that ended while no daemon watched).
    public init(database: Database, snapshotter: any Snapshotter, images: any ImageResolver,
                options: ContainerServiceOptions, host: HostFacts, events: EventBus = EventBus()) throws {
        self.events = events
        self.volumes = try VolumeService(database: database, layout: options.layout, events: events)
        self.database = database
        self.snapshotter = snapshotter
        self.images = images
        self.options = options
        self.builder = ContainerSpecBuilder(defaults: options.specDefaults, host: host)
        guard options.runtimes[options.defaultRuntime] != nil else {
            throw EngineError(.invalidArgument, "default runtime \(options.defaultRuntime) is not installed (known: \(options.runtimes.keys.sorted().joined(separator: ", ")))")
        }
        for directory in [options.layout.dataRoot + "/containers", options.layout.execRoot + "/containers"] {
            do { try FileSystem.makeDirectories(directory, mode: 0o710) } catch {
                throw EngineError(.system, "create \(directory)", cause: error)
            }
        }
        recover()
        // After recover: containers that ended while no daemon watched have given theirs back.
        network?.reconcile()
        startReconciler()
    }

    /// Stops watching shims (as a daemon that exits does); containers keep running. The
    /// service must not be used afterwards.
    public func shutdown() {
        let sessions = live.withLock { state -> [ShimSession] in
            state.shutDown = true
            reconciler.stop()
            let all = Array(state.monitors.values)
            state.monitors = [:]
            return all
        }
        for session in sessions { session.cancel() }
    }

    var isShutDown: Bool { live.withLock { $0.shutDown } }

    // MARK: paths

    func bundle(_ id: String) -> String { layout.containerRunDirectory(id) + "/bundle" }
    func rootfs(_ id: String) -> String { bundle(id) + "/rootfs" }
    func shimSocket(_ id: String) -> String { layout.containerRunDirectory(id) + "/" + ShimProtocol.StateFile.socket }

    // MARK: records

    struct Loaded {
        var record: ContainerRecord
        var state: ContainerState
        var document: ContainerDocument
        var id: String { record.id }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) throws(EngineError) -> String {
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            throw EngineError(.system, "encode \(T.self)", cause: DescribedError(error))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws(EngineError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw EngineError(.system, "decode \(what)", cause: DescribedError(error))
        }
    }

    func load(_ record: ContainerRecord) throws(EngineError) -> Loaded {
        let state = try Self.decode(ContainerState.self, record.state, what: "state of container \(record.id)")
        if let cached = documents.withLock({ $0[record.id] }), cached.text == record.config {
            return Loaded(record: record, state: state, document: cached.document)
        }
        let document = try Self.decode(ContainerDocument.self, record.config, what: "config of container \(record.id)")
        documents.withLock { $0[record.id] = (record.config, document) }
        return Loaded(record: record, state: state, document: document)
    }

    /// Docker's lookup: full ID, then name (`t1` or `/t1`), then a unique ID prefix.
    func resolve(_ ref: String) throws(EngineError) -> Loaded {
        let record: ContainerRecord? = try storeRead("find container \(ref)") { connection in
            if ref.count == 64, let byID = try connection.container(id: ref) { return byID }
            if !ref.isEmpty, let byName = try connection.container(name: ref.hasPrefix("/") ? ref : "/" + ref) { return byName }
            guard !ref.isEmpty else { return nil }
            let matches = try connection.containers(idPrefix: ref)
            if matches.count > 1 {
                throw EngineError(.invalidArgument, "multiple IDs found with provided prefix: \(ref)")
            }
            return matches.first
        }
        guard let record else { throw EngineError(.notFound, "No such container: \(ref)") }
        return try load(record)
    }

    /// The record of `id` as it is now, nil once removed.
    func reload(_ id: String) throws(EngineError) -> Loaded? {
        guard let record = try storeRead("read container \(id)", { try $0.container(id: id) }) else { return nil }
        return try load(record)
    }

    func storeRead<T>(_ step: String, _ body: (Connection) throws -> T) throws(EngineError) -> T {
        do { return try database.read(body) } catch let error as EngineError { throw error } catch {
            throw EngineError(.system, step, cause: DescribedError(error))
        }
    }

    func storeWrite<T>(_ step: String, _ body: (Connection) throws -> T) throws(EngineError) -> T {
        do { return try database.write(body) } catch let error as EngineError { throw error } catch {
            throw EngineError(.system, step, cause: DescribedError(error))
        }
    }

    /// One transaction: the container's state becomes `state`.
    func saveState(_ id: String, _ state: ContainerState) throws(EngineError) {
        let text = try Self.encode(state)
        try storeWrite("record state \(state.Status.rawValue) of container \(id)") { try $0.updateContainerState(id: id, state: text) }
    }

    func saveDocument(_ id: String, state: ContainerState, document: ContainerDocument) throws(EngineError) {
        let stateText = try Self.encode(state), documentText = try Self.encode(document)
        try storeWrite("record container \(id)") { connection in
            try connection.updateContainerState(id: id, state: stateText)
            _ = try connection.execute("UPDATE containers SET config = ? WHERE id = ?", [documentText, id])
        }
    }

    /// Serialises operations on one container.
    func withContainerLock<T>(_ id: String, _ body: () throws -> T) rethrows -> T {
        let lock = live.withLock { state -> NSLock in
            if let lock = state.locks[id] { return lock }
            let lock = NSLock()
            state.locks[id] = lock
            return lock
        }
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs blocking work (shim and runtime calls, mounts, SQLite) off Swift's cooperative pool.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    // MARK: IDs and names

    /// 64 random hex digits whose 12-digit short form is not all decimal (moby's rule, so a
    /// short ID never reads as a number).
    static func generateID() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            var text = ""
            for _ in 0..<4 {
                let word = generator.next() as UInt64
                let hex = String(word, radix: 16)
                text += String(repeating: "0", count: 16 - hex.count) + hex
            }
            if !text.prefix(12).allSatisfy(\.isNumber) { return text }
        }
    }

    static func nowNanoseconds() -> Int64 {
        let now = Timestamp.now()
        return now.seconds * 1_000_000_000 + Int64(now.nanoseconds)
    }
}
