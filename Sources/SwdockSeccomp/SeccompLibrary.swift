import CSeccomp

/// Facts about the libseccomp this binary is linked with.
public enum SeccompLibrary {
    /// `major.minor.micro` of the linked libseccomp.
    public static var version: String {
        guard let v = seccomp_version() else { return "unknown" }
        return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)"
    }
}
