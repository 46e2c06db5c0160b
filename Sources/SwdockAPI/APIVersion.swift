/// An Engine API version (`1.41`), compared numerically per component as dockerd does.
public struct APIVersion: Comparable, Sendable, CustomStringConvertible, Hashable {
    public let components: [Int]

    /// Parses `1.41`; nil for anything that is not dot-separated decimal numbers.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var components: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), let n = Int(part) else { return nil }
            components.append(n)
        }
        guard !components.isEmpty else { return nil }
        self.components = components
    }

    public var description: String { components.map(String.init).joined(separator: ".") }

    public static func < (a: APIVersion, b: APIVersion) -> Bool {
        for i in 0..<max(a.components.count, b.components.count) {
            let x = i < a.components.count ? a.components[i] : 0
            let y = i < b.components.count ? b.components[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    public static func == (a: APIVersion, b: APIVersion) -> Bool { !(a < b) && !(b < a) }
    public func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }

    /// The version swdockd speaks (Docker 20.10's).
    public static let current = APIVersion("1.41")!
    /// The oldest version dockerd 20.10 accepts.
    public static let minimum = APIVersion("1.12")!
}
