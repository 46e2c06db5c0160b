import Foundation
import XCTest
import SwdockOCI
@testable import SwdockEngine

/// Host facts of a made-up host like the one the fixtures were captured on.
func fakeHost(lastCapability: Int = 40, cpus: Int = 2, swap: Bool = true, existing: Set<String> = [],
              devices: [RuntimeSpec.Device] = []) -> HostFacts {
    HostFacts(hostname: "vm", resolvConf: "nameserver 10.255.255.53\n",
              hosts: "127.0.0.1 localhost\n127.0.0.1 vm\n", lastCapability: lastCapability, cpuCount: cpus,
              swapLimitSupported: swap, architecture: "amd64", kernel: (6, 1),
              pathExists: { existing.contains($0) }, devices: { () throws(EngineError) in devices })
}

let testID = "5ce77132f93420bbf2ea98800bf6251fd98eff6481a54310cd79bd6d28f464af"

/// The passwd and group files of the fixtures' image.
let fixturePasswd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
let fixtureGroup = "root:x:0:\napp:x:1000:\nextra:x:2000:app\n"
let fixtureFiles = InMemoryFiles(["/etc/passwd": fixturePasswd, "/etc/group": fixtureGroup])

/// busybox's image config (`CMD ["sh"]`).
let busyboxImage = ContainerConfig(cmd: ["sh"])

func context(id: String = testID, image: ContainerConfig? = busyboxImage, rootfs: String = "/rootfs",
             files: any ContainerFileReader = fixtureFiles, directory: String = "/run/c",
             ip: String? = nil) -> ContainerSpecContext {
    ContainerSpecContext(id: id, image: image, rootfs: rootfs, rootfsFiles: files, containerDirectory: directory,
                         ipAddress: ip)
}

/// Builds with the given request; `host` and `defaults` default to the fake host and swdock's defaults.
func build(_ config: ContainerConfiguration = ContainerConfiguration(cmd: ["true"]),
           _ hostConfig: HostConfiguration = HostConfiguration(), host: HostFacts = fakeHost(),
           defaults: SpecDefaults = SpecDefaults(), context ctx: ContainerSpecContext = context()) throws -> ContainerSpecPlan {
    try ContainerSpecBuilder(defaults: defaults, host: host).build(config: config, hostConfig: hostConfig, context: ctx)
}

/// Asserts that `body` throws an `EngineError` with this code whose message is `message`.
func assertEngineError(_ code: EngineError.Code, _ message: String, file: StaticString = #filePath, line: UInt = #line,
                       _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected \(code): \(message)", file: file, line: line)
    } catch let error as EngineError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// The config.json files a dockerd 20.10.24 (containerd 1.6.20, runc 1.1.5) wrote for
/// `docker run` with various flags (see Fixtures/docker-20.10.24/README.md).
enum DockerFixture {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/docker-20.10.24")
    }

    static func spec(_ name: String) throws -> RuntimeSpec {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).json"))
        return try JSONDecoder().decode(RuntimeSpec.self, from: data)
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}
