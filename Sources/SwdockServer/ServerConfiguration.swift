import SwdockOS

/// Where the daemon listens and where it keeps its state, with dockerd's defaults.
public struct ServerConfiguration: Sendable {
    public var hosts: [String] = ["unix:///run/swdock.sock"]
    public var dataRoot = "/var/lib/swdock"
    public var execRoot = "/run/swdock"
    public var configFile = "/etc/swdock/daemon.json"
    public var pidFile = "/run/swdockd.pid"
    public var debug = false
    public init() {}
}
