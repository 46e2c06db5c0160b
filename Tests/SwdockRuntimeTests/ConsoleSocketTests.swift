import CSwdockInit
import Foundation
import SwdockTestSupport
import XCTest

/// `--console-socket`: the runtime sends the pty master over the socket (SCM_RIGHTS) and the
/// container runs on the slave as its controlling terminal, with consoleSize applied.
final class ConsoleSocketTests: XCTestCase {
    func testConsoleSocketReceivesAWorkingPty() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.process?.terminal = true
        bundle.spec.process?.consoleSize = .init(height: 33, width: 111)
        bundle.spec.process?.args = ["sh", "-c", "tty; stty size; read line; echo got:$line"]
        let socketPath = bundle.directory.appendingPathComponent("console.sock").path
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(listener, 1), 0)

        // The receiver: accept the runtime's connection and take the fd it sends.
        final class Received: @unchecked Sendable { var fd: Int32 = -1; var name = "" }
        let received = Received()
        let receiver = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var name = [CChar](repeating: 0, count: 256)
            received.fd = swdock_init_recv_fd(connection, &name, Int32(name.count))
            received.name = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            close(connection)
        }
        receiver.start()

        let id = bundle.newID()
        let create = try bundle.runtimeDetached(["create", "--console-socket", socketPath, id])
        XCTAssertEqual(create.status, 0, create.stderr)
        while received.fd < 0 && receiver.isExecuting { usleep(1000) }
        for _ in 0..<100 where received.fd < 0 { usleep(10_000) }
        let master = received.fd
        XCTAssertGreaterThanOrEqual(master, 0, "received the pty master")
        defer { close(master) }
        XCTAssertTrue(received.name.hasPrefix("/dev/pts/"), received.name)
        XCTAssertEqual(try bundle.runtime(["start", id]).status, 0)
        _ = "hi\n".withCString { write(master, $0, 3) }
        var output = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        while !output.contains("got:hi") {
            guard poll(&fds, 1, 5000) > 0 else { break }
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { break }
            output += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        XCTAssertTrue(output.contains("/dev/pts/0"), output)
        XCTAssertTrue(output.contains("33 111"), output)
        XCTAssertTrue(output.contains("got:hi"), output)
    }
}
