#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockOS
import SwdockTestSupport
import XCTest

/// Restart policies through the reconcile loop, with the real shim and runtime: exact restart
/// counts, Docker's backoff (read from the events' times), manual stops, daemon restarts.
final class RestartPolicyTests: XCTestCase {
    func config(_ cmd: [String]) -> ContainerConfiguration {
        ContainerConfiguration(cmd: cmd, image: "busybox")
    }

    func host(_ name: String, _ count: Int = 0) -> HostConfiguration {
        var host = HostConfiguration()
        host.restartPolicy = .init(name: name, maximumRetryCount: count)
        return host
    }

    /// Polls (bounded) until `condition` holds for the container's info.
    func waitFor(_ rig: ContainerRig, _ id: String, seconds: Double = 30,
                 _ condition: (ContainerInfo) -> Bool) async throws -> ContainerInfo {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let info = try await rig.service.inspect(id, size: false)
            if condition(info) { return info }
            if Date() > deadline { XCTFail("condition not reached; last state \(info.state), restarts \(info.restartCount)"); return info }
            usleep(20_000)
        }
    }

    func testOnFailure3RestartsExactlyThreeTimesWithDoublingBackoffThenStaysExited() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: "of3", config: config(["sh", "-c", "exit 1"]), hostConfig: host("on-failure", 3))
        _ = try await rig.service.start(created.id)
        let info = try await waitFor(rig, created.id) { $0.state.Status == .exited && $0.restartCount == 3 }
        XCTAssertEqual(info.state.ExitCode, 1)
        XCTAssertFalse(info.state.Restarting)
        // Nothing more happens: the fourth exit was final.
        usleep(1_000_000)
        let later = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(later.restartCount, 3)
        XCTAssertEqual(later.state.Status, .exited)

        let events = rig.service.events.history(sinceNanoseconds: 0, untilNanoseconds: nil,
                                                 filter: try EventFilter(["container": [created.id]]))
        let actions = events.map(\.action)
        XCTAssertEqual(actions, ["create", "start", "die", "start", "die", "start", "die", "start", "die"])
        XCTAssertEqual(events.filter { $0.action == "die" }.map { $0.attributes["exitCode"] }, ["1", "1", "1", "1"])
        // Docker's backoff: each restart waits at least 100, 200, 400 ms after the exit before it.
        let dies = events.filter { $0.action == "die" }.map(\.timeNano)
        let starts = events.filter { $0.action == "start" }.map(\.timeNano)
        for (index, minimum) in [100, 200, 400].enumerated() {
            let gap = (starts[index + 1] - dies[index]) / 1_000_000
            XCTAssertGreaterThanOrEqual(gap, Int64(minimum), "restart \(index + 1) waited \(gap) ms")
        }
    }

    func testOnFailureDoesNotRestartASuccessfulExitAndNoPolicyNeverRestarts() async throws {
        let rig = try ContainerRig(test: self)
        let ok = try await rig.service.create(name: nil, config: config(["true"]), hostConfig: host("on-failure"))
        let none = try await rig.service.create(name: nil, config: config(["sh", "-c", "exit 3"]), hostConfig: host("no"))
        for id in [ok.id, none.id] {
            let waiter = try rig.service.wait(id, condition: .nextExit)
            _ = try await rig.service.start(id)
            _ = await waiter.result()
        }
        usleep(500_000)
        for (id, code) in [(ok.id, Int32(0)), (none.id, Int32(3))] {
            let info = try await rig.service.inspect(id, size: false)
            XCTAssertEqual(info.state.Status, .exited)
            XCTAssertEqual(info.state.ExitCode, code)
            XCTAssertEqual(info.restartCount, 0)
        }
    }

    func testAlwaysRestartsUntilStoppedAndAManualStopEndsRestarting() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: "al", config: config(["sh", "-c", "sleep 0.2; exit 0"]), hostConfig: host("always"))
        _ = try await rig.service.start(created.id)
        _ = try await waitFor(rig, created.id) { $0.restartCount >= 2 }
        // The user's stop wins over the policy, whether it finds it running or restarting.
        _ = try await rig.service.stop(created.id, timeout: 1)
        let stopped = try await waitFor(rig, created.id) { $0.state.Status == .exited }
        usleep(1_000_000)
        let later = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(later.state.Status, .exited)
        XCTAssertEqual(later.restartCount, stopped.restartCount, "no restart after the user's stop")
        // A manual start counts restarts from 0 again (Docker's ResetRestartManager).
        _ = try await rig.service.start(created.id)
        let again = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(again.restartCount, 0)
        _ = try await rig.service.stop(created.id, timeout: 1)
    }

    func testAlwaysComesBackAfterADaemonRestartUnlessStoppedStaysDownWhenStoppedByTheUser() async throws {
        let rig = try ContainerRig(test: self)
        let always = try await rig.service.create(name: "a1", config: config(["sleep", "300"]), hostConfig: host("always"))
        let unless = try await rig.service.create(name: "u1", config: config(["sleep", "300"]), hostConfig: host("unless-stopped"))
        let unlessRunning = try await rig.service.create(name: "u2", config: config(["sleep", "300"]), hostConfig: host("unless-stopped"))
        for id in [always.id, unless.id, unlessRunning.id] { _ = try await rig.service.start(id) }
        // The user stops a1 and u1; u2 is killed behind the daemon's back with its shim (a reboot).
        _ = try await rig.service.stop(always.id, timeout: 1)
        _ = try await rig.service.stop(unless.id, timeout: 1)
        let pid = try await rig.service.inspect(unlessRunning.id, size: false).state.Pid
        rig.service.shutdown()
        let shimPIDText = try String(contentsOfFile: rig.layout.containerRunDirectory(unlessRunning.id) + "/shim.pid", encoding: .utf8)
        let shimPID = try XCTUnwrap(Int32(shimPIDText.trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(shimPID, SIGKILL)
        kill(pid, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while (kill(shimPID, 0) == 0 || kill(pid, 0) == 0) && Date() < deadline { usleep(20_000) }

        try rig.restartService()
        let a1 = try await waitFor(rig, always.id) { $0.state.Status == .running }
        XCTAssertGreaterThan(a1.state.Pid, 0, "always: started at daemon start although the user had stopped it")
        let u2 = try await waitFor(rig, unlessRunning.id) { $0.state.Status == .running }
        XCTAssertNotEqual(u2.state.Pid, pid, "unless-stopped: a new process after its shim vanished")
        XCTAssertEqual(u2.restartCount, 1)
        let u1 = try await rig.service.inspect(unless.id, size: false)
        XCTAssertEqual(u1.state.Status, .exited, "unless-stopped stopped by the user stays down")
    }

    func testRestartingIsVisibleAndDockerUpdateRestartWorks() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "flaky", "busybox", "sh", "-c", "exit 5"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await waitFor(rig, id) { $0.state.Status == .exited }
        let update = try rig.docker(["update", "--restart", "always", "flaky"])
        XCTAssertEqual(update.stdout, "flaky\n", update.stderr)
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", "flaky"]).stdout, "always\n")
        XCTAssertEqual(try rig.docker(["start", "flaky"]).status, 0)
        // Between an exit and its restart the container is `restarting` (Docker's SetRestarting).
        let restarting = try await waitFor(rig, id) { $0.state.Status == .restarting }
        XCTAssertTrue(restarting.state.Restarting)
        XCTAssertTrue(restarting.state.Running)
        XCTAssertEqual(restarting.state.Pid, 0)
        XCTAssertEqual(restarting.state.ExitCode, 5)
        let ps = try rig.docker(["ps", "-a", "--format", "{{.Status}}"]).stdout
        XCTAssertTrue(ps.hasPrefix("Restarting (5) ") || ps.hasPrefix("Up ") || ps.hasPrefix("Exited (5)"), ps)
        XCTAssertEqual(try rig.docker(["stop", "flaky"]).status, 0)
        let stopped = try await waitFor(rig, id) { $0.state.Status == .exited }
        XCTAssertFalse(stopped.state.Restarting)
    }

    /// The limit of `hierarchy`'s `file` for the container process `pid` (cgroup v1).
    func cgroupValue(_ pid: Int32, _ hierarchy: String, _ file: String) throws -> String {
        let cgroups = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        let line = try XCTUnwrap(cgroups.split(separator: "\n").first { $0.split(separator: ":")[1].split(separator: ",").contains(Substring(hierarchy)) })
        let path = line.split(separator: ":", maxSplits: 2)[2]
        return try String(contentsOfFile: "/sys/fs/cgroup/\(hierarchy)\(path)/\(file)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testDockerUpdateChangesResourcesOfARunningContainerAndTheyLastAcrossARestart() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "lim", "-m", "32m", "busybox", "sleep", "300"])
        XCTAssertEqual(run.status, 0, run.stderr)
        var pid = try await rig.service.inspect("lim", size: false).state.Pid
        XCTAssertEqual(try cgroupValue(pid, "memory", "memory.limit_in_bytes"), String(32 << 20))
        let update = try rig.docker(["update", "--memory", "64m", "--memory-swap", "128m", "--cpu-shares", "512",
                                     "--pids-limit", "50", "lim"])
        XCTAssertEqual(update.stdout, "lim\n", update.stderr)
        XCTAssertEqual(try cgroupValue(pid, "memory", "memory.limit_in_bytes"), String(64 << 20))
        XCTAssertEqual(try cgroupValue(pid, "memory", "memory.memsw.limit_in_bytes"), String(128 << 20))
        XCTAssertEqual(try cgroupValue(pid, "cpu", "cpu.shares"), "512")
        XCTAssertEqual(try cgroupValue(pid, "pids", "pids.max"), "50")
        XCTAssertEqual(try rig.docker(["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}", "lim"]).stdout,
                       "\(64 << 20) 512 50\n")
        let tooSmall = try rig.docker(["update", "--memory", "256m", "lim"])
        XCTAssertEqual(tooSmall.status, 1)
        XCTAssertTrue(tooSmall.stderr.contains("Memory limit should be smaller than already set memoryswap limit"), tooSmall.stderr)
        let unsupported = try rig.docker(["update", "--cpu-rt-runtime", "1000", "lim"])
        XCTAssertNotEqual(unsupported.status, 0)
        XCTAssertTrue(unsupported.stderr.contains("not supported: updating CpuRealtimeRuntime"), unsupported.stderr)
        // The new limits are the container's: a restart keeps them.
        XCTAssertEqual(try rig.docker(["restart", "-t", "0", "lim"]).status, 0)
        pid = try await rig.service.inspect("lim", size: false).state.Pid
        XCTAssertEqual(try cgroupValue(pid, "memory", "memory.limit_in_bytes"), String(64 << 20))
        XCTAssertEqual(try cgroupValue(pid, "pids", "pids.max"), "50")
        XCTAssertEqual(try rig.docker(["rm", "-f", "lim"]).status, 0)
    }

    func testUpdateChangesTheRestartPolicy() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: nil, config: config(["sh", "-c", "exit 2"]), hostConfig: host("no"))
        try await rig.service.updateRestartPolicy(created.id, .init(name: "on-failure", maximumRetryCount: 2))
        _ = try await rig.service.start(created.id)
        let info = try await waitFor(rig, created.id) { $0.state.Status == .exited && $0.restartCount == 2 }
        XCTAssertEqual(info.hostConfig.restartPolicy, .init(name: "on-failure", maximumRetryCount: 2))
        do {
            try await rig.service.updateRestartPolicy(created.id, .init(name: "sometimes"))
            XCTFail("an unknown policy is refused")
        } catch let error as EngineError {
            XCTAssertEqual(error.message, "invalid restart policy 'sometimes'")
        }
    }
}
