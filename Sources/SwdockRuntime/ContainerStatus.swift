/// The OCI runtime-spec status values a container moves through, as `state` prints them.
public enum ContainerStatus: String, Codable, Sendable {
    case creating, created, running, stopped, paused
}
