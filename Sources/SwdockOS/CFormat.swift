#if canImport(Glibc)
import Glibc
#endif

/// printf-style number text without Foundation (the CLI links only FoundationEssentials, which
/// has no `String(format:)`): C's own `vsnprintf`, so rounding is exactly printf's.
public enum CFormat {
    /// `%.<decimals>f`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        format("%.\(max(0, decimals))f", value)
    }

    /// `%0<width>d`.
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        format("%0\(max(1, width))lld", Int64(value))
    }

    private static func format(_ pattern: String, _ argument: any CVarArg) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([argument]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, pattern, arguments) }
        }
        guard count >= 0 else { return "" }
        if Int(count) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(count) + 1)
            _ = withVaList([argument]) { arguments in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, pattern, arguments) }
            }
        }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
