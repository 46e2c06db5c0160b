import SwdockAPI
import SwdockMetadata

/// `/info`'s counts, answered from the state store.
struct StoreBackend: SystemBackend {
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
