import CCap
import SwdockOCI

extension CapabilitySets {
    /// Masks for the spec's names, through libcap's cap_from_name (`CAP_CHOWN`, `cap_chown`).
    public init(_ caps: RuntimeSpec.Capabilities) throws(RuntimeError) {
        self.init()
        bounding = try CapabilitySets.mask(caps.bounding)
        effective = try CapabilitySets.mask(caps.effective)
        permitted = try CapabilitySets.mask(caps.permitted)
        inheritable = try CapabilitySets.mask(caps.inheritable)
        ambient = try CapabilitySets.mask(caps.ambient)
    }

    static func mask(_ names: [String]?) throws(RuntimeError) -> UInt64 {
        var mask: UInt64 = 0
        for name in names ?? [] {
            var value: cap_value_t = 0
            guard cap_from_name(name, &value) == 0, value >= 0, value < 64 else {
                throw RuntimeError(.config, "unknown capability \"\(name)\"")
            }
            mask |= 1 << UInt64(value)
        }
        return mask
    }

    /// The highest capability number this kernel knows.
    public static var lastCapability: Int32 {
        guard let text = try? HostFiles.readString("/proc/sys/kernel/cap_last_cap"),
              let value = Int32(text.split(separator: "\n").first ?? "") else { return 40 }
        return value
    }
}
