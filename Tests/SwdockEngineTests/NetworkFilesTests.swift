import XCTest
@testable import SwdockEngine

final class NetworkFilesTests: XCTestCase {
    func testResolvConfFiltering() {
        let cases: [(String, String, String)] = [
            ("keeps a real nameserver", "nameserver 10.0.0.1\nsearch lan\n", "nameserver 10.0.0.1\nsearch lan\n"),
            ("loopback only → fallback", "nameserver 127.0.0.53\n", "\nnameserver 8.8.8.8\nnameserver 8.8.4.4"),
            ("IPv6 removed without IPv6", "nameserver 2001:db8::1\nnameserver 10.0.0.1\n", "nameserver 10.0.0.1\n"),
            ("empty file", "", "\nnameserver 8.8.8.8\nnameserver 8.8.4.4"),
        ]
        for (name, input, expected) in cases { XCTAssertEqual(ResolvConf.filtered(input, ipv6: false), expected, name) }
        XCTAssertEqual(ResolvConf.filtered("nameserver ::1\n", ipv6: true),
                       "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844")
    }

    func testResolvConfParsingAndBuild() {
        let text = "# comment\nnameserver 1.1.1.1 # x\nsearch a b\nsearch c\noptions ndots:1\nnameserver 9.9.9.9\n"
        XCTAssertEqual(ResolvConf.nameservers(text), ["1.1.1.1", "9.9.9.9"])
        XCTAssertEqual(ResolvConf.searchDomains(text), ["c"])
        XCTAssertEqual(ResolvConf.options(text), ["ndots:1"])
        XCTAssertEqual(ResolvConf.build(nameservers: ["1.1.1.1"], search: ["."], options: []), "nameserver 1.1.1.1\n")
    }

    func testHostsFile() throws {
        let text = try NetworkFiles.hosts(hostname: "web", domainname: "example.com", ipAddress: "10.0.0.2",
                                          extraHosts: ["db:10.0.0.5", "v6:fd00::1"])
        XCTAssertEqual(text, NetworkFiles.defaultHosts + "10.0.0.5\tdb\nfd00::1\tv6\n10.0.0.2\tweb.example.com web\n")
        XCTAssertEqual(try NetworkFiles.hosts(hostname: "web", ipAddress: "10.0.0.2"), NetworkFiles.defaultHosts + "10.0.0.2\tweb\n")
        assertEngineError(.invalidArgument, "invalid argument \"bad\" for \"--add-host\" flag: bad format for add-host: \"bad\"") {
            _ = try NetworkFiles.hosts(hostname: "x", ipAddress: nil, extraHosts: ["bad"])
        }
        assertEngineError(.notSupported, "--add-host gw:host-gateway: host-gateway needs the bridge network") {
            _ = try NetworkFiles.hosts(hostname: "x", ipAddress: nil, extraHosts: ["gw:host-gateway"])
        }
    }

    func testPlanFilesForNoneAndHost() throws {
        let none = try build(ContainerConfiguration(cmd: ["true"]), context: context(ip: nil))
        XCTAssertEqual(none.files, [ContainerFile(name: "hostname", contents: "5ce77132f934\n"),
                                    ContainerFile(name: "hosts", contents: NetworkFiles.defaultHosts),
                                    ContainerFile(name: "resolv.conf", contents: "nameserver 10.255.255.53\n")])
        var hc = HostConfiguration()
        hc.networkMode = "host"
        let host = try build(ContainerConfiguration(cmd: ["true"]), hc)
        XCTAssertEqual(host.files, [ContainerFile(name: "hostname", contents: "vm\n"),
                                    ContainerFile(name: "hosts", contents: "127.0.0.1 localhost\n127.0.0.1 vm\n"),
                                    ContainerFile(name: "resolv.conf", contents: "nameserver 10.255.255.53\n")])
        let withIP = try build(ContainerConfiguration(cmd: ["true"]), context: context(ip: "172.17.0.2"))
        XCTAssertTrue(withIP.files[1].contents.hasSuffix("172.17.0.2\t5ce77132f934\n"))
    }
}
