/// The version every swdock executable reports, and the API version the daemon speaks.
public enum SwdockVersion {
    /// swdock's own release version.
    public static let version = "0.1.0"
    /// The Docker Engine API version swdockd implements (v1.41 behaviour).
    public static let apiVersion = "1.41"
    /// The OCI runtime-spec version swdock-runtime implements.
    public static let ociRuntimeSpec = "1.1.0"
}
