import ArgumentParser
import SwdockAPI
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// `swdock info`: the daemon's system-wide information, laid out as `docker info`'s Server part.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Display system-wide information")

    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template ({{.NCPU}}, {{json .}}).")
    var format: String?

    func run() throws {
        let info: SystemInfo
        do { info = try global.client().get("/info", as: SystemInfo.self) } catch { exitWithError(error) }
        if let format {
            do {
                let data = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(info))
                FileOutput.standardOutput.write(try GoTemplate(format).render(data) + "\n")
            } catch {
                exitWithError(error)
            }
            return
        }
        FileOutput.standardOutput.write(Self.render(info))
        if let warnings = info.Warnings, !warnings.isEmpty { FileOutput.standardError.write(warnings.joined(separator: "\n") + "\n") }
    }

    static func render(_ info: SystemInfo) -> String {
        var out = "Server:\n"
        out += " Containers: \(info.Containers)\n  Running: \(info.ContainersRunning)\n  Paused: \(info.ContainersPaused)\n"
        out += "  Stopped: \(info.ContainersStopped)\n Images: \(info.Images)\n"
        out += " Server Version: \(info.ServerVersion)\n"
        if let start = info.SwdockDaemonStart {
            out += " Socket Activated: \(start.SocketActivated)\n API Sockets:\n"
            for listener in start.Listeners { out += "  \(listener)\n" }
            out += " Service Manager Notify: \(start.ServiceManagerNotify)\n"
        }
        out += " Storage Driver: \(info.Driver)\n"
        for pair in info.DriverStatus where pair.count == 2 { out += "  \(pair[0]): \(pair[1])\n" }
        out += " Logging Driver: \(info.LoggingDriver)\n Cgroup Driver: \(info.CgroupDriver)\n"
        out += " Cgroup Version: \(info.CgroupVersion)\n Plugins:\n"
        out += "  Volume: \(info.Plugins.Volume.joined(separator: " "))\n"
        out += "  Network: \(info.Plugins.Network.joined(separator: " "))\n"
        out += "  Log: \(info.Plugins.Log.joined(separator: " "))\n"
        out += " Swarm: \(info.Swarm.LocalNodeState)\n"
        out += " Runtimes: \(info.Runtimes.keys.sorted().joined(separator: " "))\n"
        out += " Default Runtime: \(info.DefaultRuntime)\n"
        out += " Security Options:\n"
        for option in info.SecurityOptions {
            let fields = option.split(separator: ",")
            for (i, field) in fields.enumerated() {
                let kv = field.split(separator: "=", maxSplits: 1)
                let value = kv.count == 2 ? String(kv[1]) : String(field)
                if i == 0 { out += "  \(value)\n" } else { out += "   \(kv[0].prefix(1).uppercased() + kv[0].dropFirst()): \(value)\n" }
            }
        }
        out += " Kernel Version: \(info.KernelVersion)\n Operating System: \(info.OperatingSystem)\n"
        out += " OSType: \(info.OSType)\n Architecture: \(info.Architecture)\n CPUs: \(info.NCPU)\n"
        out += " Total Memory: \(Self.bytes(info.MemTotal))\n Name: \(info.Name)\n ID: \(info.ID)\n"
        out += " Docker Root Dir: \(info.DockerRootDir)\n Debug Mode: \(info.Debug)\n"
        if !info.RegistryConfig.InsecureRegistryCIDRs.isEmpty {
            out += " Insecure Registries:\n"
            for cidr in info.RegistryConfig.InsecureRegistryCIDRs { out += "  \(cidr)\n" }
        }
        out += " Live Restore Enabled: \(info.LiveRestoreEnabled)\n"
        return out
    }

    /// docker's `units.BytesSize`: binary units with two decimals (`23.54GiB`).
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var size = Double(value)
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        let hundredths = Int((size * 100).rounded())
        let fraction = hundredths % 100
        let text = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        return text.replacing(".00", with: "") + units[unit]
    }
}
