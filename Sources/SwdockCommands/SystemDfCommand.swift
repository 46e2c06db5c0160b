import ArgumentParser
import SwdockClient

/// `swdock system df`: docker's TYPE/TOTAL/ACTIVE/SIZE/RECLAIMABLE table from `GET /system/df`.
struct SystemDfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "df", abstract: "Show docker disk usage")
    @OptionGroup var global: GlobalOptions
    @Flag(name: [.customShort("v"), .long], help: "Show detailed information on space usage") var verbose = false
    @Option(name: .long, help: "Format output using a custom template") var format: String?

    static let headers = ["Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"]

    func run() throws {
        reportingErrors {
            if verbose && format == nil {
                writeOut(try Self.verbose(try global.client().getNode("/system/df")))
                return
            }
            if verbose { throw FlagError("not supported: system df -v with --format") }
            let table = try TableFormat(format, defaultTable: "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                                        headers: Self.headers)
            let usage = try global.client().getNode("/system/df")
            writeOut(try table.render(Self.rows(usage)))
        }
    }

    static func rows(_ usage: JSONNode) -> [JSONNode] {
        func row(_ type: String, _ total: Int, _ active: Int, _ size: Int64, _ reclaimable: Int64, percent: Bool) -> JSONNode {
            var reclaim = HumanUnits.size(Double(reclaimable))
            if percent, size > 0 { reclaim += " (\(reclaimable * 100 / size)%)" }
            return .object([("Active", .string(String(active))), ("Reclaimable", .string(reclaim)),
                            ("Size", .string(HumanUnits.size(Double(size)))), ("TotalCount", .string(String(total))),
                            ("Type", .string(type))])
        }
        let images = usage["Images"]?.arrayValue ?? []
        let layers = usage["LayersSize"]?.int64Value ?? 0
        var used: Int64 = 0
        var activeImages = 0
        for image in images where (image["Containers"]?.int64Value ?? 0) > 0 {
            activeImages += 1
            let size = image["Size"]?.int64Value ?? -1, shared = image["SharedSize"]?.int64Value ?? -1
            if size != -1, shared != -1 { used += size - shared }
        }
        let containers = usage["Containers"]?.arrayValue ?? []
        var containersSize: Int64 = 0, containersReclaimable: Int64 = 0, activeContainers = 0
        for container in containers {
            let size = container["SizeRw"]?.int64Value ?? 0
            containersSize += size
            let state = container["State"]?.stringValue ?? ""
            if state.contains("running") || state.contains("paused") || state.contains("restarting") {
                activeContainers += 1
            } else {
                containersReclaimable += size
            }
        }
        let volumes = usage["Volumes"]?.arrayValue ?? []
        var volumesSize: Int64 = 0, volumesReclaimable: Int64 = 0, activeVolumes = 0
        for volume in volumes {
            let size = volume["UsageData"]?["Size"]?.int64Value ?? -1
            let references = volume["UsageData"]?["RefCount"]?.int64Value ?? 0
            if size != -1 { volumesSize += size }
            if references > 0 { activeVolumes += 1 } else if size != -1 { volumesReclaimable += size }
        }
        let cache = usage["BuildCache"]?.arrayValue ?? []
        var cacheSize: Int64 = 0, cacheReclaimable: Int64 = 0, activeCache = 0
        for record in cache {
            let size = record["Size"]?.int64Value ?? 0
            let shared = record["Shared"]?.boolValue ?? false
            let inUse = record["InUse"]?.boolValue ?? false
            if inUse { activeCache += 1 }
            if !shared { cacheSize += size }
            if !inUse, !shared { cacheReclaimable += size }
        }
        return [
            row("Images", images.count, activeImages, layers, layers - used, percent: true),
            row("Containers", containers.count, activeContainers, containersSize, containersReclaimable, percent: true),
            row("Local Volumes", volumes.count, activeVolumes, volumesSize, volumesReclaimable, percent: true),
            row("Build Cache", cache.count, activeCache, cacheSize, cacheReclaimable, percent: false),
        ]
    }
}
