// The feature checks of RuntimeFeatureChecks.swift, once per runtime. One line per check so a
// failure names runtime and feature; keep the three lists identical (runc lacks only domainname).
import SwdockTestSupport
import XCTest

/// The feature checks against runc from Debian: proves each check is right.
final class RuncFeatureTests: XCTestCase {
    private func checks() throws -> RuntimeFeatureChecks { RuntimeFeatureChecks(runtime: try PeerRuntimes.runc()) }

    func testHostname() throws { try checks().hostname() }
    // testDomainname: not for runc 1.1.5, which ignores `domainname` (supported from runc 1.2).
    func testExitCodePropagates() throws { try checks().exitCodePropagates() }
    func testSignalDeathOfChildGives128PlusSignal() throws { try checks().signalDeathOfChildGives128PlusSignal() }
    func testLifecycleCreateStartKillDelete() throws { try checks().lifecycleCreateStartKillDelete() }
    func testProcessIsPidOneOfNewPidNamespace() throws { try checks().processIsPidOneOfNewPidNamespace() }
    func testStdoutAndStderrAreSeparate() throws { try checks().stdoutAndStderrAreSeparate() }
    func testEnvAndCwd() throws { try checks().envAndCwd() }
    func testUserAndAdditionalGroups() throws { try checks().userAndAdditionalGroups() }
    func testCapabilitySetsOfRoot() throws { try checks().capabilitySetsOfRoot() }
    func testAmbientCapabilitiesOfNonRoot() throws { try checks().ambientCapabilitiesOfNonRoot() }
    func testNoNewPrivileges() throws { try checks().noNewPrivileges() }
    func testRlimits() throws { try checks().rlimits() }
    func testMountsWithTheirFlags() throws { try checks().mountsWithTheirFlags() }
    func testMaskedPathsHideContent() throws { try checks().maskedPathsHideContent() }
    func testReadonlyPathsRejectWrites() throws { try checks().readonlyPathsRejectWrites() }
    func testNewNetworkNamespaceHasOnlyLoopback() throws { try checks().newNetworkNamespaceHasOnlyLoopback() }
    func testDefaultDevices() throws { try checks().defaultDevices() }
    func testNoHostFileDescriptorOrCwdLeaks() throws { try checks().noHostFileDescriptorOrCwdLeaks() }
    func testSeccompErrnoReturned() throws { try checks().seccompErrnoReturned() }
    func testSeccompWithoutNoNewPrivileges() throws { try checks().seccompWithoutNoNewPrivileges() }
    func testCgroupLimitsApplied() throws { try checks().cgroupLimitsApplied() }
    func testHooksRunInOrderWithState() throws { try checks().hooksRunInOrderWithState() }
}

/// The feature checks against crun from Debian (in a private mount namespace without the cgroup2 `unified` mount): proves each check is right.
final class CrunFeatureTests: XCTestCase {
    private func checks() throws -> RuntimeFeatureChecks { RuntimeFeatureChecks(runtime: try PeerRuntimes.crun()) }

    func testHostname() throws { try checks().hostname() }
    func testDomainname() throws { try checks().domainname() }
    func testExitCodePropagates() throws { try checks().exitCodePropagates() }
    func testSignalDeathOfChildGives128PlusSignal() throws { try checks().signalDeathOfChildGives128PlusSignal() }
    func testLifecycleCreateStartKillDelete() throws { try checks().lifecycleCreateStartKillDelete() }
    func testProcessIsPidOneOfNewPidNamespace() throws { try checks().processIsPidOneOfNewPidNamespace() }
    func testStdoutAndStderrAreSeparate() throws { try checks().stdoutAndStderrAreSeparate() }
    func testEnvAndCwd() throws { try checks().envAndCwd() }
    func testUserAndAdditionalGroups() throws { try checks().userAndAdditionalGroups() }
    func testCapabilitySetsOfRoot() throws { try checks().capabilitySetsOfRoot() }
    func testAmbientCapabilitiesOfNonRoot() throws { try checks().ambientCapabilitiesOfNonRoot() }
    func testNoNewPrivileges() throws { try checks().noNewPrivileges() }
    func testRlimits() throws { try checks().rlimits() }
    func testMountsWithTheirFlags() throws { try checks().mountsWithTheirFlags() }
    func testMaskedPathsHideContent() throws { try checks().maskedPathsHideContent() }
    func testReadonlyPathsRejectWrites() throws { try checks().readonlyPathsRejectWrites() }
    func testNewNetworkNamespaceHasOnlyLoopback() throws { try checks().newNetworkNamespaceHasOnlyLoopback() }
    func testDefaultDevices() throws { try checks().defaultDevices() }
    func testNoHostFileDescriptorOrCwdLeaks() throws { try checks().noHostFileDescriptorOrCwdLeaks() }
    func testSeccompErrnoReturned() throws { try checks().seccompErrnoReturned() }
    func testSeccompWithoutNoNewPrivileges() throws { try checks().seccompWithoutNoNewPrivileges() }
    func testCgroupLimitsApplied() throws { try checks().cgroupLimitsApplied() }
    func testHooksRunInOrderWithState() throws { try checks().hooksRunInOrderWithState() }
}

/// The feature checks against swdock-runtime named by SWDOCK_RUNTIME_UNDER_TEST (gated until the runtime lands; see docs/peers.md).
final class SwdockRuntimeFeatureTests: XCTestCase {
    private func checks() throws -> RuntimeFeatureChecks { RuntimeFeatureChecks(runtime: try PeerRuntimes.swdockRuntime()) }

    func testHostname() throws { try checks().hostname() }
    func testDomainname() throws { try checks().domainname() }
    func testExitCodePropagates() throws { try checks().exitCodePropagates() }
    func testSignalDeathOfChildGives128PlusSignal() throws { try checks().signalDeathOfChildGives128PlusSignal() }
    func testLifecycleCreateStartKillDelete() throws { try checks().lifecycleCreateStartKillDelete() }
    func testProcessIsPidOneOfNewPidNamespace() throws { try checks().processIsPidOneOfNewPidNamespace() }
    func testStdoutAndStderrAreSeparate() throws { try checks().stdoutAndStderrAreSeparate() }
    func testEnvAndCwd() throws { try checks().envAndCwd() }
    func testUserAndAdditionalGroups() throws { try checks().userAndAdditionalGroups() }
    func testCapabilitySetsOfRoot() throws { try checks().capabilitySetsOfRoot() }
    func testAmbientCapabilitiesOfNonRoot() throws { try checks().ambientCapabilitiesOfNonRoot() }
    func testNoNewPrivileges() throws { try checks().noNewPrivileges() }
    func testRlimits() throws { try checks().rlimits() }
    func testMountsWithTheirFlags() throws { try checks().mountsWithTheirFlags() }
    func testMaskedPathsHideContent() throws { try checks().maskedPathsHideContent() }
    func testReadonlyPathsRejectWrites() throws { try checks().readonlyPathsRejectWrites() }
    func testNewNetworkNamespaceHasOnlyLoopback() throws { try checks().newNetworkNamespaceHasOnlyLoopback() }
    func testDefaultDevices() throws { try checks().defaultDevices() }
    func testNoHostFileDescriptorOrCwdLeaks() throws { try checks().noHostFileDescriptorOrCwdLeaks() }
    func testSeccompErrnoReturned() throws { try checks().seccompErrnoReturned() }
    func testSeccompWithoutNoNewPrivileges() throws { try checks().seccompWithoutNoNewPrivileges() }
    func testCgroupLimitsApplied() throws { try checks().cgroupLimitsApplied() }
    func testHooksRunInOrderWithState() throws { try checks().hooksRunInOrderWithState() }
}
