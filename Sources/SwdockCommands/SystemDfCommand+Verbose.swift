/// `system df -v`: docker's four tables (cli/command/formatter/disk_usage.go `verboseWrite`),
/// each from the rows `images`, `ps` and `volume ls` build.
extension SystemDfCommand {
    static let imageTable = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}"
    static let containerTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}"
    static let volumeTable = "table {{.Name}}\t{{.Links}}\t{{.Size}}"
    static let cacheTable = "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}"
    static let verboseHeaders = ["Name": "VOLUME NAME", "Links": "LINKS", "CacheType": "CACHE TYPE", "LastUsedSince": "LAST USED",
                                 "UsageCount": "USAGE", "Shared": "SHARED"]

    static func verbose(_ usage: JSONNode) throws -> String {
        let now = HumanUnits.now()
        // One row per image, named by its first tag (docker: "Only show the first tag"); the
        // shared and unique sizes with go-units' default precision, the size with 3 digits.
        var images: [JSONNode] = []
        for image in usage["Images"]?.arrayValue ?? [] {
            guard let row = ImageListOptions.rows(image, truncate: true, showDigests: false, now: now).first else { continue }
            let size = image["Size"]?.int64Value ?? 0, shared = image["SharedSize"]?.int64Value ?? -1
            images.append(row
                .replacing("SharedSize", with: .string(shared == -1 ? "N/A" : HumanUnits.size(Double(shared))))
                .replacing("UniqueSize", with: .string(shared == -1 ? "N/A" : HumanUnits.size(Double(size - shared)))))
        }
        // docker leaves out the virtual size here: a container's SIZE is its writable layer only.
        let containers = (usage["Containers"]?.arrayValue ?? []).map { container in
            PsOptions.row(container.replacing("SizeRootFs", with: .number("0")), truncate: true, now: now)
        }
        let volumes: [JSONNode] = (usage["Volumes"]?.arrayValue ?? []).map { volume in
            let size = volume["UsageData"]?["Size"]?.int64Value ?? -1
            return .object([("Links", .string(String(volume["UsageData"]?["RefCount"]?.int64Value ?? 0))),
                            ("Name", .string(volume["Name"]?.stringValue ?? "")),
                            ("Size", .string(size == -1 ? "N/A" : HumanUnits.size(Double(size))))])
        }
        let cacheSize = (usage["BuildCache"]?.arrayValue ?? []).reduce(Int64(0)) { total, record in
            (record["Shared"]?.boolValue ?? false) ? total : total + (record["Size"]?.int64Value ?? 0)
        }
        var headers = ImageListOptions.headers.merging(PsOptions.headers) { image, _ in image }
        headers.merge(verboseHeaders) { _, verbose in verbose }
        func table(_ format: String, _ rows: [JSONNode], idHeader: String) throws -> String {
            var named = headers
            named["ID"] = idHeader
            named["Size"] = "SIZE"
            named["CreatedSince"] = "CREATED"
            return try TableFormat(nil, defaultTable: format, headers: named).render(rows)
        }
        var out = "Images space usage:\n\n"
        out += try table(imageTable, images, idHeader: "IMAGE ID")
        out += "\nContainers space usage:\n\n"
        out += try table(containerTable, containers, idHeader: "CONTAINER ID")
        out += "\nLocal Volumes space usage:\n\n"
        out += try table(volumeTable, volumes, idHeader: "ID")
        out += "\nBuild cache usage: \(HumanUnits.size(Double(cacheSize)))\n\n"
        out += try table(cacheTable, [], idHeader: "CACHE ID")
        return out
    }
}
