#if canImport(Glibc)
import Glibc
#endif

/// `list` output: runc's tab-aligned table and its JSON array.
public enum ContainerListing {
    public static func table(_ items: [(record: ContainerRecord, status: ContainerStatus)]) -> String {
        var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
        for (record, status) in items {
            rows.append([record.id, "\(status == .stopped ? 0 : record.initPid)", status.rawValue, record.bundle,
                         record.created, record.owner.isEmpty ? "root" : record.owner])
        }
        // Go's tabwriter(minwidth 12, padding 3): each column as wide as its widest cell + 3.
        var widths = [Int](repeating: 12, count: 6)
        for row in rows { for (i, cell) in row.enumerated() where i < 5 { widths[i] = max(widths[i], cell.count + 3) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i < 5 ? cell + String(repeating: " ", count: widths[i] - cell.count) : cell }.joined()
        }.joined(separator: "\n") + "\n"
    }

    public static func json(_ items: [(record: ContainerRecord, status: ContainerStatus)]) -> String {
        let objects = items.map { item -> String in
            let r = item.record
            var fields = ["\"ociVersion\":\(JSONText.quote("1.1.0"))", "\"id\":\(JSONText.quote(r.id))",
                          "\"pid\":\(item.status == .stopped ? 0 : r.initPid)", "\"status\":\(JSONText.quote(item.status.rawValue))",
                          "\"bundle\":\(JSONText.quote(r.bundle))", "\"rootfs\":\(JSONText.quote(r.rootfs))",
                          "\"created\":\(JSONText.quote(r.created))"]
            if let a = r.annotations, !a.isEmpty {
                fields.append("\"annotations\":{" + a.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\(JSONText.quote($0.value))" }.joined(separator: ",") + "}")
            }
            fields.append("\"owner\":\(JSONText.quote(r.owner.isEmpty ? "root" : r.owner))")
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + objects.joined(separator: ",") + "]"
    }
}

/// The runtime process's own environment.
public enum ProcessEnvironment {
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}
