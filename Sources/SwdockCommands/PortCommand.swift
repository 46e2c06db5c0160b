import ArgumentParser
import SwdockAPI
import SwdockClient

/// `swdock port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published ports, as `docker port` prints them.
struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port", abstract: "List port mappings or a specific mapping for the container")
    @OptionGroup var global: GlobalOptions
    @Argument var container: String
    @Argument var port: String?

    func run() throws {
        let inspect: ContainerInspect
        do { inspect = try global.client().get("/containers/\(container)/json", as: ContainerInspect.self) } catch {
            exitWithError(error)
        }
        let lines = Self.lines(inspect.NetworkSettings.Ports, only: port)
        if let port, lines.isEmpty {
            exitWithError(ValidationErrorText("Error: No public port '\(port.contains("/") ? port : port + "/tcp")' published for \(container)"))
        }
        FileOutput.standardOutput.write(lines.map { $0 + "\n" }.joined())
    }

    /// `80/tcp -> 0.0.0.0:8080` per binding, by port then protocol; with `only`, just the
    /// host addresses of that port (`0.0.0.0:8080`).
    static func lines(_ ports: [String: JSONValue], only: String?) -> [String] {
        let wanted = only.map { $0.contains("/") ? $0 : $0 + "/tcp" }
        var result: [String] = []
        let keys = ports.keys.sorted { (Int($0.split(separator: "/")[0]) ?? 0, $0) < (Int($1.split(separator: "/")[0]) ?? 0, $1) }
        for key in keys where wanted == nil || wanted == key {
            guard case .array(let bindings) = ports[key] ?? .null else { continue }
            for binding in bindings {
                guard case .object(let fields) = binding, case .string(let ip)? = fields["HostIp"],
                      case .string(let hostPort)? = fields["HostPort"] else { continue }
                let address = "\(ip.contains(":") ? "[\(ip)]" : ip):\(hostPort)"
                result.append(wanted == nil ? "\(key) -> \(address)" : address)
            }
        }
        return result
    }
}
