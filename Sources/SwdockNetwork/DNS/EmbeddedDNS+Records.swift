/// An upstream DNS server (IPv4), reached from the daemon's own network namespace.
public struct DNSUpstream: Hashable, Sendable, CustomStringConvertible {
    public var address: UInt32
    public var port: UInt16
    public init(address: UInt32, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }
    /// `1.2.3.4` (port 53); nil for anything else (IPv6 upstreams are not used: no IPv6 here).
    public init?(_ text: String) {
        guard let address = IPv4Subnet.parseAddress(text) else { return nil }
        self.init(address: address)
    }
    public var description: String { "\(IPv4Subnet.format(address)):\(port)" }
}

/// What one container's resolver answers itself, and where the rest goes.
public struct DNSView: Sendable, Equatable {
    /// Lower-cased names (container names, aliases, short IDs, `name.network`) → addresses.
    public var names: [String: [UInt32]]
    /// Address → the name a PTR query gets (`name.network`).
    public var reverse: [UInt32: String]
    /// Stripped from a query name before the lookup (`a.corp.example` → `a`).
    public var searchDomains: [String]
    public var upstreams: [DNSUpstream]

    public init(names: [String: [UInt32]] = [:], reverse: [UInt32: String] = [:], searchDomains: [String] = [],
                upstreams: [DNSUpstream] = []) {
        self.names = names
        self.reverse = reverse
        self.searchDomains = searchDomains.map { DNSName($0)?.text ?? $0 }.filter { !$0.isEmpty }
        self.upstreams = upstreams
    }

    /// The addresses of `name` (after the search domains are tried off it), nil when it is not ours.
    public func addresses(of name: DNSName) -> [UInt32]? {
        let text = name.text
        if let found = names[text] { return found }
        for domain in searchDomains where text.hasSuffix("." + domain) {
            if let found = names[String(text.dropLast(domain.count + 1))] { return found }
        }
        return nil
    }

    /// The name for a `d.c.b.a.in-addr.arpa` query, nil when it is not one of ours.
    public func reverseName(of name: DNSName) -> String? {
        let labels = name.text.split(separator: ".")
        guard labels.count == 6, labels[4] == "in-addr", labels[5] == "arpa" else { return nil }
        var address: UInt32 = 0
        for label in labels[0..<4].reversed() {
            guard let octet = UInt8(label) else { return nil }
            address = address << 8 | UInt32(octet)
        }
        return reverse[address]
    }

    /// Docker's embedded DNS answers its names with a TTL of 600 s.
    public static let ttl: UInt32 = 600

    /// The answer to a query this view can answer itself, nil when it must be forwarded.
    /// `limit` is the UDP payload size (512 without EDNS): a larger answer is sent truncated.
    public func localAnswer(to query: DNSMessage, limit: Int?) -> [UInt8]? {
        guard let question = query.questions.first, query.questions.count == 1 else {
            return DNSMessage.response(to: query, code: DNSResponseCode.formatError).encoded()
        }
        guard query.opcode == 0 else { return DNSMessage.response(to: query, code: DNSResponseCode.notImplemented).encoded() }
        guard question.qclass == DNSType.classIN else { return nil }
        var response: DNSMessage
        if question.type == DNSType.ptr {
            guard let target = reverseName(of: question.name), let targetName = DNSName(target) else { return nil }
            response = DNSMessage.response(to: query, code: DNSResponseCode.noError, authoritative: true,
                                           answers: [DNSRecord(name: question.name, type: DNSType.ptr, ttl: Self.ttl, data: .ptr(targetName))])
        } else {
            guard let addresses = addresses(of: question.name) else { return nil }
            // A name of ours has only A records: AAAA and the rest are NOERROR without answers.
            let answers = question.type == DNSType.a
                ? addresses.map { DNSRecord(name: question.name, type: DNSType.a, ttl: Self.ttl, data: .a($0)) } : []
            response = DNSMessage.response(to: query, code: DNSResponseCode.noError, authoritative: true, answers: answers)
        }
        var bytes = response.encoded()
        if let limit, bytes.count > limit {
            response.answers = []
            response.flags |= 0x0200
            bytes = response.encoded()
        }
        return bytes
    }
}

extension DNSMessage {
    fileprivate static func response(to query: DNSMessage, code: UInt8, authoritative: Bool, answers: [DNSRecord]) -> DNSMessage {
        response(to: query, code: code, answers: answers, authoritative: authoritative)
    }

    /// The UDP payload size the client accepts: its EDNS OPT record's, else 512.
    public var udpPayloadLimit: Int {
        guard let opt = additionals.first(where: { $0.type == DNSType.opt }) else { return 512 }
        return max(512, Int(opt.rclass))
    }
}
