/// The container's /etc/hostname, /etc/hosts and /etc/resolv.conf, with the content Docker's
/// libnetwork writes (checked against a dockerd 20.10.24's files).
public enum NetworkFiles {
    /// The standard lines of a container's /etc/hosts (tab-separated, as Docker writes them).
    public static let defaultHosts = """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters

        """

    /// Docker's public resolvers when no usable nameserver is left.
    public static let fallbackNameservers = ["8.8.8.8", "8.8.4.4"]

    static func files(config: ContainerConfiguration, hostConfig: HostConfiguration, modes: NamespaceModes,
                      host: HostFacts, ipAddress: String?) throws(EngineError) -> [ContainerFile] {
        let dnsGiven = !hostConfig.dns.isEmpty || !hostConfig.dnsSearch.isEmpty || !hostConfig.dnsOptions.isEmpty
        let resolv: String
        if modes.networkHost && !dnsGiven {
            resolv = host.resolvConf
        } else if dnsGiven {
            resolv = ResolvConf.build(nameservers: hostConfig.dns.isEmpty ? ResolvConf.nameservers(host.resolvConf) : hostConfig.dns,
                                      search: hostConfig.dnsSearch.isEmpty ? ResolvConf.searchDomains(host.resolvConf) : hostConfig.dnsSearch,
                                      options: hostConfig.dnsOptions.isEmpty ? ResolvConf.options(host.resolvConf) : hostConfig.dnsOptions)
        } else {
            resolv = ResolvConf.filtered(host.resolvConf, ipv6: false)
        }
        let hosts = modes.networkHost
            ? host.hosts
            : try Self.hosts(hostname: config.hostname, domainname: config.domainname, ipAddress: ipAddress,
                             extraHosts: hostConfig.extraHosts)
        return [ContainerFile(name: "hostname", contents: config.hostname + "\n"),
                ContainerFile(name: "hosts", contents: hosts),
                ContainerFile(name: "resolv.conf", contents: resolv)]
    }

    /// /etc/hosts of a container with its own network namespace: the standard lines, the
    /// `--add-host` entries, then the container's own address when it has one.
    public static func hosts(hostname: String, domainname: String = "", ipAddress: String?,
                             extraHosts: [String] = []) throws(EngineError) -> String {
        var text = defaultHosts
        for entry in extraHosts {
            // `name:ip`; the IP may be IPv6 and contain colons.
            guard let colon = entry.firstIndex(of: ":") else {
                throw EngineError(.invalidArgument, "invalid argument \"\(entry)\" for \"--add-host\" flag: bad format for add-host: \"\(entry)\"")
            }
            let name = entry[..<colon], address = entry[entry.index(after: colon)...]
            if address == "host-gateway" {
                throw EngineError(.notSupported, "--add-host \(entry): host-gateway needs the bridge network")
            }
            guard !name.isEmpty, !address.isEmpty else {
                throw EngineError(.invalidArgument, "invalid argument \"\(entry)\" for \"--add-host\" flag: bad format for add-host: \"\(entry)\"")
            }
            text += "\(address)\t\(name)\n"
        }
        if let ipAddress, !ipAddress.isEmpty {
            let names = domainname.isEmpty ? hostname : "\(hostname).\(domainname) \(hostname)"
            text += "\(ipAddress)\t\(names)\n"
        }
        return text
    }
}

/// resolv.conf rules of libnetwork's resolvconf package.
public enum ResolvConf {
    /// Lines without comments (`#` or `;` to the end of the line).
    static func lines(_ text: String) -> [[Substring]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let content = line.prefix { $0 != "#" && $0 != ";" }
            return content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        }
    }

    /// The `nameserver` addresses, in order.
    public static func nameservers(_ text: String) -> [String] {
        lines(text).compactMap { fields in
            fields.count == 2 && fields[0] == "nameserver" ? String(fields[1]) : nil
        }
    }

    /// The domains of the last `search` line.
    public static func searchDomains(_ text: String) -> [String] {
        lines(text).last(where: { $0.first == "search" })?.dropFirst().map(String.init) ?? []
    }

    /// The options of the last `options` line.
    public static func options(_ text: String) -> [String] {
        lines(text).last(where: { $0.first == "options" })?.dropFirst().map(String.init) ?? []
    }

    /// The host's file with loopback nameservers removed (the container cannot reach the host's
    /// 127.0.0.x resolver) and, without IPv6, IPv6 nameservers too; if no nameserver is left,
    /// Docker's fallback (a blank line, then Google's resolvers, without a final newline).
    public static func filtered(_ text: String, ipv6: Bool) -> String {
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.count == 2, fields[0] == "nameserver" {
                let address = fields[1]
                if address.hasPrefix("127.") || address == "::1" { continue }
                if !ipv6 && address.contains(":") { continue }
            }
            kept.append(line)
        }
        var result = kept.joined(separator: "\n")
        if nameservers(result).isEmpty {
            var fallback = NetworkFiles.fallbackNameservers
            if ipv6 { fallback += ["2001:4860:4860::8888", "2001:4860:4860::8844"] }
            result += "\n" + fallback.map { "nameserver \($0)" }.joined(separator: "\n")
        }
        return result
    }

    /// A resolv.conf from `--dns`, `--dns-search` and `--dns-option` (search `.` means none).
    public static func build(nameservers: [String], search: [String], options: [String]) -> String {
        var text = ""
        let searchLine = search.joined(separator: " ")
        if !search.isEmpty && searchLine.trimmingSpaces != "." { text += "search \(searchLine)\n" }
        for server in nameservers { text += "nameserver \(server)\n" }
        if !options.isEmpty { text += "options \(options.joined(separator: " "))\n" }
        return text
    }
}
