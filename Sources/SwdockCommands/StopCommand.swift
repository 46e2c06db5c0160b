import ArgumentParser
import SwdockClient

/// `stop` and `restart`'s flags: the grace period and the signal that starts it.
struct StopOptions: ParsableArguments {
    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container") var time: Int?
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container") var signal: String?

    /// `signal=` and `t=` as the docker CLI sends them (only those given).
    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let signal { query.append(("signal", signal)) }
        if let time { query.append(("t", String(time))) }
        return query
    }
}

/// `swdock stop [-t N] [-s SIG] CONTAINER…` (304 Not Modified counts as success, as docker).
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one or more running containers")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var stop: StopOptions
    @Argument(help: "Containers", completion: .containerNames) var containers: [String]

    func run() throws {
        reportingErrors {
            let client = try global.client()
            try client.forEach(containers) { name in try client.call("POST", "/containers/\(name)/stop", query: stop.query) }
        }
    }
}
