#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockOS
import SwdockShimCore
import SwdockTestSupport
import XCTest

/// ContainerService as root with the real shim, runtimes and overlay snapshots.
final class ContainerServiceTests: XCTestCase {
    func config(_ cmd: [String], tty: Bool = false) -> ContainerConfiguration {
        ContainerConfiguration(attachStdout: true, attachStderr: true, tty: tty, cmd: cmd, image: "busybox")
    }

    /// create → attach → wait → start, as `docker run` orders them; output and code arrive.
    func run(_ rig: ContainerRig, _ cmd: [String], host: HostConfiguration = HostConfiguration(),
             name: String? = nil, env: [String]? = nil, user: String = "", workingDir: String = "")
        async throws -> (id: String, stdout: String, stderr: String, code: Int64) {
        var configuration = config(cmd)
        configuration.env = env
        configuration.user = user
        configuration.workingDir = workingDir
        let created = try await rig.service.create(name: name, config: configuration, hostConfig: host)
        let output = try await rig.service.attach(created.id, stdout: true, stderr: true, logs: false, stream: true)
        let waiter = try rig.service.wait(created.id, condition: host.autoRemove ? .removed : .nextExit)
        _ = try await rig.service.start(created.id)
        let (out, err) = await collect(output)
        let result = await waiter.result()
        return (created.id, out, err, try XCTUnwrap(result).statusCode)
    }

    func testRunAttachedGetsOutputLogsAndExitCode() async throws {
        let rig = try ContainerRig(test: self)
        let hi = try await run(rig, ["echo", "hi"])
        XCTAssertEqual(hi.stdout, "hi\n")
        XCTAssertEqual(hi.code, 0)
        let logs = try rig.service.logs(hi.id, options: ContainerLogOptions())
        let (logged, _) = await collect(logs)
        XCTAssertEqual(logged, "hi\n", "the json-file log holds the output")
        let info = try await rig.service.inspect(hi.id, size: false)
        XCTAssertEqual(info.state.Status, .exited)
        XCTAssertEqual(info.state.ExitCode, 0)
        XCTAssertNotEqual(info.state.FinishedAt, ContainerState.zeroTime)
        XCTAssertEqual(info.hostConfig.networkMode, "none", "no bridge yet: the default network is none")
        XCTAssertFalse(rig.isMounted(rig.layout.containerRunDirectory(hi.id)), "the rootfs is unmounted at the exit")

        let three = try await run(rig, ["sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(three.code, 3)
        XCTAssertEqual(three.stdout, "out\n")
        XCTAssertEqual(three.stderr, "err\n")
        var options = ContainerLogOptions()
        options.stdout = false
        let (noOut, errOnly) = await collect(try rig.service.logs(three.id, options: options))
        XCTAssertEqual(noOut, "")
        XCTAssertEqual(errOnly, "err\n")
        options = ContainerLogOptions()
        options.timestamps = true
        options.tail = 1
        let (tailed, tailedErr) = await collect(try rig.service.logs(three.id, options: options))
        XCTAssertEqual(tailed + tailedErr, tailedErr, "tail 1 is the last message, on stderr")
        XCTAssertTrue(tailedErr.hasSuffix("Z err\n") && tailedErr.count == "2026-01-01T00:00:00.000000000Z err\n".count,
                      "timestamps as RFC3339NanoFixed: \(tailedErr)")
    }

    func testAutoRemoveLeavesNothingBehind() async throws {
        let rig = try ContainerRig(test: self)
        var host = HostConfiguration()
        host.autoRemove = true
        let result = try await run(rig, ["sh", "-c", "echo bye; exit 7"], host: host)
        XCTAssertEqual(result.stdout, "bye\n")
        XCTAssertEqual(result.code, 7, "wait removed reports the exit code")
        let id = result.id
        do {
            _ = try await rig.service.inspect(id, size: false)
            XCTFail("the container is gone")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertEqual(error.message, "No such container: \(id)")
        }
        XCTAssertThrowsError(try rig.snapshotter.stat(id), "no snapshot")
        XCTAssertFalse(FileManager.default.fileExists(atPath: rig.layout.containerDirectory(id)), "no log, hosts, …")
        XCTAssertFalse(FileManager.default.fileExists(atPath: rig.layout.containerRunDirectory(id)), "no bundle, shim state")
        XCTAssertTrue(HostCleanup.mounts(under: rig.root + "/run").isEmpty, "no mount")
        for hierarchy in ["memory", "pids", "cpu,cpuacct", "unified"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(hierarchy)\(rig.cgroupParent)/\(id)"),
                           "no \(hierarchy) cgroup")
        }
        XCTAssertEqual(processes(mentioning: id), [], "no shim or runtime process is left")
    }

    func testDetachedContainerStopKillRestartRemove() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: "t1", config: config(["sleep", "300"]), hostConfig: HostConfiguration())
        let id = created.id
        let started = try await rig.service.start("t1")
        XCTAssertTrue(started)
        let again = try await rig.service.start(id)
        XCTAssertFalse(again, "start of a running container is Docker's 304")
        var info = try await rig.service.inspect(String(id.prefix(6)), size: false)
        XCTAssertEqual(info.state.Status, .running)
        XCTAssertTrue(info.state.Pid > 0 && kill(info.state.Pid, 0) == 0, "the process runs")
        XCTAssertEqual(info.name, "/t1")

        do {
            try await rig.service.remove("t1", force: false, volumes: false)
            XCTFail("removing a running container needs force")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .conflict)
            XCTAssertTrue(error.message.hasPrefix("You cannot remove a running container \(id)."), error.message)
        }
        let top = try await rig.service.top("t1", psArguments: "")
        XCTAssertTrue(top.titles.contains("PID"))
        XCTAssertEqual(top.processes.count, 1, "\(top.processes)")
        XCTAssertTrue(top.processes.first?.last?.contains("sleep 300") == true, "\(top.processes)")

        // sleep as PID 1 ignores SIGTERM: the stop ends with SIGKILL after the timeout.
        let stopped = try await rig.service.stop("t1", timeout: 1)
        XCTAssertTrue(stopped)
        info = try await rig.service.inspect(id, size: false)
        XCTAssertEqual(info.state.Status, .exited)
        XCTAssertEqual(info.state.ExitCode, 137)
        let stoppedAgain = try await rig.service.stop("t1", timeout: 1)
        XCTAssertFalse(stoppedAgain, "stop of a stopped container is Docker's 304")
        do {
            try await rig.service.kill("t1", signal: "TERM")
            XCTFail("kill of a stopped container is a conflict")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .conflict)
            XCTAssertEqual(error.message, "Container \(id) is not running")
        }

        try await rig.service.restart("t1", timeout: 1)
        info = try await rig.service.inspect(id, size: false)
        XCTAssertEqual(info.state.Status, .running, "restart starts it again")
        let waiter = try rig.service.wait(id, condition: .notRunning)
        try await rig.service.kill(id, signal: "SIGKILL")
        let killed = await waiter.result()
        XCTAssertEqual(killed?.statusCode, 137)

        try await rig.service.rename("t1", to: "t1-renamed")
        info = try await rig.service.inspect("t1-renamed", size: false)
        XCTAssertEqual(info.id, id)
        try await rig.service.remove("t1-renamed", force: false, volumes: false)
        let all = try await rig.service.list({ var o = ContainerListOptions(); o.all = true; return o }())
        XCTAssertEqual(all.count, 0)
    }

    func testNamesConflictsAndLookups() async throws {
        let rig = try ContainerRig(test: self)
        let first = try await rig.service.create(name: "web", config: config(["true"]), hostConfig: HostConfiguration())
        do {
            _ = try await rig.service.create(name: "/web", config: config(["true"]), hostConfig: HostConfiguration())
            XCTFail("a taken name is a conflict")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .conflict)
            XCTAssertEqual(error.message, "Conflict. The container name \"/web\" is already in use by container \"\(first.id)\". You have to remove (or rename) that container to be able to reuse that name.")
        }
        do {
            _ = try await rig.service.create(name: "bad name!", config: config(["true"]), hostConfig: HostConfiguration())
            XCTFail("an invalid name is refused")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .invalidArgument)
            XCTAssertEqual(error.message, "Invalid container name (bad name!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        do {
            _ = try await rig.service.create(name: nil, config: ContainerConfiguration(cmd: ["true"], image: "nosuch"), hostConfig: HostConfiguration())
            XCTFail("an unknown image is a 404")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertEqual(error.message, "No such image: nosuch:latest")
        }
        let generated = try await rig.service.create(name: nil, config: config(["true"]), hostConfig: HostConfiguration())
        let info = try await rig.service.inspect(generated.id, size: false)
        XCTAssertNotNil(info.name.wholeMatch(of: /\/[a-z]+_[a-z]+/), "a generated adjective_surname name: \(info.name)")
        XCTAssertEqual(generated.id.count, 64)
        XCTAssertTrue(generated.id.allSatisfy(\.isHexDigit))
        let value1 = try await rig.service.inspect(String(first.id.prefix(8)), size: false).id
        XCTAssertEqual(value1, first.id)
        do {
            _ = try await rig.service.inspect("nosuch", size: false)
            XCTFail("unknown container")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertEqual(error.message, "No such container: nosuch")
        }
        var filters = ContainerListOptions()
        filters.all = true
        filters.filters = ["name": ["web"]]
        let value2 = try await rig.service.list(filters).map(\.id)
        XCTAssertEqual(value2, [first.id])
        filters.filters = ["status": ["created"]]
        let value3 = try await rig.service.list(filters).map(\.id)
        XCTAssertEqual(Set(value3), [first.id, generated.id])
        filters.filters = ["since": ["web"]]
        let value4 = try await rig.service.list(filters).map(\.id)
        XCTAssertEqual(value4, [generated.id])
        filters.filters = ["before": [generated.id]]
        let value5 = try await rig.service.list(filters).map(\.id)
        XCTAssertEqual(value5, [first.id])
        filters.filters = ["ancestor": ["busybox"]]
        let value6 = try await rig.service.list(filters).count
        XCTAssertEqual(value6, 2)
        filters.filters = ["status": ["bogus"]]
        do {
            _ = try await rig.service.list(filters)
            XCTFail("a bad status filter is a 400")
        } catch let error as EngineError { XCTAssertEqual(error.code, .invalidArgument) }
        let pruned = try await rig.service.prune(filters: [:])
        XCTAssertEqual(Set(pruned.removed), [first.id, generated.id])
    }

    func testRunningContainerSurvivesTheServiceAndIsFoundAgain() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: "survivor", config: config(["sleep", "300"]), hostConfig: HostConfiguration())
        _ = try await rig.service.start(created.id)
        let pid = try await rig.service.inspect(created.id, size: false).state.Pid
        // As swdockd being killed with -9: nothing stops the shim or the container.
        try rig.restartService()
        XCTAssertEqual(kill(pid, 0), 0, "the container still runs")
        let info = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(info.state.Status, .running)
        XCTAssertEqual(info.state.Pid, pid)
        // The new service watches it: a kill is recorded as the exit.
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        try await rig.service.kill(created.id, signal: "KILL")
        let result = await waiter.result()
        XCTAssertEqual(result?.statusCode, 137)
    }

    func testExitWhileNoServiceWatchedIsRecordedAtRecovery() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: nil, config: config(["sleep", "300"]), hostConfig: HostConfiguration())
        _ = try await rig.service.start(created.id)
        let pid = try await rig.service.inspect(created.id, size: false).state.Pid
        rig.service.shutdown()
        XCTAssertEqual(kill(pid, SIGKILL), 0)
        // The shim records the exit on its own; wait for its record (bounded, not timed).
        let exitFile = rig.layout.containerRunDirectory(created.id) + "/exit"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: exitFile) && Date() < deadline { usleep(20_000) }
        try rig.restartService()
        let info = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(info.state.Status, .exited)
        XCTAssertEqual(info.state.ExitCode, 137)
        XCTAssertFalse(rig.isMounted(rig.layout.containerRunDirectory(created.id)))
    }

    func testAContainerWhoseShimWasKilledIsEndedAndRecordedAtRecovery() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: nil, config: config(["sleep", "300"]), hostConfig: HostConfiguration())
        _ = try await rig.service.start(created.id)
        let pid = try await rig.service.inspect(created.id, size: false).state.Pid
        rig.service.shutdown()
        let shimPIDText = try String(contentsOfFile: rig.layout.containerRunDirectory(created.id) + "/shim.pid", encoding: .utf8)
        let shimPID = try XCTUnwrap(Int32(shimPIDText.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(shimPID, SIGKILL), 0)
        let deadline = Date().addingTimeInterval(10)
        while kill(shimPID, 0) == 0 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(kill(pid, 0), 0, "killing the shim leaves the container running, without a reaper")
        try rig.restartService()
        let info = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(info.state.Status, .exited)
        XCTAssertEqual(info.state.ExitCode, 255)
        XCTAssertEqual(info.state.Error, "the shim of container \(created.id) is gone and recorded no exit")
        // The orphan is ended (runtime delete --force), so no process or cgroup outlives its record.
        let gone = Date().addingTimeInterval(10)
        while FileManager.default.fileExists(atPath: "/proc/\(pid)/stat"),
              (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") == false, Date() < gone {
            usleep(20_000)
        }
        let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        XCTAssertTrue(stat == nil || stat!.contains(") Z "), "the container process is gone: \(stat ?? "")")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory\(rig.cgroupParent)/\(created.id)"))
        try await rig.service.remove(created.id, force: false, volumes: false)
    }

    func testStartRebuildsABundleTheExecRootLost() async throws {
        let rig = try ContainerRig(test: self)
        var host = HostConfiguration()
        host.memory = 32 << 20
        var configuration = config(["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; id -un"])
        configuration.user = "nobody"
        let created = try await rig.service.create(name: nil, config: configuration, hostConfig: host)
        // As after a reboot: /run is empty, the store still has the container.
        try FileManager.default.removeItem(atPath: rig.layout.containerRunDirectory(created.id))
        let output = try await rig.service.attach(created.id, stdout: true, stderr: true, logs: false, stream: true)
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        _ = try await rig.service.start(created.id)
        let (out, err) = await collect(output)
        XCTAssertEqual(out, "\(32 << 20)\nnobody\n", err)
        let result = await waiter.result()
        XCTAssertEqual(result?.statusCode, 0)
    }

    func testRuncAndCrunAreSelectable() async throws {
        let rig = try ContainerRig(test: self)
        for runtime in ["runc", "crun"] where rig.options.runtimes[runtime] != nil {
            var host = HostConfiguration()
            host.runtime = runtime
            let result = try await run(rig, ["echo", runtime], host: host)
            XCTAssertEqual(result.stdout, "\(runtime)\n")
            let value7 = try await rig.service.inspect(result.id, size: false).runtime
            XCTAssertEqual(value7, runtime)
        }
        var host = HostConfiguration()
        host.runtime = "nosuch"
        do {
            _ = try await rig.service.create(name: nil, config: config(["true"]), hostConfig: host)
            XCTFail("an unknown runtime is refused")
        } catch let error as EngineError {
            XCTAssertEqual(error.message, "Unknown runtime specified nosuch")
        }
    }

    func testFailedStartReportsDockerExitCodeAndAutoRemoves() async throws {
        let rig = try ContainerRig(test: self)
        var host = HostConfiguration()
        host.autoRemove = true
        let created = try await rig.service.create(name: nil, config: config(["/nosuchcmd"]), hostConfig: host)
        let waiter = try rig.service.wait(created.id, condition: .removed)
        do {
            _ = try await rig.service.start(created.id)
            XCTFail("start of a missing command fails")
        } catch let error as EngineError {
            XCTAssertEqual(error.code, .invalidArgument)
            XCTAssertTrue(error.message.contains("no such file or directory") || error.message.contains("not found"), error.message)
        }
        let result = await waiter.result()
        XCTAssertEqual(result?.statusCode, 127)
        XCTAssertThrowsError(try rig.snapshotter.stat(created.id))
    }

    /// Processes whose command line names `marker`.
    func processes(mentioning marker: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != getpid() else { return nil }
            let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: data, as: UTF8.self).contains(marker) ? pid : nil
        }
    }
}
