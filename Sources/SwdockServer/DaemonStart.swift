import SwdockAPI
import SwdockOS

extension SystemInfo.DaemonStart {
    /// What swdockd serves on: the sockets it took from systemd (`activatedSockets`, in the words
    /// of its "API listening on" log lines) and the Unix sockets it bound itself; `notifySocket`
    /// is NOTIFY_SOCKET as the daemon found it.
    public init(activatedSockets: [SystemdActivation.Socket], socketPaths: [String], notifySocket: String?) {
        self.init(SocketActivated: !activatedSockets.isEmpty,
                  Listeners: activatedSockets.map { "fd://\($0.name) (fd \($0.fileDescriptor.rawValue), from systemd)" }
                      + socketPaths.map { "unix://" + $0 },
                  ServiceManagerNotify: notifySocket != nil)
    }
}

extension DaemonIdentity {
    /// The identity of a daemon serving `activatedSockets` and `socketPaths`.
    public init(engineID: String, configuration: DaemonConfiguration, activatedSockets: [SystemdActivation.Socket],
                socketPaths: [String], notifySocket: String?) {
        self.init(engineID: engineID, configuration: configuration,
                  start: SystemInfo.DaemonStart(activatedSockets: activatedSockets, socketPaths: socketPaths,
                                                notifySocket: notifySocket))
    }
}
