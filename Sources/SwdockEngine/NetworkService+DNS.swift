#if canImport(Glibc)
import Glibc
#endif
import SwdockMetadata
import SwdockNetwork
import SwdockOS

/// The embedded DNS of user-defined networks (Docker's 127.0.0.11): which containers get a
/// server, what each answers, and their resolv.conf.
///
/// A container with an active endpoint on a user-defined bridge network (not the default
/// `bridge`, as Docker) gets a server in its namespace at start, at `network connect` and at
/// daemon-start reconcile; it goes at exit, at the last such disconnect and at removal. Every
/// change of who is where (start, exit, connect, disconnect, rename) recomputes the views of
/// all servers from the store: a container resolves the names, aliases and short IDs of the
/// containers on the networks it is on, and nothing of other networks.
extension NetworkService {
    /// Docker gives embedded DNS to user-defined networks only.
    static func hasEmbeddedDNS(_ network: Network) -> Bool { network.document.Driver == "bridge" && !network.document.Predefined }

    /// Whether container `id` has an active endpoint on a network with embedded DNS.
    func needsEmbeddedDNS(_ id: String) throws(EngineError) -> Bool {
        let rows = try read("read the network endpoints of container \(id)") { try $0.endpoints(containerID: id) }
        for row in rows {
            guard let document = try? ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint"), document.isActive,
                  let network = try? network(row.networkID) else { continue }
            if Self.hasEmbeddedDNS(network) { return true }
        }
        return false
    }

    /// Starts container `id`'s server if it is on a user network and has none yet, writes its
    /// resolv.conf (`nameserver 127.0.0.11`) and refreshes every server's names.
    func startEmbeddedDNS(_ id: String, hostConfig: HostConfiguration, writeResolvConf: Bool = true,
                          refresh: Bool = true) throws(EngineError) {
        guard try needsEmbeddedDNS(id) else { return }
        if !dns.isServing(id) {
            let settings = Self.dnsSettings(hostConfig)
            dnsSettings[id] = settings
            do {
                try dns.serve(id, in: NetworkNamespace(path: namespacePath(id)),
                              view: DNSView(searchDomains: settings.search, upstreams: settings.upstreams))
            } catch { throw Self.networkError("start the embedded DNS server of container \(id)", error) }
            if writeResolvConf {
                try self.writeResolvConf(Self.embeddedResolvConf(hostConfig), of: id, path: layout.containerDirectory(id) + "/resolv.conf")
            }
        }
        if refresh { refreshEmbeddedDNS() }
    }

    /// Writes in place: a running container has the file bind-mounted, a rename would not reach it.
    func writeResolvConf(_ text: String, of id: String, path: String) throws(EngineError) {
        do {
            let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            defer { fd.close() }
            try fd.writeAll(text)
        } catch { throw EngineError(.system, "write resolv.conf of container \(id)", cause: error) }
    }

    /// A `--network container:TARGET` joiner gets the target's resolv.conf (127.0.0.11 answers in
    /// the namespace they share).
    func copyResolvConf(from target: String, to id: String, containerDirectory: String) throws(EngineError) {
        let bytes: [UInt8]
        do {
            let fd = try FileDescriptor.open(layout.containerDirectory(target) + "/resolv.conf", O_RDONLY)
            defer { fd.close() }
            bytes = try fd.readAll()
        } catch { throw EngineError(.system, "read resolv.conf of container \(target)", cause: error) }
        try writeResolvConf(String(decoding: bytes, as: UTF8.self), of: id, path: containerDirectory + "/resolv.conf")
    }

    /// Closes container `id`'s server (its sockets hold the namespace) and refreshes the others.
    func stopEmbeddedDNS(_ id: String) {
        if dns.isServing(id) { dns.stop(id) }
        dnsSettings[id] = nil
        refreshEmbeddedDNS()
    }

    /// The containers whose embedded DNS server is up (inspection and tests).
    public var embeddedDNSServers: Set<String> { dns.serving }

    /// Recomputes what every server answers: for each network its container is on, every
    /// running member's name, aliases and 12-digit ID, plus `name.network`, with PTR records.
    public func refreshEmbeddedDNS() {
        lock.lock()
        defer { lock.unlock() }
        let keys = dns.serving
        guard !keys.isEmpty else { return }
        let rows = (try? read("list endpoints") { try $0.allEndpoints() }) ?? []
        let names = Dictionary(((try? read("list containers") { try $0.allContainers() }) ?? []).map { ($0.id, String($0.name.drop { $0 == "/" })) },
                               uniquingKeysWith: { first, _ in first })
        let networks = Dictionary(((try? allNetworks()) ?? []).filter(Self.hasEmbeddedDNS).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var members: [String: [(containerID: String, document: EndpointDocument)]] = [:]
        for row in rows where networks[row.networkID] != nil {
            guard let document = try? ContainerService.decode(EndpointDocument.self, row.config, what: "endpoint"), document.isActive else { continue }
            members[row.networkID, default: []].append((row.containerID, document))
        }
        for key in keys {
            let settings = dnsSettings[key] ?? ContainerDNSSettings(upstreams: [], search: [])
            var records: [String: [UInt32]] = [:]
            var reverse: [UInt32: String] = [:]
            func add(_ name: String, _ address: UInt32) {
                let folded = name.lowercased()
                guard !folded.isEmpty, !(records[folded]?.contains(address) ?? false) else { return }
                records[folded, default: []].append(address)
            }
            for networkID in Set(members.compactMap { entry in entry.value.contains { $0.containerID == key } ? entry.key : nil }) {
                guard let network = networks[networkID] else { continue }
                for member in members[networkID] ?? [] {
                    guard let address = member.document.Address, let name = names[member.containerID] else { continue }
                    add(name, address)
                    add(name + "." + network.name, address)
                    add(String(member.containerID.prefix(12)), address)
                    for alias in member.document.Aliases { add(alias, address) }
                    reverse[address] = name + "." + network.name
                }
            }
            dns.update(key, view: DNSView(names: records, reverse: reverse, searchDomains: settings.search, upstreams: settings.upstreams))
        }
    }

    /// Where a container's unknown names go (`--dns`, else the host's /etc/resolv.conf
    /// nameservers as they are: forwarding leaves from the host's namespace, where a loopback
    /// resolver such as systemd-resolved's 127.0.0.53 is reachable) and the search domains.
    static func dnsSettings(_ hostConfig: HostConfiguration) -> ContainerDNSSettings {
        let host = HostFacts.readText("/etc/resolv.conf") ?? ""
        let servers = hostConfig.dns.isEmpty ? ResolvConf.nameservers(host) : hostConfig.dns
        return ContainerDNSSettings(upstreams: servers.compactMap { DNSUpstream($0) },
                                    search: hostConfig.dnsSearch.isEmpty ? ResolvConf.searchDomains(hostSearchSource(host))
                                                                         : hostConfig.dnsSearch.filter { $0 != "." })
    }

    /// systemd-resolved's upstream file when /etc/resolv.conf is only its stub (as Docker reads it).
    static func hostSearchSource(_ host: String) -> String {
        if ResolvConf.nameservers(host) == ["127.0.0.53"], let upstream = HostFacts.readText("/run/systemd/resolve/resolv.conf") { return upstream }
        return host
    }

    /// libnetwork's resolv.conf for a container with embedded DNS: the search domains
    /// (`--dns-search`, else the host's), `nameserver 127.0.0.11`, and the options
    /// (`--dns-option`, else the host's) with `ndots:0` added unless the user set ndots > 0.
    static func embeddedResolvConf(_ hostConfig: HostConfiguration) -> String {
        let host = hostSearchSource(HostFacts.readText("/etc/resolv.conf") ?? "")
        let search = hostConfig.dnsSearch.isEmpty ? ResolvConf.searchDomains(host) : hostConfig.dnsSearch
        var options = hostConfig.dnsOptions.isEmpty ? ResolvConf.options(host) : hostConfig.dnsOptions
        let userNdots = options.contains { option in
            option.hasPrefix("ndots:") && (Int(option.dropFirst(6)) ?? 0) > 0
        }
        if !userNdots { options.append("ndots:0") }
        return ResolvConf.build(nameservers: [IPv4Subnet.format(EmbeddedDNS.address)], search: search, options: options)
    }
}

/// A container's forwarding targets and search domains, kept while its server runs.
struct ContainerDNSSettings: Sendable {
    var upstreams: [DNSUpstream]
    var search: [String]
}
