#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockOS
import SwdockTestSupport
import XCTest

/// The event bus (filters, since/until, bounded history) and the real docker CLI's `events`.
final class EventTests: XCTestCase {
    func testBusFiltersSinceUntilAndBoundedHistory() async throws {
        let bus = EventBus(historyLimit: 3)
        bus.publish(type: "container", action: "create", actorID: "c1", attributes: ["name": "one", "image": "busybox", "tier": "web"])
        bus.publish(type: "image", action: "pull", actorID: "busybox:latest", attributes: ["name": "busybox:latest"])
        bus.publish(type: "container", action: "exec_create: echo hi", actorID: "c1", attributes: ["name": "one"])
        bus.publish(type: "container", action: "die", actorID: "c2", attributes: ["name": "two", "exitCode": "3"])
        let all = bus.history(sinceNanoseconds: nil, untilNanoseconds: nil, filter: try EventFilter())
        XCTAssertEqual(all.map(\.action), ["pull", "exec_create: echo hi", "die"], "only the last 3 are kept")
        XCTAssertTrue(zip(all, all.dropFirst()).allSatisfy { $0.timeNano < $1.timeNano })
        XCTAssertEqual(bus.history(sinceNanoseconds: nil, untilNanoseconds: nil, filter: try EventFilter(["event": ["exec_create"]])).count, 1)
        XCTAssertEqual(bus.history(sinceNanoseconds: nil, untilNanoseconds: nil, filter: try EventFilter(["container": ["two"]])).map(\.actorID), ["c2"])
        XCTAssertEqual(bus.history(sinceNanoseconds: nil, untilNanoseconds: nil, filter: try EventFilter(["type": ["image"]])).count, 1)
        XCTAssertEqual(bus.history(sinceNanoseconds: all[1].timeNano, untilNanoseconds: all[1].timeNano, filter: try EventFilter()).count, 1)
        XCTAssertThrowsError(try EventFilter(["colour": ["red"]]))

        // A live subscription with until in the past ends after the history.
        var replay: [String] = []
        for await event in bus.subscribe(sinceNanoseconds: 1, untilNanoseconds: all[2].timeNano, filter: try EventFilter()) {
            replay.append(event.action)
        }
        XCTAssertEqual(replay, ["pull", "exec_create: echo hi", "die"])
        // A live subscription sees later events, filtered by label.
        let live = bus.subscribe(sinceNanoseconds: nil, untilNanoseconds: nil, filter: try EventFilter(["label": ["tier=web"]]))
        bus.publish(type: "container", action: "start", actorID: "c3", attributes: ["tier": "db"])
        bus.publish(type: "container", action: "start", actorID: "c4", attributes: ["tier": "web"])
        var iterator = live.makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first?.actorID, "c4")
    }

    func testDockerEventsShowsCreateStartDieDestroyInOrder() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let since = Int(Date().timeIntervalSince1970) - 1
        let run = try rig.docker(["run", "--rm", "--name", "ev1", "--label", "suite=events", "busybox", "sh", "-c", "exit 4"])
        XCTAssertEqual(run.status, 4, run.stderr)
        let until = Int(Date().timeIntervalSince1970) + 1
        let events = try rig.docker(["events", "--since", String(since), "--until", String(until),
                                     "--filter", "label=suite=events",
                                     "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}"])
        XCTAssertEqual(events.status, 0, events.stderr)
        XCTAssertEqual(events.stdout, """
            container create ev1 <no value>
            container attach ev1 <no value>
            container start ev1 <no value>
            container die ev1 4
            container destroy ev1 <no value>

            """)
        // The JSON shape, legacy fields included.
        let json = try rig.docker(["events", "--since", String(since), "--until", String(until), "--filter", "event=die",
                                   "--format", "{{json .}}"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["status"] as? String, "die")
        XCTAssertEqual(object?["from"] as? String, "busybox")
        XCTAssertEqual(object?["scope"] as? String, "local")
        XCTAssertEqual((object?["Actor"] as? [String: Any]).flatMap { $0["Attributes"] as? [String: String] }?["suite"], "events")
        XCTAssertNotNil(object?["timeNano"] as? Int)
    }
}

/// A live `docker events` (no --until) sees what happens after it started; its hang-up ends
/// the subscription on the bus.
final class LiveEventStreamTests: XCTestCase {
    func testLiveDockerEventsSeesNewEventsAndItsHangupUnsubscribes() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/local/bin/docker") else {
            try TestEnvironment.missing("/usr/local/bin/docker (docker CLI 28)")
            return
        }
        let rig = try ContainerRig(test: self)
        try await rig.startServer()
        let events = try rig.dockerProcess(["events", "--filter", "type=volume", "--format", "{{.Action}} {{.Actor.ID}}"])
        var deadline = Date().addingTimeInterval(20)
        while rig.service.events.listenerCount == 0 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(rig.service.events.listenerCount, 1)
        XCTAssertEqual(try rig.docker(["volume", "create", "live1"]).status, 0)
        deadline = Date().addingTimeInterval(20)
        while ((try? String(contentsOfFile: events.output, encoding: .utf8)) ?? "").isEmpty && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(try String(contentsOfFile: events.output, encoding: .utf8), "create live1\n")
        events.process.terminate()
        events.process.waitUntilExit()
        deadline = Date().addingTimeInterval(20)
        while rig.service.events.listenerCount != 0 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(rig.service.events.listenerCount, 0, "the client's hang-up ended its subscription")
    }
}

/// The oom event precedes die when the kernel's OOM killer ended the container.
final class OOMEventTests: XCTestCase {
    func testOOMKilledContainerHasAnOOMEventBeforeDie() async throws {
        let rig = try ContainerRig(test: self)
        var host = HostConfiguration()
        host.memory = 16 * 1024 * 1024
        host.memorySwap = 16 * 1024 * 1024
        let created = try await rig.service.create(
            name: "hog", config: ContainerConfiguration(cmd: ["sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\000' a); echo ${#x}"],
                                                        image: "busybox"),
            hostConfig: host)
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        _ = try await rig.service.start(created.id)
        _ = await waiter.result()
        let info = try await rig.service.inspect(created.id, size: false)
        XCTAssertTrue(info.state.OOMKilled, "state \(info.state)")
        let actions = rig.service.events.history(sinceNanoseconds: 0, untilNanoseconds: nil,
                                                  filter: try EventFilter(["container": [created.id]])).map(\.action)
        XCTAssertEqual(actions, ["create", "start", "oom", "die"])
    }
}
