/// The engine's container side as the API server sees it: create, start, stop, kill, wait,
/// attach, logs, list, inspect, top, rename, remove, prune. Wire types live in `Container*.swift`.
public protocol ContainerBackend: Sendable {
}
