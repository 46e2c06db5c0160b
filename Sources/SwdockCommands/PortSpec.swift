import SwdockAPI

/// docker's `-p/--publish` and `--expose` syntax (go-connections' nat.ParsePortSpecs):
/// `[ip:][hostPort:]containerPort[/proto]`, where both ports may be ranges (`8000-8010:80-90`
/// maps one to one; a host range onto one container port lets the daemon pick one of them).
enum PortSpec {
    struct Parsed: Equatable {
        /// `80/tcp` → bindings, in the order given.
        var bindings: [(port: String, binding: HostConfig.PortBinding)]
        static func == (a: Parsed, b: Parsed) -> Bool {
            a.bindings.map { "\($0.port) \($0.binding.hostIP ?? "") \($0.binding.hostPort ?? "")" }
                == b.bindings.map { "\($0.port) \($0.binding.hostIP ?? "") \($0.binding.hostPort ?? "")" }
        }
    }

    static func publish(_ spec: String) throws(FlagError) -> Parsed {
        var rest = spec
        var proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            proto = String(rest[rest.index(after: slash)...]).lowercased()
            rest = String(rest[..<slash])
            guard ["tcp", "udp", "sctp"].contains(proto) else { throw FlagError("invalid proto: \(proto)") }
        }
        var hostIP = "", hostPort = "", containerPort = rest
        // An IPv6 host address is bracketed: [::1]:8080:80.
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            hostIP = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...].dropFirst()
            let parts = after.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw FlagError("invalid port format: \(spec)") }
            hostPort = parts[0]
            containerPort = parts[1]
        } else {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            switch parts.count {
            case 1: containerPort = parts[0]
            case 2: hostPort = parts[0]; containerPort = parts[1]
            case 3: hostIP = parts[0]; hostPort = parts[1]; containerPort = parts[2]
            default: throw FlagError("invalid port format: \(spec)")
            }
        }
        guard !containerPort.isEmpty else { throw FlagError("no port specified: \(spec)<empty>") }
        let containerRange = try range(containerPort, what: "containerPort", spec: spec)
        let hostRange = hostPort.isEmpty ? nil : try range(hostPort, what: "hostPort", spec: spec)
        var bindings: [(String, HostConfig.PortBinding)] = []
        if let hostRange, hostRange.count != containerRange.count {
            guard containerRange.count == 1 else {
                throw FlagError("invalid ranges specified for container and host Ports: \(containerPort) and \(hostPort)")
            }
            // Host range onto a single container port: the daemon chooses within the range.
            bindings.append(("\(containerRange.lowerBound)/\(proto)",
                             HostConfig.PortBinding(hostIP: hostIP, hostPort: hostPort)))
        } else {
            for (index, port) in containerRange.enumerated() {
                let host = hostRange.map { String($0.lowerBound + index) } ?? ""
                bindings.append(("\(port)/\(proto)", HostConfig.PortBinding(hostIP: hostIP, hostPort: host)))
            }
        }
        return Parsed(bindings: bindings)
    }

    /// `--expose 80[-90][/proto]`: the port keys only.
    static func expose(_ spec: String) throws(FlagError) -> [String] {
        var rest = spec, proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            proto = String(rest[rest.index(after: slash)...]).lowercased()
            rest = String(rest[..<slash])
        }
        if rest.contains(":") { throw FlagError("invalid port format for --expose: \(spec)") }
        return try range(rest, what: "port", spec: spec).map { "\($0)/\(proto)" }
    }

    private static func range(_ text: String, what: String, spec: String) throws(FlagError) -> ClosedRange<Int> {
        let ends = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let low = Int(ends[0]), (0...65535).contains(low) else { throw FlagError("invalid \(what): \(text)") }
        guard ends.count == 2 else { return low...low }
        guard let high = Int(ends[1]), (low...65535).contains(high) else { throw FlagError("invalid range format for --publish: \(text)") }
        return low...high
    }
}
