import SwdockOCI

/// One device cgroup rule in the kernel's text form: `c 1:3 rwm`, `a *:* rwm`.
struct DeviceRule: Equatable, Sendable {
    /// `a` (all), `c` (char) or `b` (block).
    var type: Character
    /// -1 is the wildcard `*`.
    var major: Int64
    var minor: Int64
    /// A subset of `rwm`, in that order.
    var access: String

    var text: String {
        "\(type) \(major < 0 ? "*" : String(major)):\(minor < 0 ? "*" : String(minor)) \(access)"
    }

    /// Builds a rule from the OCI form (`type` nil = `a`, major/minor nil = `*`, access nil = `rwm`).
    init(_ spec: RuntimeSpec.DeviceCgroup, position: Int) throws(CgroupError) {
        let typeText = spec.type ?? "a"
        guard typeText.count == 1, let type = typeText.first, "acb".contains(type) else {
            throw CgroupError(.invalidArgument, "linux.resources.devices[\(position)]: type \"\(typeText)\" is not a, c or b")
        }
        let accessText = spec.access ?? "rwm"
        guard accessText.allSatisfy({ "rwm".contains($0) }) else {
            throw CgroupError(.invalidArgument, "linux.resources.devices[\(position)]: access \"\(accessText)\" is not made of r, w and m")
        }
        self.init(type: type, major: spec.major ?? -1, minor: spec.minor ?? -1,
                  access: accessText.isEmpty ? "rwm" : DeviceRule.canonical(accessText))
    }

    init(type: Character, major: Int64, minor: Int64, access: String) {
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// Parses a line of devices.list.
    init?(listLine: Substring) {
        let fields = listLine.split(separator: " ")
        guard fields.count == 3, let type = fields[0].first else { return nil }
        let numbers = fields[1].split(separator: ":")
        guard numbers.count == 2 else { return nil }
        func number(_ s: Substring) -> Int64? { s == "*" ? -1 : Int64(s) }
        guard let major = number(numbers[0]), let minor = number(numbers[1]) else { return nil }
        self.init(type: type, major: major, minor: minor, access: DeviceRule.canonical(String(fields[2])))
    }

    static func canonical(_ access: String) -> String {
        String("rwm".filter { access.contains($0) })
    }
}

/// The device cgroup's state as the v1 kernel keeps it: a default behaviour (allow or deny
/// everything) plus exceptions. Rules are replayed in order the way the kernel applies
/// writes to devices.allow/devices.deny, so the result is what the kernel would hold; runc's
/// v1 devices emulator does the same to write the smallest set of changes.
struct DeviceCgroupState: Equatable, Sendable {
    var defaultAllow: Bool
    var exceptions: [DeviceRule]

    /// A new v1 cgroup inherits its parent's state; with no rules a container allows everything.
    static let allowAll = DeviceCgroupState(defaultAllow: true, exceptions: [])

    mutating func apply(allow: Bool, _ rule: DeviceRule) {
        if rule.type == "a" {
            // Any `a` rule resets the cgroup (the kernel ignores its numbers and access).
            self = DeviceCgroupState(defaultAllow: allow, exceptions: [])
            return
        }
        let key = { (r: DeviceRule) in r.type == rule.type && r.major == rule.major && r.minor == rule.minor }
        if allow == defaultAllow {
            // Same as the default: removes access from a matching exception.
            exceptions = exceptions.compactMap { existing in
                guard key(existing) else { return existing }
                let left = existing.access.filter { !rule.access.contains($0) }
                return left.isEmpty ? nil : DeviceRule(type: existing.type, major: existing.major,
                                                       minor: existing.minor, access: String(left))
            }
        } else if let index = exceptions.firstIndex(where: key) {
            exceptions[index].access = DeviceRule.canonical(exceptions[index].access + rule.access)
        } else {
            exceptions.append(rule)
        }
    }

    /// The state after the OCI rules, starting from allow-all as a new container cgroup does.
    static func from(_ rules: [RuntimeSpec.DeviceCgroup]) throws(CgroupError) -> DeviceCgroupState {
        var state = DeviceCgroupState.allowAll
        for (position, spec) in rules.enumerated() {
            state.apply(allow: spec.allow, try DeviceRule(spec, position: position))
        }
        return state
    }

    /// Reads devices.list: `a *:* rwm` alone is allow-all (the kernel lists no exceptions of an
    /// allow-all cgroup); otherwise the lines are the allowed exceptions of a deny-all cgroup.
    static func parse(list: String) -> DeviceCgroupState? {
        let rules = list.split(separator: "\n").compactMap { DeviceRule(listLine: $0) }
        if rules.contains(where: { $0.type == "a" }) { return rules.count == 1 ? .allowAll : nil }
        return DeviceCgroupState(defaultAllow: false, exceptions: rules)
    }

    /// The writes (file name, rule text) that take a cgroup in `current` to `self`.
    func writes(from current: DeviceCgroupState?) -> [(file: String, rule: String)] {
        if let current, current == self { return [] }
        if let current, !current.defaultAllow, !defaultAllow {
            // Both deny by default: drop what is no longer wanted, add what is new, with no
            // moment at which the container may open more than either state allows.
            let remove = current.exceptions.filter { !exceptions.contains($0) }.map { ("devices.deny", $0.text) }
            let add = exceptions.filter { !current.exceptions.contains($0) }.map { ("devices.allow", $0.text) }
            return remove + add
        }
        let reset = DeviceRule(type: "a", major: -1, minor: -1, access: "rwm").text
        if defaultAllow {
            return [("devices.allow", reset)] + exceptions.map { ("devices.deny", $0.text) }
        }
        return [("devices.deny", reset)] + exceptions.map { ("devices.allow", $0.text) }
    }
}
