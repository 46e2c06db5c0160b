/// Container states as the Engine API reports them in `State.Status`.
public enum EngineContainerState: String, Codable, Sendable, CaseIterable {
    case created, running, paused, restarting, exited, removing, dead
}
