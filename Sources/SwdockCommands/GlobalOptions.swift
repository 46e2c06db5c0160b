#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import SwdockClient

/// Options every command takes (docker's `-H/--host`).
public struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("H"), .long], help: "Daemon socket to connect to (unix://PATH).")
    public var host: String?

    public init() {}

    /// The client for the daemon `-H`, `SWDOCK_HOST` or `DOCKER_HOST` names.
    public func client() throws -> EngineClient {
        EngineClient(address: try DaemonAddress.resolve(flag: host))
    }
}

/// Prints an error as docker does and exits with `code`.
func exitWithError(_ error: any Error, code: Int32 = 1) -> Never {
    var message = "\(error)"
    if !message.hasSuffix("\n") { message += "\n" }
    FileOutput.standardError.write(message)
    exit(code)
}
