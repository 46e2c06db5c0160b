import XCTest
import SwdockAPI
import SwdockEngine
import SwdockOCI
@testable import SwdockServer

/// The wire bodies of the two clients, through the mapping, into the spec builder.
final class ContainerCreateRequestMappingTests: XCTestCase {
    static let host = HostFacts(hostname: "vm", resolvConf: "nameserver 10.0.0.1\n", hosts: "", lastCapability: 40,
                                cpuCount: 2, swapLimitSupported: true, architecture: "amd64", kernel: (6, 1),
                                pathExists: { _ in true }, devices: { () throws(EngineError) in [] })

    func plan(_ body: String) throws -> ContainerSpecPlan {
        let request = try ContainerCreateRequest.decode(Array(body.utf8))
        let context = ContainerSpecContext(id: String(repeating: "ab", count: 32), image: ContainerConfig(cmd: ["sh"]),
                                           rootfs: "/r", rootfsFiles: InMemoryFiles(), containerDirectory: "/c")
        return try ContainerSpecBuilder(host: Self.host).build(config: request.engineConfiguration,
                                                               hostConfig: request.engineHostConfiguration, context: context)
    }

    func testDockerPyMinimalBody() throws {
        let plan = try plan(#"{"Tty": false, "Cmd": ["sh", "-c", "echo hi"], "Image": "busybox", "HostConfig": {"NetworkMode": "default"}}"#)
        XCTAssertEqual(plan.spec.process?.args, ["sh", "-c", "echo hi"])
        XCTAssertEqual(plan.spec.linux?.namespaces?.map(\.type), ["mount", "network", "uts", "pid", "ipc", "cgroup"])
        XCTAssertEqual(plan.hostConfig.shmSize, 64 << 20)
    }

    func testCLIStyleBody() throws {
        let body = #"""
        {"User":"","Env":["A=1"],"Cmd":null,"Entrypoint":"/bin/echo","Image":"busybox",
         "HostConfig":{"Memory":67108864,"MemorySwap":0,"MemorySwappiness":-1,"NanoCpus":1500000000,"PidsLimit":0,
           "CapAdd":["NET_ADMIN"],"CapDrop":["ALL"],"SecurityOpt":["no-new-privileges"],"AutoRemove":true,
           "RestartPolicy":{"Name":"no","MaximumRetryCount":0},"LogConfig":{"Type":"","Config":{}},
           "Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1016}}],
           "Ulimits":[{"Name":"nofile","Soft":1024,"Hard":2048}],"Init":null,"NetworkMode":"none"}}
        """#
        let plan = try plan(body)
        XCTAssertEqual(plan.spec.process?.args, ["/bin/echo"])
        XCTAssertEqual(plan.spec.process?.capabilities?.bounding, ["CAP_NET_ADMIN"])
        XCTAssertEqual(plan.spec.process?.noNewPrivileges, true)
        XCTAssertEqual(plan.spec.linux?.resources?.memory?.swap, 134_217_728)
        XCTAssertEqual(plan.spec.linux?.resources?.cpu?.quota, 150_000)
        XCTAssertNil(plan.spec.linux?.resources?.pids)
        XCTAssertEqual(plan.spec.mounts?.first { $0.destination == "/t" }?.options,
                       ["noexec", "nosuid", "nodev", "rprivate", "mode=1770", "size=1m"])
        XCTAssertEqual(plan.spec.process?.rlimits, [.init(type: "RLIMIT_NOFILE", hard: 2048, soft: 1024)])
        XCTAssertTrue(plan.hostConfig.autoRemove)
        XCTAssertEqual(plan.hostConfig.logConfig.type, "json-file")
    }
}
