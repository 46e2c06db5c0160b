import ArgumentParser
import SwdockClient

/// `swdock ps`.
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers")
    @OptionGroup var options: PsOptions
    func run() throws { options.execute() }
}

/// `swdock container ls` (also `list`, `ps`).
struct ContainerListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List containers", aliases: ["list", "ps"])
    @OptionGroup var options: PsOptions
    func run() throws { options.execute() }
}

/// The flags of `ps` and their handling: docker's columns, truncation and `--format` forms.
struct PsOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("a"), .long], help: "Show all containers (default shows just running)") var all = false
    @Flag(name: [.customShort("q"), .long], help: "Only display container IDs") var quiet = false
    @Option(name: [.customShort("n"), .customLong("last")], help: "Show n last created containers (includes all states)") var last: Int = -1
    @Flag(name: [.customShort("l"), .long], help: "Show the latest created container (includes all states)") var latest = false
    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes") var size = false
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided") var filter: [String] = []
    @Option(name: .long, help: "Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')") var format: String?

    static let headers = ["ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
                          "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
                          "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES",
                          "Networks": "NETWORKS", "Platform": "PLATFORM"]

    func execute() {
        reportingErrors {
            let withSize = size || (format.map { $0 != "json" && TableFormat.mentions($0, "Size") } ?? false)
            var defaultTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
            if withSize && format == nil { defaultTable += "\t{{.Size}}" }
            let table = try TableFormat(quiet ? nil : format, defaultTable: defaultTable, quietFormat: "{{.ID}}", quiet: quiet,
                                        headers: Self.headers)
            var query: [(String, String)] = []
            var limit = last
            if latest, limit == -1 { limit = 1 }
            if all || limit > 0 { query.append(("all", "1")) }
            if limit > 0 { query.append(("limit", String(limit))) }
            if withSize { query.append(("size", "1")) }
            query += try filtersQuery(filter)
            let list = try global.client().getNode("/containers/json", query: query)
            let now = HumanUnits.now()
            let rows = list.arrayValue.map { Self.row($0, truncate: !noTrunc, now: now) }
            writeOut(try table.render(rows))
        }
    }

    /// docker's `ContainerContext` fields of one `GET /containers/json` entry.
    static func row(_ c: JSONNode, truncate: Bool, now: Double) -> JSONNode {
        let id = c["Id"]?.stringValue ?? ""
        var names: [String] = []
        for name in c["Names"]?.arrayValue ?? [] {
            guard var text = name.stringValue else { continue }
            if text.hasPrefix("/") { text.removeFirst() }
            // With truncation docker hides link names (`/other/alias`).
            if truncate, text.contains("/") { continue }
            names.append(text)
        }
        var image = c["Image"]?.stringValue ?? ""
        if image.isEmpty { image = "<no image>" }
        if truncate, let imageID = c["ImageID"]?.stringValue, HumanUnits.truncateID(imageID) == HumanUnits.truncateID(image) {
            image = HumanUnits.truncateID(image)
        }
        let command = c["Command"]?.stringValue ?? ""
        let created = c["Created"]?.int64Value ?? 0
        let sizeRw = c["SizeRw"]?.int64Value ?? 0
        let sizeRoot = c["SizeRootFs"]?.int64Value ?? 0
        var sizeText = HumanUnits.size(Double(sizeRw), precision: 3)
        if sizeRoot > 0 { sizeText += " (virtual \(HumanUnits.size(Double(sizeRoot), precision: 3)))" }
        var labels: [String] = []
        if case .object(let members)? = c["Labels"] {
            labels = members.map { "\($0.0)=\($0.1.templateText)" }.sorted()
        }
        var mounts: [String] = []
        var localVolumes = 0
        for mount in c["Mounts"]?.arrayValue ?? [] {
            var name = mount["Name"]?.stringValue ?? ""
            if name.isEmpty { name = mount["Source"]?.stringValue ?? "" }
            if truncate { name = HumanUnits.ellipsis(name, 15) }
            mounts.append(name)
            if mount["Driver"]?.stringValue == "local" { localVolumes += 1 }
        }
        var networks: [String] = []
        if case .object(let members)? = c["NetworkSettings"]?["Networks"] { networks = members.map(\.0).sorted() }
        let fields: [(String, JSONNode)] = [
            ("Command", .string(JSONNode.string(truncate ? HumanUnits.ellipsis(command, 20) : command).compactTextNoHTML)),
            ("CreatedAt", .string(HumanUnits.goTimeString(unixSeconds: created))),
            ("ID", .string(truncate ? HumanUnits.truncateID(id) : id)),
            ("Image", .string(image)),
            ("Labels", .string(labels.joined(separator: ","))),
            ("LocalVolumes", .string(String(localVolumes))),
            ("Mounts", .string(mounts.joined(separator: ","))),
            ("Names", .string(names.joined(separator: ","))),
            ("Networks", .string(networks.joined(separator: ","))),
            ("Platform", .null),
            ("Ports", .string(ports(c["Ports"]?.arrayValue ?? []))),
            ("RunningFor", .string(HumanUnits.duration(seconds: now - Double(created)) + " ago")),
            ("Size", .string(sizeText)),
            ("State", .string(c["State"]?.stringValue ?? "")),
            ("Status", .string(c["Status"]?.stringValue ?? "")),
        ]
        return .object(fields)
    }

    /// `0.0.0.0:8080->80/tcp, 443/tcp` as docker lists published and exposed ports.
    static func ports(_ ports: [JSONNode]) -> String {
        ports.map { port in
            let privatePort = port["PrivatePort"]?.int64Value ?? 0
            let type = port["Type"]?.stringValue ?? "tcp"
            guard let publicPort = port["PublicPort"]?.int64Value, publicPort != 0 else { return "\(privatePort)/\(type)" }
            var ip = port["IP"]?.stringValue ?? ""
            if ip.contains(":") { ip = "[\(ip)]" }
            return "\(ip):\(publicPort)->\(privatePort)/\(type)"
        }.joined(separator: ", ")
    }
}

extension JSONNode {
    /// Go's `strconv.Quote`-like quoting: JSON quoting without HTML escapes.
    var compactTextNoHTML: String {
        guard case .string(let s) = self else { return compactText }
        return JSONQuotingBridge.quote(s)
    }
}

import SwdockOS
enum JSONQuotingBridge {
    static func quote(_ text: String) -> String { JSONQuoting.quote(text, escapingHTML: false) }
}
