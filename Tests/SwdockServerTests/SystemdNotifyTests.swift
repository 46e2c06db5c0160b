import Foundation
import SwdockOS
import SwdockTestSupport
import XCTest

/// sd_notify datagrams, received on a socket the test binds itself.
final class SystemdNotifyTests: XCTestCase {
    /// A bound `AF_UNIX` datagram socket (a path, or an abstract name when `path` starts with `@`).
    private final class NotifyReceiver {
        let fd: Int32
        let address: String
        private let file: String?

        init(address: String) throws {
            self.address = address
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw PrivateDaemonError("socket: errno \(errno)") }
            var bytes = Array(address.utf8)
            let abstract = bytes.first == UInt8(ascii: "@")
            if abstract { bytes[0] = 0 }
            file = abstract ? nil : address
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &sun.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            let rc = withUnsafePointer(to: &sun) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard rc == 0 else { close(fd); throw PrivateDaemonError("bind \(address): errno \(errno)") }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if let file { unlink(file) }
        }

        /// The next datagram, or nil after 30 s.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n < 0 ? nil : String(decoding: buffer[..<n], as: UTF8.self)
        }

        /// Datagrams until one contains the line `line`; all of them, in order.
        func receive(until line: String) throws -> [String] {
            var seen: [String] = []
            while true {
                guard let message = receive() else { throw PrivateDaemonError("no \(line) within 30 s; got \(seen)") }
                seen.append(message)
                if message.split(separator: "\n").contains(Substring(line)) { return seen }
            }
        }
    }

    func testNotifySendsToPathAndAbstractSockets() throws {
        let path = NotifyReceiver.self
        let file = try path.init(address: "/tmp/swdock-notify-\(UUID().uuidString.prefix(8)).sock")
        try SystemdNotify.send("READY=1\nSTATUS=hello", to: file.address)
        XCTAssertEqual(file.receive(), "READY=1\nSTATUS=hello")
        let abstract = try path.init(address: "@swdock-notify-\(UUID().uuidString.prefix(8))")
        try SystemdNotify.send("STOPPING=1", to: abstract.address)
        XCTAssertEqual(abstract.receive(), "STOPPING=1")
        XCTAssertThrowsError(try SystemdNotify.send("READY=1", to: "relative/path")) { error in
            XCTAssertTrue("\(error)".contains("neither a path nor @abstract"), "\(error)")
        }
        // No listener at the path: the datagram cannot be delivered and the error says where.
        XCTAssertThrowsError(try SystemdNotify.send("READY=1", to: "/tmp/swdock-notify-absent-\(UUID().uuidString.prefix(8))")) { error in
            XCTAssertTrue("\(error)".contains("sendto NOTIFY_SOCKET=/tmp/swdock-notify-absent-"), "\(error)")
        }
    }

    func testDaemonNotifiesReadyOnceServingAndStoppingOnSIGTERM() throws {
        let receiver = try NotifyReceiver(address: "@swdock-notify-\(UUID().uuidString.prefix(8))")
        let daemon = try PrivateDaemon(environment: ["NOTIFY_SOCKET": receiver.address], waitForSocket: false)
        addTeardownBlock { daemon.stop() }

        let startup = try receiver.receive(until: "READY=1")
        XCTAssertTrue(startup.joined(separator: "\n").contains("STATUS="), "\(startup)")
        XCTAssertTrue(startup.last!.contains("MAINPID=\(daemon.pid)"), "\(startup)")
        // At READY=1 the API already answers.
        let version = try runCommand(TestEnvironment.executable("swdock"), ["-H", daemon.host, "version", "--format", "{{.Server.APIVersion}}"])
        XCTAssertEqual(version.status, 0, "\(version.stderr)\n\(daemon.log)")
        XCTAssertEqual(version.stdout, "1.41\n")
        let info = try runCommand(TestEnvironment.executable("swdock"), ["-H", daemon.host, "info", "--format",
                                                                         "{{.SwdockDaemonStart.ServiceManagerNotify}}"])
        XCTAssertEqual(info.stdout, "true\n", "info reports the readiness notification: \(info.stderr)")

        XCTAssertEqual(kill(daemon.pid, SIGTERM), 0)
        let shutdown = try receiver.receive(until: "STOPPING=1")
        XCTAssertFalse(shutdown.contains { $0.contains("READY=1") }, "\(shutdown)")
        XCTAssertEqual(daemon.waitForExit(), 0, daemon.log)
    }
}
