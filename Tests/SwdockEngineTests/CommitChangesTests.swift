import SwdockOCI
@testable import SwdockEngine
import XCTest

/// `--change` instructions of `docker commit` / `docker import` as dockerd's builder applies them,
/// and the commit's completion from the container's config (moby's `merge`).
final class CommitChangesTests: XCTestCase {
    private func applied(_ changes: [String], to config: ContainerConfig = ContainerConfig(env: ["PATH=/bin", "HOME=/root"])) throws -> ContainerConfig {
        var config = config
        try CommitChanges.apply(changes, to: &config)
        return config
    }

    func testEnvForms() throws {
        let config = try applied(["ENV A=1 B=\"two words\"", "ENV PATH=$PATH:/opt/bin", "env LEGACY value with spaces",
                                  "ENV HOME=/home/${A}x"])
        XCTAssertEqual(config.env, ["PATH=/bin:/opt/bin", "HOME=/home/1x", "A=1", "B=two words", "LEGACY=value with spaces"])
    }

    func testCmdAndEntrypoint() throws {
        var config = try applied(["CMD echo hi"])
        XCTAssertEqual(config.cmd, ["/bin/sh", "-c", "echo hi"])
        config = try applied(["CMD [\"a\", \"b\"]", "ENTRYPOINT [\"/entry\"]"])
        XCTAssertEqual(config.cmd, ["a", "b"], "a CMD before the ENTRYPOINT stays")
        XCTAssertEqual(config.entrypoint, ["/entry"])
        config = try applied(["ENTRYPOINT /entry --flag"], to: ContainerConfig(cmd: ["old"]))
        XCTAssertNil(config.cmd, "ENTRYPOINT without a CMD of the change clears the CMD")
        XCTAssertEqual(config.entrypoint, ["/bin/sh", "-c", "/entry --flag"])
    }

    func testExposeLabelVolumeUserWorkdirOnbuildHealthcheck() throws {
        let config = try applied(["EXPOSE 80 53/udp 8000-8001", "LABEL a=b \"c d\"=e", "VOLUME [\"/data\", \"/logs\"]", "VOLUME /cache",
                                  "USER 1000:1000", "WORKDIR /srv", "WORKDIR app/../web", "ONBUILD RUN echo child",
                                  "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/"])
        XCTAssertEqual(config.exposedPorts?.keys.sorted(), ["53/udp", "80/tcp", "8000/tcp", "8001/tcp"])
        XCTAssertEqual(config.labels, ["a": "b", "c d": "e"])
        XCTAssertEqual(config.volumes?.keys.sorted(), ["/cache", "/data", "/logs"])
        XCTAssertEqual(config.user, "1000:1000")
        XCTAssertEqual(config.workingDir, "/srv/web")
        XCTAssertEqual(config.onBuild, ["RUN echo child"])
        XCTAssertEqual(config.healthcheck?.test, ["CMD-SHELL", "curl -f http://localhost/"])
        XCTAssertEqual(config.healthcheck?.interval, 30_000_000_000)
        XCTAssertEqual(config.healthcheck?.retries, 3)
        XCTAssertEqual(try applied(["HEALTHCHECK NONE"]).healthcheck?.test, ["NONE"])
    }

    func testInstructionsDockerdRefuses() {
        for (change, message) in [("RUN true", "run is not a valid change command"),
                                  ("STOPSIGNAL SIGKILL", "stopsignal is not a valid change command"),
                                  ("FROM busybox", "from is not a valid change command"),
                                  ("VOLUME \"\"", "VOLUME specified can not be an empty string"),
                                  ("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
                                  ("EXPOSE 70000", "invalid containerPort: 70000")] {
            XCTAssertThrowsError(try applied([change]), change) { error in
                XCTAssertEqual((error as? EngineError)?.message, message, change)
                XCTAssertEqual((error as? EngineError)?.code, .invalidArgument, change)
            }
        }
    }

    func testCommitMergeCompletesFromTheContainersConfig() {
        let container = ContainerConfig(user: "app", exposedPorts: ["80/tcp": EmptyObject()], env: ["PATH=/bin", "A=container"],
                                        entrypoint: nil, cmd: ["sh"], volumes: ["/v": EmptyObject()], workingDir: "/w",
                                        labels: ["from": "container", "both": "container"], stopSignal: "SIGUSR1")
        let merged = ContainerService.commitMerge(ContainerConfig(exposedPorts: ["443/tcp": EmptyObject()], env: ["A=change"],
                                                                  labels: ["both": "change"]), container)
        XCTAssertEqual(merged.user, "app")
        XCTAssertEqual(merged.exposedPorts?.keys.sorted(), ["443/tcp", "80/tcp"])
        XCTAssertEqual(merged.env, ["A=change", "PATH=/bin"])
        XCTAssertEqual(merged.cmd, ["sh"])
        XCTAssertEqual(merged.volumes?.keys.sorted(), ["/v"])
        XCTAssertEqual(merged.workingDir, "/w")
        XCTAssertEqual(merged.labels, ["from": "container", "both": "change"])
        XCTAssertEqual(merged.stopSignal, "SIGUSR1")
        let withEntrypoint = ContainerService.commitMerge(ContainerConfig(entrypoint: ["/e"]), container)
        XCTAssertNil(withEntrypoint.cmd, "an entrypoint of the commit keeps the container's Cmd out")
    }
}
