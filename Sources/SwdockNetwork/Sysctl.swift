#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// `/proc/sys/net/…` settings of the namespace of the calling thread.
enum Sysctl {
    /// Writes `value` to `/proc/sys/<key with dots as slashes>` unless it already holds it
    /// (a read is cheaper than a write, and a read-only /proc/sys with the right value is fine).
    static func set(_ key: String, _ value: String) throws(NetworkError) {
        let path = "/proc/sys/" + key.split(separator: ".").joined(separator: "/")
        if let current = try? FileSystem.read(path), String(decoding: current, as: UTF8.self).trimmed == value { return }
        try os("set sysctl \(key)=\(value)") { () throws(OSError) in
            let fd = try FileDescriptor.open(path, O_WRONLY | O_TRUNC)
            defer { fd.close() }
            try fd.writeAll(value + "\n")
        }
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.last, c == "\n" || c == " " || c == "\t" { s.removeLast() }
        while let c = s.first, c == "\n" || c == " " || c == "\t" { s.removeFirst() }
        return String(s)
    }
}
