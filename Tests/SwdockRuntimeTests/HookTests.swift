import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// Lifecycle hooks run in order, each with the state JSON on stdin and its own args and env.
final class HookTests: XCTestCase {
    func testHooksRunInOrderWithTheStateOnStdin() throws {
        let bundle = try RuntimeBundle(self)
        let log = bundle.directory.appendingPathComponent("hooks.log").path
        func hook(_ phase: String) -> RuntimeSpec.Hook {
            .init(path: "/bin/sh", args: ["sh", "-c", "read state; echo \"$PHASE $state\" >> \(log)"], env: ["PHASE=\(phase)"], timeout: 5)
        }
        var hooks = RuntimeSpec.Hooks()
        hooks.prestart = [hook("prestart")]
        hooks.createRuntime = [hook("createRuntime")]
        hooks.createContainer = [hook("createContainer")]
        hooks.poststart = [hook("poststart")]
        hooks.poststop = [hook("poststop")]
        bundle.spec.hooks = hooks
        let result = try bundle.run(["true"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.map { String($0.split(separator: " ").first ?? "") },
                       ["prestart", "createRuntime", "createContainer", "poststart", "poststop"])
        XCTAssertTrue(lines[0].contains("\"status\":\"creating\""), String(lines[0]))
        XCTAssertTrue(lines[3].contains("\"status\":\"running\""), String(lines[3]))
        XCTAssertTrue(lines[4].contains("\"status\":\"stopped\""), String(lines[4]))
        XCTAssertTrue(lines[0].contains("\"bundle\":\"\(bundle.directory.path)\""), String(lines[0]))
    }

    func testFailingCreateRuntimeHookFailsTheCreate() throws {
        let bundle = try RuntimeBundle(self)
        var hooks = RuntimeSpec.Hooks()
        hooks.createRuntime = [.init(path: "/bin/false")]
        bundle.spec.hooks = hooks
        let result = try bundle.run(["true"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "createRuntime hook /bin/false failed: exit status 1\n")
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: bundle.root).isEmpty)
    }

    func testStartContainerHookRunsInTheContainerBeforeTheProcess() throws {
        let bundle = try RuntimeBundle(self)
        var hooks = RuntimeSpec.Hooks()
        // Inside the container: the state goes to a file on the container's /dev/shm that the process then reads.
        hooks.startContainer = [.init(path: "/bin/sh", args: ["sh", "-c", "read state; echo \"$PHASE $state\" > /dev/shm/start-hook"],
                                      env: ["PHASE=startContainer"], timeout: 5)]
        bundle.spec.hooks = hooks
        let result = try bundle.run(["cat", "/dev/shm/start-hook"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("startContainer {"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"status\":\"created\",\"pid\":1,"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"bundle\":\"\(bundle.directory.path)\""), result.stdout)
    }

    func testFailingStartContainerHookStopsTheProcessBeforeExec() throws {
        let bundle = try RuntimeBundle(self)
        var hooks = RuntimeSpec.Hooks()
        hooks.startContainer = [.init(path: "/bin/sh", args: ["sh", "-c", "exit 3"])]
        bundle.spec.hooks = hooks
        let result = try bundle.run(["echo", "ran"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "container init: startContainer hook /bin/sh: exit status 3\n")
    }
}
