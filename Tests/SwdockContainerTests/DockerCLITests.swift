#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// The container routes in an in-process API server over ContainerService, driven by the real
/// docker CLI (`/usr/local/bin/docker`, CLI 28) and docker-py 7.1.
final class DockerCLITests: XCTestCase {
    func requireDocker() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
    }

    func testDockerRunRemoveEchoesAndExitCodes() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let hi = try rig.docker(["run", "--rm", "busybox", "echo", "hi"])
        XCTAssertEqual(hi.stdout, "hi\n", hi.stderr)
        XCTAssertEqual(hi.status, 0, hi.stderr)
        XCTAssertEqual(hi.stderr, "")
        let remaining = try await rig.service.list({ var o = ContainerListOptions(); o.all = true; return o }())
        XCTAssertEqual(remaining.count, 0, "--rm removed it in the daemon")
        XCTAssertTrue(HostCleanup.mounts(under: rig.root + "/run").isEmpty, "no mount left")

        let three = try rig.docker(["run", "busybox", "sh", "-c", "echo to-err >&2; exit 3"])
        XCTAssertEqual(three.status, 3, three.stderr)
        XCTAssertEqual(three.stderr, "to-err\n")

        let missing = try rig.docker(["run", "--rm", "busybox", "/nosuchcmd"])
        XCTAssertEqual(missing.status, 127, "a missing command is 127, as with Docker: \(missing.stderr)")
    }

    func testDockerRunFlagsReachTheContainer() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let shared = rig.root + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try "host file\n".write(toFile: shared + "/f", atomically: false, encoding: .utf8)
        let script = "echo $FOO; id -u; pwd; cat /data/f; touch /x 2>&1 | grep -o 'Read-only file system'; "
            + "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; grep CapEff /proc/self/status; hostname"
        let result = try rig.docker(["run", "--rm", "--read-only", "-v", "\(shared):/data:ro", "-m", "64m", "-e", "FOO=bar",
                                     "-u", "1000", "-w", "/tmp", "--cap-drop", "ALL", "--hostname", "box1", "--runtime", "runc",
                                     "busybox", "sh", "-c", script])
        XCTAssertEqual(result.stdout, "bar\n1000\n/tmp\nhost file\nRead-only file system\n\(64 << 20)\nCapEff:\t0000000000000000\nbox1\n",
                       result.stderr)
        XCTAssertEqual(result.status, 0, result.stderr)
        let unknown = try rig.docker(["run", "--rm", "--runtime", "nosuch", "busybox", "true"])
        XCTAssertEqual(unknown.status, 125)
        XCTAssertTrue(unknown.stderr.contains("Unknown runtime specified nosuch"), unknown.stderr)
    }

    func testDetachedLifecycleThroughTheCLI() async throws {
        try requireDocker()
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let run = try rig.docker(["run", "-d", "--name", "t1", "busybox", "sh", "-c", "echo started; exec sleep 300"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(id.count, 64, run.stdout)

        let ps = try rig.docker(["ps"])
        XCTAssertEqual(ps.status, 0, ps.stderr)
        let lines = ps.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, ps.stdout)
        XCTAssertTrue(lines[0].hasPrefix("CONTAINER ID   IMAGE     COMMAND"), ps.stdout)
        XCTAssertTrue(lines[1].hasPrefix(String(id.prefix(12))), ps.stdout)
        XCTAssertTrue(lines[1].contains(" Up "), ps.stdout)
        XCTAssertTrue(lines[1].hasSuffix("t1"), ps.stdout)

        let filtered = try rig.docker(["ps", "-a", "--filter", "name=t1", "--format", "{{.Names}} {{.Status}}"])
        XCTAssertTrue(filtered.stdout.hasPrefix("t1 Up "), filtered.stdout + filtered.stderr)
        let none = try rig.docker(["ps", "-a", "--filter", "name=nomatch", "-q"])
        XCTAssertEqual(none.stdout, "")

        // The log is written by the shim as the process writes; wait for the line (bounded).
        var logs = try rig.docker(["logs", "t1"])
        let deadline = Date().addingTimeInterval(10)
        while logs.stdout.isEmpty && Date() < deadline { usleep(50_000); logs = try rig.docker(["logs", "t1"]) }
        XCTAssertEqual(logs.stdout, "started\n", logs.stderr)
        XCTAssertEqual(logs.status, 0)

        let inspect = try rig.docker(["inspect", "t1"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [[String: Any]])
        let object = try XCTUnwrap(parsed.first)
        XCTAssertEqual(object["Id"] as? String, id)
        XCTAssertEqual(object["Name"] as? String, "/t1")
        let state = try XCTUnwrap(object["State"] as? [String: Any])
        XCTAssertEqual(state["Status"] as? String, "running")
        XCTAssertEqual(state["Running"] as? Bool, true)
        let config = try XCTUnwrap(object["Config"] as? [String: Any])
        XCTAssertEqual(config["Image"] as? String, "busybox")
        XCTAssertEqual(config["Hostname"] as? String, String(id.prefix(12)))
        XCTAssertEqual(config["Tty"] as? Bool, false)
        let hostConfig = try XCTUnwrap(object["HostConfig"] as? [String: Any])
        XCTAssertEqual(hostConfig["NetworkMode"] as? String, "none")
        for key in ["Created", "Path", "Args", "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath",
                    "RestartCount", "Driver", "Platform", "GraphDriver", "Mounts", "NetworkSettings"] {
            XCTAssertNotNil(object[key], "inspect has \(key)")
        }
        XCTAssertEqual(object["LogPath"] as? String, rig.layout.containerDirectory(id) + "/\(id)-json.log")
        let format = try rig.docker(["inspect", "-f", "{{.State.Status}} {{.HostConfig.Memory}} {{json .Config.Cmd}}", "t1"])
        XCTAssertEqual(format.stdout, "running 0 [\"sh\",\"-c\",\"echo started; exec sleep 300\"]\n", format.stderr)

        let top = try rig.docker(["top", "t1"])
        XCTAssertTrue(top.stdout.contains("sleep 300"), top.stdout + top.stderr)
        let topArgs = try rig.docker(["top", "t1", "-o", "pid,args"])
        XCTAssertEqual(topArgs.stdout.split(separator: "\n").count, 2, topArgs.stdout + topArgs.stderr)
        XCTAssertTrue(topArgs.stdout.hasPrefix("PID"), topArgs.stdout)
        let sized = try rig.docker(["ps", "-s", "--format", "{{.Names}} {{.Size}}"])
        XCTAssertTrue(sized.stdout.hasPrefix("t1 ") && sized.stdout.contains("virtual"), sized.stdout + sized.stderr)
        let inspectSize = try rig.docker(["inspect", "-s", "-f", "{{.SizeRootFs}}", "t1"])
        XCTAssertGreaterThan(Int(inspectSize.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 1_000_000,
                             "the root filesystem holds busybox: \(inspectSize.stdout)\(inspectSize.stderr)")
        let badSignal = try rig.docker(["kill", "-s", "NOPE", "t1"])
        XCTAssertTrue(badSignal.stderr.contains("Invalid signal: NOPE"), badSignal.stderr)

        let stop = try rig.docker(["stop", "-t", "1", "t1"])
        XCTAssertEqual(stop.stdout, "t1\n", stop.stderr)
        let stopAgain = try rig.docker(["stop", "t1"])
        XCTAssertEqual(stopAgain.status, 0, "304 is success for the CLI: \(stopAgain.stderr)")
        let exited = try rig.docker(["ps", "-a", "--format", "{{.Status}}"])
        XCTAssertTrue(exited.stdout.hasPrefix("Exited (137) "), exited.stdout)

        let conflict = try rig.docker(["run", "-d", "--name", "t1", "busybox", "true"])
        XCTAssertEqual(conflict.status, 125)
        XCTAssertTrue(conflict.stderr.contains("Conflict. The container name \"/t1\" is already in use by container \"\(id)\". You have to remove (or rename) that container to be able to reuse that name."), conflict.stderr)

        let rename = try rig.docker(["rename", "t1", "t2"])
        XCTAssertEqual(rename.status, 0, rename.stderr)
        let rm = try rig.docker(["rm", "t2"])
        XCTAssertEqual(rm.stdout, "t2\n", rm.stderr)
        let rmMissing = try rig.docker(["rm", "t2"])
        XCTAssertEqual(rmMissing.status, 1)
        XCTAssertTrue(rmMissing.stderr.contains("No such container: t2"), rmMissing.stderr)

        let force = try rig.docker(["run", "-d", "busybox", "sleep", "300"])
        let forcedID = force.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let rmRunning = try rig.docker(["rm", forcedID])
        XCTAssertNotEqual(rmRunning.status, 0)
        XCTAssertTrue(rmRunning.stderr.contains("You cannot remove a running container"), rmRunning.stderr)
        let rmForce = try rig.docker(["rm", "-f", String(forcedID.prefix(12))])
        XCTAssertEqual(rmForce.status, 0, rmForce.stderr)
        XCTAssertEqual(try rig.docker(["ps", "-aq"]).stdout, "")

        let labelled = try rig.docker(["run", "-l", "tier=web", "--name", "lab", "busybox", "sh", "-c", "exit 5"])
        XCTAssertEqual(labelled.status, 5, labelled.stderr)
        XCTAssertEqual(try rig.docker(["ps", "-a", "--filter", "label=tier=web", "--format", "{{.Names}}"]).stdout, "lab\n")
        XCTAssertEqual(try rig.docker(["ps", "-a", "--filter", "exited=5", "--format", "{{.Names}}"]).stdout, "lab\n")
        XCTAssertEqual(try rig.docker(["ps", "-a", "--filter", "exited=0", "-q"]).stdout, "")
        XCTAssertEqual(try rig.docker(["ps", "-l", "--format", "{{.Names}}"]).stdout, "lab\n")
        XCTAssertEqual(try rig.docker(["rm", "lab"]).status, 0)
        let created = try rig.docker(["create", "busybox", "true"])
        XCTAssertEqual(created.status, 0, created.stderr)
        let prune = try rig.docker(["container", "prune", "-f"])
        XCTAssertTrue(prune.stdout.contains(created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), prune.stdout + prune.stderr)
        let df = try rig.docker(["system", "df"])
        XCTAssertEqual(df.status, 0, df.stderr)
        XCTAssertTrue(df.stdout.contains("Containers"), df.stdout)
        // The image side's part of the same answer: the one pulled busybox, with a size.
        let images = df.stdout.split(separator: "\n").first { $0.hasPrefix("Images") }?.split(separator: " ")
        XCTAssertEqual(images?.dropFirst().first, "1", df.stdout)
        XCTAssertNotEqual(images?.dropFirst(3).first, "0B", df.stdout)
    }

    func testBadInputGetsJSONErrorsAndTheDaemonKeepsServing() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        func curl(_ method: String, _ path: String, _ body: String? = nil) throws -> (Int, String) {
            var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", rig.socketPath, "-X", method]
            if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
            let result = try runCommand("/usr/bin/curl", arguments + ["http://swdock/v1.41" + path], timeout: 30)
            let parts = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(parts.last ?? "") ?? 0, parts.dropLast().joined(separator: "\n"))
        }
        var (status, body) = try curl("POST", "/containers/create", "{\"Image\": \"busybox\", ")
        XCTAssertEqual(status, 400, body)
        XCTAssertTrue(body.hasPrefix("{\"message\":"), body)
        (status, body) = try curl("POST", "/containers/create", "{\"Image\": \"busybox\", \"Cmd\": 5}")
        XCTAssertEqual(status, 400, body)
        (status, body) = try curl("POST", "/containers/create", "{\"Image\": \"busybox\", \"HostConfig\": {\"Memory\": \"lots\"}}")
        XCTAssertEqual(status, 400, body)
        (status, body) = try curl("POST", "/containers/create", "{\"Image\": \"nosuch\"}")
        XCTAssertEqual(status, 404, body)
        XCTAssertEqual(body, "{\"message\":\"No such image: nosuch:latest\"}\n")
        (status, body) = try curl("GET", "/containers/nosuch/json")
        XCTAssertEqual(status, 404)
        XCTAssertEqual(body, "{\"message\":\"No such container: nosuch\"}\n")
        (status, body) = try curl("GET", "/containers/localhost:5000/busybox:latest/json")
        XCTAssertEqual(status, 404, body)
        (status, body) = try curl("POST", "/containers/nosuch/wait")
        XCTAssertEqual(status, 404, body)
        (status, body) = try curl("POST", "/containers/nosuch/kill?signal=TERM")
        XCTAssertEqual(status, 404, body)
        (status, body) = try curl("GET", "/containers/json?filters=%7B%22status%22%3A%5B%22bogus%22%5D%7D")
        XCTAssertEqual(status, 400, body)
        (status, body) = try curl("GET", "/containers/json?filters=notjson")
        XCTAssertEqual(status, 400, body)
        (status, body) = try curl("DELETE", "/containers/nosuch?v=False&link=False&force=False")
        XCTAssertEqual(status, 404, body)
        // docker-py's list form of filters, and its True/False booleans.
        (status, body) = try curl("POST", "/containers/create?name=pyform", "{\"Image\": \"busybox\", \"Cmd\": [\"true\"]}")
        XCTAssertEqual(status, 201, body)
        (status, body) = try curl("GET", "/containers/json?all=True&filters=%7B%22name%22%3A+%5B%22pyform%22%5D%7D")
        XCTAssertEqual(status, 200, body)
        XCTAssertTrue(body.contains("\"Names\":[\"/pyform\"]"), body)
        (status, body) = try curl("POST", "/containers/pyform/wait?condition=bogus")
        XCTAssertEqual(status, 400, body)
        (status, body) = try curl("POST", "/containers/pyform/wait")
        XCTAssertEqual(status, 200, body)
        let wait = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(wait["StatusCode"] as? Int, 0, "not-running on a created container answers at once")
        XCTAssertTrue(wait["Error"] is NSNull, body)
        (status, body) = try curl("GET", "/containers/pyform/logs")
        XCTAssertEqual(status, 400, body)
        (status, _) = try curl("GET", "/_ping")
        XCTAssertEqual(status, 200, "still serving")
    }

    func testDockerPy() async throws {
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let check = try runCommand("/usr/bin/env", ["python3", "-c", "import docker; assert docker.__version__.startswith('7.1')"], timeout: 30)
        guard check.status == 0 else {
            try TestEnvironment.missing("docker-py 7.1 (pip install docker==7.1.0)")
            return
        }
        let script = """
            import docker, sys
            client = docker.DockerClient(base_url="unix://\(rig.socketPath)")
            out = client.containers.run("busybox", ["sh", "-c", "echo hi; echo err >&2"], remove=True)
            assert out == b"hi\\n", out
            c = client.containers.run("busybox", ["sh", "-c", "echo ready; exec sleep 300"], detach=True, name="py1")
            names = [x.name for x in client.containers.list()]
            assert names == ["py1"], names
            assert [x.name for x in client.containers.list(filters={"name": "py1"})] == ["py1"]
            c.reload()
            assert c.status == "running", c.status
            import time
            deadline = time.time() + 10
            while c.logs() != b"ready\\n" and time.time() < deadline: time.sleep(0.05)
            assert c.logs() == b"ready\\n", c.logs()
            c.stop(timeout=1)
            c.reload()
            assert c.status == "exited" and c.attrs["State"]["ExitCode"] == 137, c.attrs["State"]
            c.remove()
            assert client.containers.list(all=True) == []
            try:
                client.containers.get("py1")
                sys.exit("still there")
            except docker.errors.NotFound:
                pass
            print("ok")
            """
        let result = try runCommand("/usr/bin/env", ["python3", "-c", script], timeout: 120)
        XCTAssertEqual(result.stdout, "ok\n", result.stderr)
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
