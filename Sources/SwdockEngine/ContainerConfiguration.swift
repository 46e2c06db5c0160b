/// What a create request asks of the container itself (Docker's container `Config`), as the
/// engine uses it. Empty strings and nil mean "not given", as in Docker's Go types; the API
/// layer decodes the wire JSON and fills this in.
///
/// `entrypoint` keeps Docker's three cases apart: nil (use the image's), `[]` (no entrypoint,
/// but the image's Cmd still applies) and `[""]` (what `--entrypoint ""` sends: no entrypoint
/// and no image Cmd).
public struct ContainerConfiguration: Sendable, Equatable {
    public var hostname: String
    public var domainname: String
    public var user: String
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    /// `"80/tcp"` keys of `ExposedPorts`.
    public var exposedPorts: [String]?
    public var tty: Bool
    public var openStdin: Bool
    public var stdinOnce: Bool
    public var env: [String]?
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var image: String
    /// Container paths of anonymous volumes (`Volumes`).
    public var volumes: [String]?
    public var workingDir: String
    public var labels: [String: String]?
    public var stopSignal: String
    /// Seconds; nil means the daemon's default (10).
    public var stopTimeout: Int?
    public var networkDisabled: Bool

    public init(hostname: String = "", domainname: String = "", user: String = "",
                attachStdin: Bool = false, attachStdout: Bool = false, attachStderr: Bool = false,
                exposedPorts: [String]? = nil, tty: Bool = false, openStdin: Bool = false, stdinOnce: Bool = false,
                env: [String]? = nil, cmd: [String]? = nil, entrypoint: [String]? = nil, image: String = "",
                volumes: [String]? = nil, workingDir: String = "", labels: [String: String]? = nil,
                stopSignal: String = "", stopTimeout: Int? = nil, networkDisabled: Bool = false) {
        self.hostname = hostname
        self.domainname = domainname
        self.user = user
        self.attachStdin = attachStdin
        self.attachStdout = attachStdout
        self.attachStderr = attachStderr
        self.exposedPorts = exposedPorts
        self.tty = tty
        self.openStdin = openStdin
        self.stdinOnce = stdinOnce
        self.env = env
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.image = image
        self.volumes = volumes
        self.workingDir = workingDir
        self.labels = labels
        self.stopSignal = stopSignal
        self.stopTimeout = stopTimeout
        self.networkDisabled = networkDisabled
    }
}
