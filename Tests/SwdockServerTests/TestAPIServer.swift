import Foundation
import Logging
import SwdockClient
import SwdockServer
import XCTest

/// An API server with routes made for one test, on a socket in a fresh directory; stopped and
/// removed when the test ends.
enum TestAPIServer {
    static func start(for test: XCTestCase, _ configure: (inout Router) -> Void) async throws -> (server: APIServer, client: EngineClient) {
        let directory = "/tmp/swdock-server-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var router = Router()
        configure(&router)
        let server = try await APIServer.start(socketPaths: [directory + "/api.sock"], router: router,
                                               logger: Logger(label: "test"))
        test.addTeardownBlock {
            await server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        return (server, EngineClient(address: DaemonAddress(socketPath: directory + "/api.sock")))
    }
}
