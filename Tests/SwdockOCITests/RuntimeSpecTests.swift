import Foundation
import SwdockOCI
import XCTest

final class RuntimeSpecTests: XCTestCase {
    /// A config.json in the shape `runc spec` writes decodes, and re-encodes without inventing fields.
    func testRuncStyleConfigRoundTrips() throws {
        let json = """
            {"ociVersion":"1.0.2-dev","process":{"terminal":false,"user":{"uid":0,"gid":0},
             "args":["sh"],"env":["PATH=/usr/bin"],"cwd":"/",
             "capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"],"ambient":["CAP_KILL"]},
             "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
             "root":{"path":"rootfs","readonly":true},"hostname":"runc",
             "mounts":[{"destination":"/proc","type":"proc","source":"proc"}],
             "linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":-1}},
              "namespaces":[{"type":"pid"},{"type":"network","path":"/var/run/netns/x"}],
              "maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"],
              "seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
               "syscalls":[{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]}]}}}
            """
        let spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(json.utf8))
        XCTAssertEqual(spec.process?.args, ["sh"])
        XCTAssertEqual(spec.linux?.resources?.memory?.limit, -1)
        XCTAssertEqual(spec.linux?.namespaces?[1].path, "/var/run/netns/x")
        XCTAssertEqual(spec.linux?.seccomp?.syscalls?.first?.args?.first?.op, "SCMP_CMP_MASKED_EQ")
        let again = try JSONDecoder().decode(RuntimeSpec.self, from: JSONEncoder().encode(spec))
        XCTAssertEqual(again, spec)
        let encoded = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        XCTAssertFalse(encoded.contains("hooks"), "nil fields must be omitted: \(encoded)")
    }
}
