/// The engine's image side as the API server sees it: pull (`POST /images/create`), list,
/// inspect, tag, remove, prune, history, save/load. Wire types live in `Image*.swift` here.
public protocol ImageBackend: Sendable {
}
