import Foundation
import SwdockOS

extension ContainerService {
    /// `POST /containers/{id}/pause`: the runtime's `pause` (the cgroup freezer); state `paused`.
    public func pause(_ ref: String) async throws {
        try await offload {
            let id = try self.resolve(ref).id
            try self.withContainerLock(id) {
                guard let container = try self.reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
                switch container.state.Status {
                case .paused: throw EngineError(.conflict, "Container \(id) is already paused")
                case .running: break
                case .restarting: throw EngineError(.conflict, "Container \(id) is restarting, wait until the container is running")
                default: throw EngineError(.conflict, "Container \(id) is not running")
                }
                try self.runRuntime(container, "pause")
                var state = container.state.with(status: .paused)
                state.Paused = true
                try self.saveState(id, state)
            }
        }
    }

    /// `POST /containers/{id}/unpause`: the runtime's `resume`; state `running` again.
    public func unpause(_ ref: String) async throws {
        try await offload {
            let id = try self.resolve(ref).id
            try self.withContainerLock(id) {
                guard let container = try self.reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
                guard container.state.Status == .paused else {
                    throw EngineError(.conflict, "Container \(id) is not paused")
                }
                try self.runRuntime(container, "resume")
                var state = container.state.with(status: .running)
                state.Paused = false
                try self.saveState(id, state)
            }
        }
    }

    /// Runs `runtime [--root R] COMMAND ID` and throws its stderr as the message on failure.
    func runRuntime(_ container: Loaded, _ command: String) throws(EngineError) {
        let name = container.document.Runtime
        guard let runtime = options.runtimes[name] else { throw EngineError(.invalidArgument, "Unknown runtime specified \(name)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: runtime.path)
        process.arguments = runtime.arguments + ["--root", layout.runtimeRoot(name), command, container.id]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw EngineError(.system, "run \(runtime.path) \(command) \(container.id)", cause: DescribedError(error))
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw EngineError(.system, "\(runtime.path) \(command) \(container.id): \(text)")
        }
    }
}
