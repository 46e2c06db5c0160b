import SwdockNetwork

/// Subnets for the bridges that tests and benchmarks make.
public enum TestSubnets {
    /// A free /24 in 10.200.0.0/13 overlapping no host route and none of `taken`.
    public static func free(excluding taken: [IPv4Subnet] = []) throws -> IPv4Subnet {
        let routes = try SubnetSelector.hostRouteSubnets(RouteNetlink())
        for _ in 0..<500 {
            let base = UInt32(10) << 24 | UInt32.random(in: 200...207) << 16 | UInt32.random(in: 0...255) << 8
            let candidate = IPv4Subnet(containing: base, prefixLength: 24)
            if !(routes + taken).contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        throw NetworkError(.exhausted, "no free test subnet")
    }
}
