import Foundation
import SwdockOS
import XCTest

/// The SwdockOS pieces the shim is built on: the epoll loop, spawning with an fd map,
/// signalfd, fd passing.
final class ShimOSPrimitivesTests: XCTestCase {
    func testEventLoopDispatchesReadableFDsAndTimersAndGoesIdle() throws {
        let loop = try EpollLoop()
        let pipe = try FileDescriptor.pipe()
        defer { pipe.read.close(); pipe.write.close() }
        try pipe.read.setNonBlocking()
        var log: [String] = []
        try loop.register(pipe.read, for: .readable) { _ in
            let bytes = (try? pipe.read.read(upTo: 100)) ?? []
            log.append("read \(String(decoding: bytes, as: UTF8.self))")
            loop.schedule(afterMilliseconds: 1) { log.append("timer") }
        }
        loop.onIdle(afterMilliseconds: 20) {
            log.append("idle")
            loop.stop()
        }
        try pipe.write.writeAll("ping")
        try loop.run()
        XCTAssertEqual(log, ["read ping", "timer", "idle"])
    }

    func testUnregisteredFDGetsNoEvents() throws {
        let loop = try EpollLoop()
        let pipe = try FileDescriptor.pipe()
        defer { pipe.read.close(); pipe.write.close() }
        var called = false
        try loop.register(pipe.read, for: .readable) { _ in called = true }
        loop.unregister(pipe.read)
        try pipe.write.writeAll("x")
        loop.schedule(afterMilliseconds: 10) { loop.stop() }
        try loop.run()
        XCTAssertFalse(called)
    }

    func testPausedFDIsNotReportedEvenAfterHangupAndResumes() throws {
        let loop = try EpollLoop()
        let pipe = try FileDescriptor.pipe()
        defer { pipe.read.close() }
        var calls = 0
        try loop.register(pipe.read, for: .readable) { _ in
            calls += 1
            _ = try? pipe.read.read(upTo: 10)
            loop.stop()
        }
        try loop.update(pipe.read, to: [])
        try pipe.write.writeAll("x")
        pipe.write.close() // hangup: epoll reports it even for an empty mask, so a paused fd must leave the set
        loop.schedule(afterMilliseconds: 30) { loop.stop() }
        try loop.run()
        XCTAssertEqual(calls, 0)
        try loop.update(pipe.read, to: .readable)
        try loop.run()
        XCTAssertEqual(calls, 1)
    }

    func testSpawnMapsFDsEvenWhenSourcesCollideWithTargets() throws {
        // Two pipes whose write ends go to the child's fds 1 and 2 swapped relative to each other.
        let first = try FileDescriptor.pipe()
        let second = try FileDescriptor.pipe()
        let pid = try ChildProcess.spawn("/bin/sh", arguments: ["sh", "-c", "echo one; echo two >&2; echo three >&3"],
                                         environment: ["PATH=/usr/bin:/bin"],
                                         stdio: [nil, second.write, first.write, second.write])
        first.write.close()
        second.write.close()
        XCTAssertEqual(try ChildProcess.wait(pid), .exited(0))
        XCTAssertEqual(String(decoding: try first.read.readAll(), as: UTF8.self), "two\n")
        XCTAssertEqual(String(decoding: try second.read.readAll(), as: UTF8.self), "one\nthree\n")
        first.read.close()
        second.read.close()
    }

    func testSpawnedChildHasEmptySignalMaskAndExitStatusDecodes() throws {
        let out = try FileDescriptor.pipe()
        // The test process may block signals (signalfd users do); the child must not inherit that.
        let pid = try ChildProcess.spawn("/bin/sh", arguments: ["sh", "-c", "grep SigBlk /proc/self/status; kill -TERM $$"],
                                         environment: [], stdio: [nil, out.write, nil])
        out.write.close()
        XCTAssertEqual(try ChildProcess.wait(pid), .signaled(SIGTERM, coreDumped: false))
        XCTAssertEqual(ExitStatus.signaled(SIGTERM, coreDumped: false).code, 143)
        let text = String(decoding: try out.read.readAll(), as: UTF8.self)
        out.read.close()
        XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), "SigBlk:\t0000000000000000")
    }

    func testSignalDescriptorReceivesABlockedSignal() throws {
        let signals = try SignalDescriptor.open([SIGUSR1])
        defer { signals.fd.close() }
        // raise() targets this thread, the one that blocked the signal.
        raise(SIGUSR1)
        XCTAssertEqual(try signals.drain(), [SIGUSR1])
        XCTAssertEqual(try signals.drain(), [])
    }

    func testFileDescriptorPassingOverAUnixSocket() throws {
        let directory = "/tmp/swdock-fdpass-\(getpid())"
        try FileSystem.makeDirectories(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = try UnixSocket.listen(path: "\(directory)/s.sock")
        defer { listener.close() }
        let client = try UnixSocket.connect(path: "\(directory)/s.sock")
        defer { client.close() }
        var accepted: FileDescriptor?
        for _ in 0..<100 where accepted == nil { accepted = try UnixSocket.accept(listener); if accepted == nil { usleep(1000) } }
        let server = try XCTUnwrap(accepted)
        defer { server.close() }
        try server.setNonBlocking(false)
        XCTAssertEqual(try UnixSocket.peerUID(server), geteuid())

        let pipe = try FileDescriptor.pipe()
        try UnixSocket.send(fileDescriptor: pipe.write, over: client)
        pipe.write.close()
        let received = try UnixSocket.receive(over: server)
        XCTAssertEqual(received.bytes, [0])
        let passed = try XCTUnwrap(received.fileDescriptor)
        try passed.writeAll("through the passed fd")
        passed.close()
        XCTAssertEqual(String(decoding: try pipe.read.readAll(), as: UTF8.self), "through the passed fd")
        pipe.read.close()
    }

    func testAtomicWriteReplacesWholeFile() throws {
        let path = "/tmp/swdock-atomic-\(getpid())"
        defer { try? FileSystem.remove(path) }
        try FileSystem.writeAtomically(path, Array("old".utf8))
        try FileSystem.writeAtomically(path, Array("new content".utf8))
        XCTAssertEqual(try FileSystem.read(path).map { String(decoding: $0, as: UTF8.self) }, "new content")
        XCTAssertNil(try FileSystem.read(path + ".missing"))
    }
}
