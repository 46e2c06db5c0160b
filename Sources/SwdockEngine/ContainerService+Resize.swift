import SwdockShimCore

extension ContainerService {
    /// `POST /containers/{id}/resize?h=&w=`: `TIOCSWINSZ` on the container's terminal (the
    /// shim holds the pty master). 409 "Container X is not running" as dockerd says it.
    public func resize(_ ref: String, height: UInt16, width: UInt16) async throws {
        try await offload {
            let container = try self.resolve(ref)
            guard container.state.Status == .running || container.state.Status == .paused else {
                throw EngineError(.conflict, "Container \(container.id) is not running")
            }
            try self.shimResize(container.id, execID: nil, height: height, width: width)
        }
    }

    func shimResize(_ id: String, execID: String?, height: UInt16, width: UInt16) throws(EngineError) {
        var fields = [("width", String(width)), ("height", String(height))]
        if let execID { fields.append(("exec-id", execID)) }
        do {
            let session = try ShimSession(socketPath: shimSocket(id))
            try session.request("resize", fields)
        } catch {
            switch error.code {
            case .notFound: throw EngineError(.notFound, "No such exec instance: \(execID ?? id)")
            case .notRunning: throw EngineError(.conflict, "Container \(id) is not running")
            case .invalid: throw EngineError(.invalidArgument, "resize of container \(id): \(error.message)")
            default: throw EngineError(.system, "resize the terminal of container \(id)", cause: error)
            }
        }
    }
}
