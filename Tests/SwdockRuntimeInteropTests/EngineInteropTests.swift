// The engine checks of EngineInteropChecks.swift, once per runtime; keep both lists identical.
import SwdockTestSupport
import XCTest

/// dockerd, containerd and podman driving runc through the "custom runtime" path: proves the harness.
final class RuncStandInEngineInteropTests: XCTestCase {
    private func checks() throws -> EngineInteropChecks {
        EngineInteropChecks(runtime: try PeerRuntimes.runc().binary, name: "runc (stand-in)")
    }

    func testDockerRunRemove() throws { try checks().dockerRunRemove() }
    func testDockerRunInteractiveTerminal() throws { try checks().dockerRunInteractiveTerminal() }
    func testDockerDetachedExecPauseAndRemove() throws { try checks().dockerDetachedExecPauseAndRemove() }
    func testCtrRun() throws { try checks().ctrRun() }
    func testPodmanRunRemove() throws { try checks().podmanRunRemove() }
    func testPodmanDetachedExec() throws { try checks().podmanDetachedExec() }
}

/// The same engines driving swdock-runtime named by SWDOCK_RUNTIME_UNDER_TEST (gated; docs/peers.md).
final class SwdockRuntimeEngineInteropTests: XCTestCase {
    private func checks() throws -> EngineInteropChecks {
        EngineInteropChecks(runtime: try PeerRuntimes.swdockRuntime().binary, name: "swdock-runtime")
    }

    func testDockerRunRemove() throws { try checks().dockerRunRemove() }
    func testDockerRunInteractiveTerminal() throws { try checks().dockerRunInteractiveTerminal() }
    func testDockerDetachedExecPauseAndRemove() throws { try checks().dockerDetachedExecPauseAndRemove() }
    func testCtrRun() throws { try checks().ctrRun() }
    func testPodmanRunRemove() throws { try checks().podmanRunRemove() }
    func testPodmanDetachedExec() throws { try checks().podmanDetachedExec() }
}
