import SwdockOS

extension Runtime {
    /// The OCI state of a container as `state` prints it (runc's fields and order, indented).
    public func stateJSON(_ id: String) throws(RuntimeError) -> String {
        let record = try store.load(id)
        return Runtime.stateJSON(record, status: status(of: record))
    }

    static func stateJSON(_ record: ContainerRecord, status: ContainerStatus, indent: String = "") -> String {
        let pid = status == .stopped ? 0 : record.initPid
        var lines = [
            "\"ociVersion\": \(JSONText.quote(SwdockVersion.ociRuntimeSpec))",
            "\"id\": \(JSONText.quote(record.id))",
            "\"pid\": \(pid)",
            "\"status\": \(JSONText.quote(status.rawValue))",
            "\"bundle\": \(JSONText.quote(record.bundle))",
            "\"rootfs\": \(JSONText.quote(record.rootfs))",
            "\"created\": \(JSONText.quote(record.created))",
            "\"owner\": \(JSONText.quote(record.owner))",
        ]
        if let annotations = record.annotations, !annotations.isEmpty {
            lines.append("\"annotations\": \(JSONText.object(annotations, indent: indent + "  "))")
        }
        return "{\n" + lines.map { indent + "  " + $0 }.joined(separator: ",\n") + "\n\(indent)}"
    }

    /// `list`: every container under the root, with its current status.
    public func list() -> [(record: ContainerRecord, status: ContainerStatus)] {
        store.ids().compactMap { id in
            guard let record = try? store.load(id) else { return nil }
            return (record, status(of: record))
        }
    }
}
