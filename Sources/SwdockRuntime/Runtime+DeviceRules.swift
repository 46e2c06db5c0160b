import SwdockOCI

extension Runtime {
    /// The device cgroup rules runc applies: the spec's own, then an allow for each
    /// `linux.devices` node, then the default set every container needs (null, zero, full,
    /// tty, urandom, random, ptmx, the pts slaves, and mknod of anything).
    static func effectiveResources(_ spec: RuntimeSpec) -> RuntimeSpec.Resources? {
        guard var resources = spec.linux?.resources else { return nil }
        var rules = resources.devices ?? []
        for device in spec.linux?.devices ?? [] {
            rules.append(.init(allow: true, type: device.type == "u" ? "c" : device.type, major: device.major,
                               minor: device.minor, access: "rwm"))
        }
        let defaults: [RuntimeSpec.DeviceCgroup] = [
            .init(allow: true, type: "c", major: nil, minor: nil, access: "m"),
            .init(allow: true, type: "b", major: nil, minor: nil, access: "m"),
            .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
            .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),
            .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),
            .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),
            .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),
            .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),
            .init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"),
            .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),
        ]
        if resources.devices != nil || !(spec.linux?.devices ?? []).isEmpty {
            rules += defaults
            resources.devices = rules
        }
        return resources
    }
}
