/// How a layer blob is compressed, told from its first bytes rather than its media type
/// (registries and tools do mislabel layers).
public enum LayerCompression: String, Sendable, CaseIterable {
    case none, gzip, zstd

    /// Detects gzip (`1f 8b`) and zstd (`28 b5 2f fd`) magic numbers; anything else is taken as a plain tar.
    public static func detect(_ prefix: some Collection<UInt8>) -> LayerCompression {
        let head = Array(prefix.prefix(4))
        if head.count >= 2, head[0] == 0x1f, head[1] == 0x8b { return .gzip }
        if head.count >= 4, head == [0x28, 0xb5, 0x2f, 0xfd] { return .zstd }
        return .none
    }
}
