/// The daemon ↔ shim protocol over the shim's Unix socket.
public enum ShimProtocol {
    /// Raised on every incompatible change; the daemon refuses a shim that speaks another one.
    public static let version = 1
}
