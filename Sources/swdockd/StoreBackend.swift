import SwdockAPI
import SwdockMetadata

/// The system and image backends until the image side lands: counts for `/info` from the state
/// store; image endpoints stay 501 in the router. Containers are served by `ContainerService`.
struct StoreBackend: SystemBackend, ImageBackend {
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
