import SwdockAPI
import SwdockMetadata

/// The engine backend until `SwdockEngine` implements `EngineBackend`: it answers what the state
/// store knows (counts for `/info`); container and image endpoints stay 501 in the router.
struct StoreBackend: SystemBackend, ContainerBackend {
    let database: Database

    func systemCounts() async throws -> SystemCounts {
        try database.read { connection in
            let running = try connection.containerCount(status: "running")
            let paused = try connection.containerCount(status: "paused")
            let all = try connection.containerCount()
            return SystemCounts(containers: all, running: running, paused: paused, stopped: all - running - paused,
                                images: try connection.imageCount())
        }
    }
}
