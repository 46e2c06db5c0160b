import SwdockOS

/// A container's `State` as Docker reports it, and as the store keeps it (the state column of
/// the container record is this document as JSON; `$.Status` is indexed by counts).
///
/// Times are RFC 3339 with nanoseconds; Go's zero time (`0001-01-01T00:00:00Z`) means "never".
public struct ContainerState: Codable, Sendable, Equatable {
    public var Status: EngineContainerState
    public var Running: Bool
    public var Paused: Bool
    public var Restarting: Bool
    public var OOMKilled: Bool
    public var Dead: Bool
    public var Pid: Int32
    public var ExitCode: Int32
    public var Error: String
    public var StartedAt: String
    public var FinishedAt: String

    /// Go's zero `time.Time` as dockerd prints it.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    /// A freshly created container.
    public static let created = ContainerState(Status: .created, Running: false, Paused: false, Restarting: false,
                                               OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: "",
                                               StartedAt: zeroTime, FinishedAt: zeroTime)

    /// The state after a successful start.
    func started(pid: Int32, at time: String) -> ContainerState {
        var next = self
        next.Status = .running
        next.Running = true
        next.Paused = false
        next.Restarting = false
        next.OOMKilled = false
        next.Dead = false
        next.Pid = pid
        next.ExitCode = 0
        next.Error = ""
        next.StartedAt = time
        return next
    }

    /// The state after the container's process ended (or its start failed).
    func exited(code: Int32, at time: String, oomKilled: Bool, error: String = "") -> ContainerState {
        var next = self
        next.Status = .exited
        next.Running = false
        next.Paused = false
        next.Restarting = false
        next.OOMKilled = oomKilled
        next.Pid = 0
        next.ExitCode = code
        next.Error = error
        next.FinishedAt = time
        return next
    }

    func with(status: EngineContainerState) -> ContainerState {
        var next = self
        next.Status = status
        next.Dead = status == .dead
        return next
    }
}

/// The lifecycle's legal moves. Each operation asks before it acts, so an illegal request is a
/// 409 with Docker's message and never half-done work.
enum ContainerTransition {
    /// What `start` may do from a state: `.ok` to start, `.alreadyRunning` for Docker's 304.
    enum StartCheck { case ok, alreadyRunning }

    static func checkStart(_ state: EngineContainerState, id: String) throws(EngineError) -> StartCheck {
        switch state {
        case .created, .exited: return .ok
        case .running, .restarting: return .alreadyRunning
        case .paused:
            throw EngineError(.conflict, "cannot start a paused container, try unpause instead")
        case .removing:
            throw EngineError(.conflict, "container is marked for removal and cannot be started")
        case .dead:
            throw EngineError(.conflict, "container is marked for removal and cannot be started")
        }
    }

    /// Signals need a running process.
    static func checkSignal(_ state: EngineContainerState, id: String) throws(EngineError) {
        switch state {
        case .running, .restarting: return
        case .paused: throw EngineError(.conflict, "Container \(id) is paused. Unpause the container before stopping or killing")
        default: throw EngineError(.conflict, "Container \(id) is not running")
        }
    }

    /// Removal: a running container needs `force`; one already being removed is a conflict.
    static func checkRemove(_ state: EngineContainerState, id: String, force: Bool) throws(EngineError) {
        switch state {
        case .running, .restarting, .paused:
            if !force {
                let what = state == .paused ? "paused" : "running"
                throw EngineError(.conflict, "You cannot remove a \(what) container \(id). Stop the container before attempting removal or force remove")
            }
        case .removing:
            throw EngineError(.conflict, "removal of container \(id) is already in progress")
        case .created, .exited, .dead: return
        }
    }
}
