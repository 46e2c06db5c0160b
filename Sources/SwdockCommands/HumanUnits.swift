#if canImport(Glibc)
import Glibc
#endif

/// Docker's go-units formatting, which its tables use.
enum HumanUnits {
    /// `units.HumanDuration`: "Less than a second", "3 seconds", "About a minute", "5 minutes",
    /// "About an hour", "3 hours", "4 days", "2 weeks", "3 months", "2 years".
    static func duration(seconds interval: Double) -> String {
        let seconds = Int(interval)
        if seconds < 1 { return "Less than a second" }
        if seconds == 1 { return "1 second" }
        if seconds < 60 { return "\(seconds) seconds" }
        let minutes = Int(interval / 60)
        if minutes == 1 { return "About a minute" }
        if minutes < 60 { return "\(minutes) minutes" }
        let hours = Int(interval / 3600 + 0.5)
        if hours == 1 { return "About an hour" }
        if hours < 48 { return "\(hours) hours" }
        if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
        if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
        if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
        return "\(Int(interval / 3600) / 24 / 365) years"
    }

    /// `units.HumanSizeWithPrecision`: decimal units (kB, MB, …) with `%.{precision}g`:
    /// 1982347 → "1.98MB" at precision 3, "1.982MB" at 4 (`units.HumanSize`).
    static func size(_ bytes: Double, precision: Int = 4) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        var value = bytes
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return formatG(value, precision: precision) + units[unit]
    }

    /// `units.BytesSize`: binary units with `%.4g` (`23.54GiB`).
    static func binarySize(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
        var value = bytes
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return formatG(value, precision: 4) + units[unit]
    }

    /// Go's `%.Ng`: N significant digits, trailing zeros dropped, exponent form when the exponent
    /// is < -4 or ≥ N (so 999.9 at 3 digits is "1e+03", as docker prints it).
    static func formatG(_ value: Double, precision: Int) -> String {
        if value == 0 { return "0" }
        let p = max(precision, 1)
        var buffer = [CChar](repeating: 0, count: 64)
        // %e gives the exponent after rounding to p significant digits.
        _ = withVaList([p - 1, value]) { vsnprintf(&buffer, buffer.count, "%.*e", $0) }
        let scientific = String(cString: buffer)
        guard let eIndex = scientific.firstIndex(of: "e"), let exponent = Int(scientific[scientific.index(after: eIndex)...]) else {
            return scientific
        }
        if exponent < -4 || exponent >= p {
            var mantissa = String(scientific[..<eIndex])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            let sign = exponent < 0 ? "-" : "+"
            let digits = String(abs(exponent))
            return mantissa + "e" + sign + (digits.count < 2 ? "0" + digits : digits)
        }
        _ = withVaList([max(p - 1 - exponent, 0), value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        var fixed = String(cString: buffer)
        if fixed.contains(".") {
            while fixed.hasSuffix("0") { fixed.removeLast() }
            if fixed.hasSuffix(".") { fixed.removeLast() }
        }
        return fixed
    }

    /// `stringid.TruncateID`: drops `sha256:` and keeps 12 characters.
    static func truncateID(_ id: String) -> String {
        var text = Substring(id)
        if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
        return String(text.prefix(12))
    }

    /// docker's `formatter.Ellipsis`: at most `width` characters, the last one `…` when cut.
    static func ellipsis(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        if width <= 0 { return "" }
        return String(text.prefix(width - 1)) + "…"
    }

    /// Seconds since the epoch now.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Go's `time.Time.String()` of Unix seconds in local time: `2026-12-01 19:45:16 +0000 UTC`.
    static func goTimeString(unixSeconds: Int64) -> String {
        var seconds = time_t(unixSeconds)
        var local = tm()
        localtime_r(&seconds, &local)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S %z %Z", &local)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Parses RFC 3339 (with optional fraction and zone) to Unix seconds.
    static func parseRFC3339(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        guard chars.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: chars[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        var value = Double(timegm(&parts))
        var index = 19
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            while index < chars.count, let digit = Int(String(UnicodeScalar(chars[index]))), (0...9).contains(digit),
                  chars[index] >= 0x30, chars[index] <= 0x39 {
                value += Double(digit) * scale
                scale /= 10
                index += 1
            }
        }
        if index < chars.count, chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-"), chars.count >= index + 6,
           let h = number((index + 1)..<(index + 3)), let m = number((index + 4)..<(index + 6)) {
            let offset = Double(h) * 3600 + Double(m) * 60
            value += chars[index] == UInt8(ascii: "+") ? -offset : offset
        }
        return value
    }
}

/// Go's `text/tabwriter` as docker configures it for tables (`minwidth 10, tabwidth 1, padding 3,
/// padchar ' '`): every tab-terminated cell of a column is padded to the column's widest cell plus
/// 3, at least 10; the text after a line's last tab is not aligned.
struct TabWriter {
    var minWidth = 10
    var padding = 3
    private var lines: [[String]] = []

    init() {}

    /// Adds rendered text (may hold several lines).
    mutating func write(_ text: String) {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        for part in parts { lines.append(part.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)) }
    }

    /// The aligned text. Column widths are computed per block of consecutive lines that have the
    /// column, as tabwriter does.
    func flush() -> String {
        var widths = Array(repeating: [Int](), count: lines.count)
        format(lineRange: 0..<lines.count, column: 0, widths: &widths)
        var out = ""
        for (i, cells) in lines.enumerated() {
            for (j, cell) in cells.enumerated() {
                if j < cells.count - 1 {
                    let width = widths[i][j]
                    out += cell + String(repeating: " ", count: max(width - cell.count, 0))
                } else {
                    out += cell
                }
            }
            out += "\n"
        }
        return out
    }

    private func format(lineRange: Range<Int>, column: Int, widths: inout [[Int]]) {
        var line = lineRange.lowerBound
        while line < lineRange.upperBound {
            // Cells of `column` that are terminated (not the last cell of their line).
            guard lines[line].count - 1 > column else { line += 1; continue }
            let start = line
            var width = minWidth
            while line < lineRange.upperBound, lines[line].count - 1 > column {
                width = max(width, lines[line][column].count + padding)
                line += 1
            }
            for i in start..<line { widths[i].append(width) }
            format(lineRange: start..<line, column: column + 1, widths: &widths)
        }
    }
}
