#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// Unbuffered writes to stdout/stderr through the OS layer.
struct FileOutput {
    let fd: FileDescriptor
    static let standardOutput = FileOutput(fd: .standardOutput)
    static let standardError = FileOutput(fd: .standardError)

    func write(_ text: String) { try? fd.writeAll(text) }
}

/// Go's `time.ANSIC` layout of an RFC 3339 timestamp, in local time as docker prints `Built:`.
func ansicTime(_ rfc3339: String) -> String {
    let digits = rfc3339.split(whereSeparator: { !$0.isNumber }).compactMap { Int32($0) }
    guard digits.count >= 6 else { return rfc3339 }
    var parts = tm()
    parts.tm_year = digits[0] - 1900
    parts.tm_mon = digits[1] - 1
    parts.tm_mday = digits[2]
    parts.tm_hour = digits[3]
    parts.tm_min = digits[4]
    parts.tm_sec = digits[5]
    var seconds = timegm(&parts)
    var local = tm()
    localtime_r(&seconds, &local)
    var buffer = [CChar](repeating: 0, count: 64)
    let n = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Y", &local)
    return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
