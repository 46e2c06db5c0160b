import Foundation
@testable import SwdockServer
import SwdockAPI
import XCTest

final class DaemonConfigurationTests: XCTestCase {
    private func merge(_ json: String, flags: DaemonConfiguration.Flags = .init()) throws -> DaemonConfiguration {
        let file = try JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))
        return try DaemonConfiguration.merge(flags: flags, file: file, path: "/etc/swdock/daemon.json")
    }

    func testDefaults() throws {
        let config = try merge("{}")
        XCTAssertEqual(config.dataRoot, "/var/lib/swdock")
        XCTAssertEqual(config.execRoot, "/run/swdock")
        XCTAssertEqual(try config.socketPaths(), ["/run/swdock.sock"])
        XCTAssertEqual(config.defaultRuntime, "swdock-runtime")
    }

    func testDockerKeysAreRead() throws {
        let config = try merge("""
            {"data-root":"/d","exec-root":"/e","hosts":["unix:///a.sock","unix:///b.sock"],"debug":true,
             "log-opts":{"max-size":"10m"},"runtimes":{"kata":{"path":"/usr/bin/kata","runtimeArgs":["--x"]}},
             "default-runtime":"kata","insecure-registries":["localhost:5000"],"registry-mirrors":["http://127.0.0.1:5001"],
             "max-concurrent-downloads":5,"bip":"172.30.0.1/16","default-address-pools":[{"base":"10.10.0.0/16","size":24}],
             "live-restore":true,"log-level":"warn","log-driver":"json-file","storage-driver":"overlay2"}
            """)
        XCTAssertEqual(try config.socketPaths(), ["/a.sock", "/b.sock"])
        XCTAssertEqual(config.logLevel, "debug", "debug raises the level")
        XCTAssertEqual(config.runtimes["kata"], .init(path: "/usr/bin/kata", runtimeArgs: ["--x"]))
        XCTAssertNotNil(config.runtimes["runc"], "built-in runtimes stay")
        XCTAssertEqual(config.defaultAddressPools.first?.size, 24)
        XCTAssertTrue(config.liveRestore)
        XCTAssertEqual(config.maxConcurrentDownloads, 5)
    }

    func testConflictsBetweenFlagsAndFileAreNamed() {
        var flags = DaemonConfiguration.Flags()
        flags.dataRoot = "/flag"
        flags.hosts = ["unix:///f.sock"]
        XCTAssertThrowsError(try merge(#"{"data-root":"/file","hosts":["unix:///x.sock"]}"#, flags: flags)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("the following directives are specified both as a flag and in the configuration file:"), text)
            XCTAssertTrue(text.contains("data-root: (from flag: /flag, from file: \"/file\")"), text)
            XCTAssertTrue(text.contains("hosts: (from flag: [unix:///f.sock]"), text)
        }
    }

    func testWrongTypesAndValuesAreRefused() {
        XCTAssertThrowsError(try merge(#"{"debug":"yes"}"#)) { XCTAssertTrue("\($0)".contains("invalid type for debug"), "\($0)") }
        XCTAssertThrowsError(try merge(#"{"debug":1}"#), "1 is not a boolean")
        XCTAssertThrowsError(try merge(#"{"log-level":"loud"}"#))
        XCTAssertThrowsError(try merge(#"{"default-runtime":"nosuch"}"#)) { XCTAssertTrue("\($0)".contains("nosuch"), "\($0)") }
        XCTAssertThrowsError(try merge(#"{"hosts":["tcp://0.0.0.0:2375"]}"#)) { XCTAssertTrue("\($0)".contains("not supported"), "\($0)") }
        XCTAssertThrowsError(try merge(#"{"max-concurrent-downloads":"many"}"#))
        XCTAssertThrowsError(try merge(#"{"log-driver":"journald"}"#)) { XCTAssertTrue("\($0)".contains("not supported"), "\($0)") }
        XCTAssertThrowsError(try merge(#"{"detach-keys":"ctrl-1"}"#)) {
            XCTAssertTrue("\($0)".contains("detach-keys: Invalid escape keys (ctrl-1) provided"), "\($0)")
        }
        XCTAssertEqual(try merge(#"{"detach-keys":"ctrl-x,x"}"#).detachKeys, "ctrl-x,x")
    }

    func testUnknownKeysInTheFileAreNamed() throws {
        let path = "/tmp/swdock-config-\(UUID().uuidString).json"
        try #"{"data-root":"/d","iptables":false,"zzz":1}"#.write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try DaemonConfiguration.parseFile(path)) { error in
            XCTAssertTrue("\(error)".hasSuffix("the following directives don't match any configuration option: iptables, zzz"), "\(error)")
        }
        var flags = DaemonConfiguration.Flags()
        flags.configFile = "/tmp/nosuch-\(UUID().uuidString).json"
        XCTAssertThrowsError(try DaemonConfiguration.load(flags: flags), "an explicit --config-file must exist")
    }
}
