import ArgumentParser
import SwdockAPI
import SwdockClient
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// `swdock version`: the client's and the daemon's versions, laid out as `docker version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the swdock version information")

    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template ({{.Client.Version}}, {{json .Server}}).")
    var format: String?

    func run() throws {
        let client: EngineClient
        do { client = try global.client() } catch { exitWithError(error) }
        let clientInfo = Self.clientInfo()
        var server: SystemVersion?
        var serverError: (any Error)?
        do { server = try client.get("/version", as: SystemVersion.self) } catch { serverError = error }

        if let format {
            do {
                let template = try GoTemplate(format)
                var data: [String: JSONValue] = ["Client": clientInfo]
                if let server { data["Server"] = try Self.jsonValue(server) }
                FileOutput.standardOutput.write(try template.render(.object(data)) + "\n")
            } catch {
                exitWithError(error)
            }
        } else {
            FileOutput.standardOutput.write(Self.render(client: clientInfo, server: server))
        }
        if let serverError { exitWithError(serverError) }
    }

    static func clientInfo() -> JSONValue {
        var info = stat()
        _ = stat("/proc/self/exe", &info)
        var seconds = info.st_mtim.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        let built = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .object(["Platform": .object(["Name": .string("swdock")]), "Version": .string(SwdockVersion.version),
                        "ApiVersion": .string(SwdockVersion.apiVersion), "DefaultAPIVersion": .string(SwdockVersion.apiVersion),
                        "GitCommit": .string(""), "GoVersion": .string(swiftVersion), "Os": .string("linux"),
                        "Arch": .string(goArch), "BuildTime": .string(built), "Context": .string("default")])
    }

    static var swiftVersion: String {
        #if compiler(>=6.3)
        return "swift6.3"
        #elseif compiler(>=6.2)
        return "swift6.2"
        #else
        return "swift6"
        #endif
    }

    static var goArch: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }

    static func jsonValue<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    static func line(_ indent: String, _ label: String, _ value: String) -> String {
        let padded = (label + ":").padding(toLength: indent == " " ? 19 : 18)
        return indent + padded + value + "\n"
    }

    static func render(client: JSONValue, server: SystemVersion?) -> String {
        func text(_ key: String) -> String { client[key]?.templateText ?? "" }
        var out = "Client:\n"
        out += line(" ", "Version", text("Version"))
        out += line(" ", "API version", text("ApiVersion"))
        out += line(" ", "Go version", text("GoVersion"))
        out += line(" ", "Git commit", text("GitCommit"))
        out += line(" ", "Built", ansicTime(text("BuildTime")))
        out += line(" ", "OS/Arch", "\(text("Os"))/\(text("Arch"))")
        out += line(" ", "Context", text("Context"))
        guard let server else { return out }
        out += "\nServer: \(server.Platform.Name)\n"
        let components = server.Components ?? [SystemVersion.Component(Name: "Engine", Version: server.Version, Details: [
            "ApiVersion": server.ApiVersion, "MinAPIVersion": server.MinAPIVersion ?? "", "GitCommit": server.GitCommit,
            "GoVersion": server.GoVersion, "Os": server.Os, "Arch": server.Arch, "BuildTime": server.BuildTime ?? "",
            "Experimental": "false",
        ])]
        for component in components {
            out += " \(component.Name):\n"
            out += line("  ", "Version", component.Version)
            let details = component.Details ?? [:]
            if component.Name == "Engine" {
                out += line("  ", "API version", "\(details["ApiVersion"] ?? "") (minimum version \(details["MinAPIVersion"] ?? ""))")
                out += line("  ", "Go version", details["GoVersion"] ?? "")
                out += line("  ", "Git commit", details["GitCommit"] ?? "")
                out += line("  ", "Built", ansicTime(details["BuildTime"] ?? ""))
                out += line("  ", "OS/Arch", "\(details["Os"] ?? "")/\(details["Arch"] ?? "")")
                out += line("  ", "Experimental", details["Experimental"] ?? "false")
            } else {
                for key in details.keys.sorted() { out += line("  ", key, details[key] ?? "") }
            }
        }
        return out
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}
