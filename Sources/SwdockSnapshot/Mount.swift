/// A mount as a value: what a snapshotter returns and only the shim or runtime performs.
///
/// It has the shape of an OCI runtime-spec mount (`type`, `source`, `options`), so it can be
/// placed in a bundle's config.json as it is.
public struct Mount: Hashable, Sendable, Codable {
    public var type: String
    public var source: String
    public var target: String
    public var options: [String]

    public init(type: String, source: String, target: String = "", options: [String] = []) {
        self.type = type
        self.source = source
        self.target = target
        self.options = options
    }
}
