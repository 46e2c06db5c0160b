import ArgumentParser
import Foundation
import SwdockClient
@testable import SwdockCommands
import SwdockTestSupport
import XCTest

/// The dynamic completion providers (container, image, network and volume names) against a fake
/// Engine API socket, a private dockerd (the reference answers) and a private swdockd.
final class DaemonCompletionsTests: XCTestCase {
    private func connect(_ host: String, timeout: Duration = DaemonCompletions.timeout) throws -> EngineClient {
        try XCTUnwrap(DaemonCompletions.client(words: ["swdock", "-H", host, "rm", ""], timeout: timeout))
    }

    private func fake(_ answers: [String: FakeEngineSocket.Answer], silent: Set<String> = []) throws -> FakeEngineSocket {
        let server = try FakeEngineSocket(answers: answers, silentPaths: silent)
        addTeardownBlock { server.stop() }
        return server
    }

    func testProvidersReadTheNamesFromTheListAnswers() throws {
        // Shapes as dockerd 20.10 answers them (trimmed to the fields that matter and a few others).
        let server = try fake([
            "/containers/json": .init(status: 200, body: """
                [{"Id":"a1","Names":["/web"],"Image":"busybox"},{"Id":"b2","Names":["/db","/web/db"]},{"Id":"c3","Names":null}]
                """),
            "/images/json": .init(status: 200, body: """
                [{"Id":"sha256:1","RepoTags":["busybox:latest","busybox:1.36"]},{"Id":"sha256:2","RepoTags":null},
                 {"Id":"sha256:3","RepoTags":["<none>:<none>"]},{"Id":"sha256:4","RepoTags":["registry:5000/web:v1"]}]
                """),
            "/networks": .init(status: 200, body: #"[{"Name":"none","Id":"n1"},{"Name":"host","Id":"n2"},{"Name":"backend","Id":"n3"}]"#),
            "/volumes": .init(status: 200, body: #"{"Volumes":[{"Name":"data","Driver":"local"},{"Name":"cache"}],"Warnings":null}"#),
        ])
        let engine = try connect(server.host)
        XCTAssertEqual(DaemonCompletions.containerNames(client: engine, prefix: ""), ["db", "web"])
        XCTAssertEqual(DaemonCompletions.containerNames(client: engine, prefix: "w"), ["web"])
        XCTAssertEqual(DaemonCompletions.imageReferences(client: engine, prefix: ""),
                       ["busybox:1.36", "busybox:latest", "registry:5000/web:v1"])
        XCTAssertEqual(DaemonCompletions.imageReferences(client: engine, prefix: "'busybox:l"), ["busybox:latest"])
        XCTAssertEqual(DaemonCompletions.networkNames(client: engine, prefix: ""), ["backend", "host", "none"])
        XCTAssertEqual(DaemonCompletions.volumeNames(client: engine, prefix: "c"), ["cache"])
        XCTAssertTrue(server.requestTargets.contains("/v1.41/containers/json?all=1"), "\(server.requestTargets)")
    }

    func testFailuresYieldNoCandidates() throws {
        let notImplemented = FakeEngineSocket.Answer(status: 501, body: #"{"message":"not supported: GET /containers/json"}"#)
        let server = try fake([
            "/containers/json": notImplemented,
            "/images/json": .init(status: 500, body: #"{"message":"boom"}"#),
            "/networks": .init(status: 200, body: "this is not JSON"),
        ], silent: ["/volumes"])
        // Short, so the unanswered /volumes request gives up quickly.
        let engine = try connect(server.host, timeout: .milliseconds(200))
        XCTAssertEqual(DaemonCompletions.containerNames(client: engine, prefix: ""), [])
        XCTAssertEqual(DaemonCompletions.imageReferences(client: engine, prefix: ""), [])
        XCTAssertEqual(DaemonCompletions.networkNames(client: engine, prefix: ""), [])
        XCTAssertEqual(DaemonCompletions.volumeNames(client: engine, prefix: ""), [], "a daemon that never answers")
        XCTAssertTrue(server.requestTargets.contains("/v1.41/volumes"), "\(server.requestTargets)")

        let nobody = try connect("unix:///tmp/swdock-no-such-\(UUID().uuidString.prefix(8)).sock")
        XCTAssertEqual(DaemonCompletions.containerNames(client: nobody, prefix: ""), [])
        XCTAssertEqual(DaemonCompletions.volumeNames(client: nil, prefix: ""), [])
    }

    func testTheHostIsTakenFromTheWordsBeingCompleted() throws {
        func socket(_ words: [String]) -> String? { DaemonCompletions.client(words: words)?.address.socketPath }
        XCTAssertEqual(socket(["swdock", "-H", "unix:///tmp/a.sock", "rm", ""]), "/tmp/a.sock")
        XCTAssertEqual(socket(["swdock", "rm", "--host", "'unix:///tmp/b.sock'", "x"]), "/tmp/b.sock")
        XCTAssertEqual(socket(["swdock", "--host=unix:///tmp/c.sock", "start", ""]), "/tmp/c.sock")
        XCTAssertEqual(socket(["swdock", "-H", "unix:///tmp/a.sock", "rm", "--", "-H", "unix:///tmp/not.sock"]), "/tmp/a.sock",
                       "words after -- are arguments, not options")
        XCTAssertNil(socket(["swdock", "-H", "tcp://127.0.0.1:2375", "rm", ""]), "not a host swdock can talk to")
        XCTAssertEqual(DaemonCompletions.client(words: ["swdock", "-H", "unix:///tmp/a.sock"])?.timeout, DaemonCompletions.timeout)
    }

    /// The reference: what a private dockerd lists for a container, an image and a volume made through it.
    func testProvidersAgainstDockerd() throws {
        try TestEnvironment.requireRoot()
        let dockerd = try PrivateDockerd(runtimes: [:])
        addTeardownBlock { dockerd.stop() }
        let rootfs = dockerd.directory.appendingPathComponent("busybox-rootfs.tar")
        try BusyboxImage.writeRootfsTar(to: rootfs)
        for arguments in [["import", rootfs.path, "swdock-completion:test"],
                          ["create", "--name", "swdock-completion-ctr", "swdock-completion:test", "/bin/true"],
                          ["volume", "create", "swdock-completion-vol"]] {
            let result = try dockerd.docker(arguments)
            XCTAssertEqual(result.status, 0, "docker \(arguments.joined(separator: " ")): \(result.stderr)\n\(dockerd.log)")
        }
        addTeardownBlock { _ = try? dockerd.docker(["volume", "rm", "-f", "swdock-completion-vol"]) }
        let engine = try connect("unix://" + dockerd.socket)
        XCTAssertEqual(DaemonCompletions.containerNames(client: engine, prefix: "swdock-completion"), ["swdock-completion-ctr"])
        XCTAssertEqual(DaemonCompletions.imageReferences(client: engine, prefix: "swdock-completion"), ["swdock-completion:test"])
        XCTAssertEqual(DaemonCompletions.volumeNames(client: engine, prefix: "swdock-completion"), ["swdock-completion-vol"])
        // --bridge=none: dockerd's predefined networks are host and none.
        XCTAssertEqual(DaemonCompletions.networkNames(client: engine, prefix: ""), ["host", "none"])
    }

    /// swdockd: a route it serves gives its names, a route it does not serve yet (501) gives none.
    func testProvidersAgainstSwdockd() throws {
        let daemon = try PrivateDaemon()
        addTeardownBlock { daemon.stop() }
        let engine = try connect(daemon.host)
        let raw = EngineClient(address: DaemonAddress(socketPath: daemon.socketPath))
        let cases: [(path: String, query: [(String, String)], names: () -> [String])] = [
            ("/containers/json", [("all", "1")], { DaemonCompletions.containerNames(client: engine, prefix: "") }),
            ("/images/json", [], { DaemonCompletions.imageReferences(client: engine, prefix: "") }),
            ("/networks", [], { DaemonCompletions.networkNames(client: engine, prefix: "") }),
            ("/volumes", [], { DaemonCompletions.volumeNames(client: engine, prefix: "") }),
        ]
        for item in cases {
            var response = try raw.send("GET", item.path, query: item.query)
            let body = try response.body.readAll()
            if response.head.status == 501 {
                XCTAssertEqual(item.names(), [], "\(item.path) is not served: no candidates")
            } else {
                XCTAssertEqual(response.head.status, 200, "\(item.path): \(String(decoding: body, as: UTF8.self))")
                // A fresh daemon has no containers, images or volumes; networks are its predefined ones.
                let listed = try JSONSerialization.jsonObject(with: Data(body))
                let count = ((listed as? [Any]) ?? ((listed as? [String: Any])?["Volumes"] as? [Any]) ?? []).count
                XCTAssertEqual(item.names().count, count, "\(item.path): \(String(decoding: body, as: UTF8.self))")
            }
        }
    }
}

/// The kinds attached to arguments, as the lead attaches them to swdock's commands: ArgumentParser's
/// `---completion` request (what the generated scripts send on TAB) is answered from the daemon.
final class CompletionKindWiringTests: XCTestCase {
    private struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, completion: .imageReferences) var image: String?
        @Option(name: .long, completion: .networkNames) var network: String?
        @Option(name: .long, completion: .volumeNames) var volume: String?
        @Argument(completion: .containerNames) var containers: [String] = []
    }

    /// What a `---completion` request prints (ArgumentParser answers it by throwing the text).
    private func complete(_ argument: String, words: [String]) -> String {
        let cursor = words.last?.count ?? 0
        do {
            _ = try Remove.parseAsRoot(["---completion", "--", argument, "\(words.count - 1)", "\(cursor)"] + words)
            return "parsed instead of completing"
        } catch {
            XCTAssertEqual(Remove.exitCode(for: error), .success, "\(error)")
            return Remove.fullMessage(for: error)
        }
    }

    func testCompletionRequestsAreAnsweredFromTheDaemonTheWordsName() throws {
        let server = try FakeEngineSocket(answers: [
            "/containers/json": .init(status: 200, body: #"[{"Names":["/web"]},{"Names":["/worker"]},{"Names":["/db"]}]"#),
            "/images/json": .init(status: 200, body: #"[{"RepoTags":["busybox:latest"]}]"#),
            "/networks": .init(status: 200, body: #"[{"Name":"host"},{"Name":"none"}]"#),
            "/volumes": .init(status: 501, body: #"{"message":"not supported: GET /volumes"}"#),
        ])
        addTeardownBlock { server.stop() }
        XCTAssertEqual(complete("positional@0", words: ["rm", "-H", server.host, "w"]), "web\nworker")
        XCTAssertEqual(complete("--image", words: ["rm", "--host=" + server.host, "--image", ""]), "busybox:latest")
        XCTAssertEqual(complete("--network", words: ["rm", "-H", server.host, "--network", "n"]), "none")
        XCTAssertEqual(complete("--volume", words: ["rm", "-H", server.host, "--volume", ""]), "", "501: nothing, no error text")
    }
}
