/// The versioned layout of the engine's state database; each migration raises it by one.
public enum SchemaVersion {
    /// The schema this build writes.
    public static let current = 0
}
