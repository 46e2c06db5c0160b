import Foundation
import SwdockContent
import SwdockOCI
@testable import SwdockRegistry
import SwdockTestSupport
import XCTest

/// A docker-registry on 127.0.0.1 serving TLS with a private CA and requiring client
/// certificates, reached through a `certs.d` directory laid out as Docker's.
final class TLSRegistryTests: XCTestCase {
    var work = ""
    var host = ""
    var registry: Process?

    func openssl(_ arguments: [String]) throws {
        let result = try runCommand("/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw XCTSkip("openssl \(arguments.first ?? "") failed: \(result.stderr)") }
    }

    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = FaultProxy.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                _ = bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    override func setUp() async throws {
        let (_, fixtures) = try Catalog.load()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work + "/storage", withIntermediateDirectories: true)
        addTeardownBlock { [work] in try? FileManager.default.removeItem(atPath: work) }
        let port = Self.freePort()
        host = "127.0.0.1:\(port)"
        let w = work
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=swdock test CA",
                     "-keyout", "\(w)/ca.key", "-out", "\(w)/ca.crt"])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: "\(w)/san.ext", atomically: false, encoding: .utf8)
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "\(w)/server.key", "-out", "\(w)/server.csr"])
        try openssl(["x509", "-req", "-in", "\(w)/server.csr", "-CA", "\(w)/ca.crt", "-CAkey", "\(w)/ca.key", "-CAcreateserial",
                     "-days", "2", "-extfile", "\(w)/san.ext", "-out", "\(w)/server.crt"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=swdock client", "-keyout", "\(w)/client.key", "-out", "\(w)/client.csr"])
        try openssl(["x509", "-req", "-in", "\(w)/client.csr", "-CA", "\(w)/ca.crt", "-CAkey", "\(w)/ca.key", "-CAcreateserial",
                     "-days", "2", "-out", "\(w)/client.cert"])
        // The full certs.d: CA and client pair.
        let full = "\(w)/certs.d/\(host)"
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        for (from, to) in [("ca.crt", "ca.crt"), ("client.cert", "client.cert"), ("client.key", "client.key")] {
            try FileManager.default.copyItem(atPath: "\(w)/\(from)", toPath: "\(full)/\(to)")
        }
        let config = """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(w)/storage
        http:
          addr: \(host)
          tls:
            certificate: \(w)/server.crt
            key: \(w)/server.key
            clientcas:
              - \(w)/ca.crt
        """
        try config.write(toFile: "\(w)/config.yml", atomically: false, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", "\(w)/config.yml"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        registry = process
        addTeardownBlock { process.terminate(); process.waitUntilExit() }
        var up = false
        for _ in 0..<100 {
            let probe = try runCommand("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", "\(w)/ca.crt",
                                                         "--cert", "\(w)/client.cert", "--key", "\(w)/client.key", "https://\(host)/v2/"])
            if probe.stdout == "200" { up = true; break }
            usleep(100_000)
        }
        guard up else { throw XCTSkip("TLS registry did not start") }
        try #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: "\(w)/policy.json", atomically: false, encoding: .utf8)
        let copied = try runCommand("/usr/bin/skopeo", ["--policy", "\(w)/policy.json", "copy", "--quiet", "--dest-cert-dir", full,
                                                        "oci:\(fixtures)/busybox/oci:latest", "docker://\(host)/tls/busybox:latest"])
        XCTAssertEqual(copied.status, 0, copied.stderr)
    }

    func certsDirectory(_ files: [String]) throws -> String {
        let dir = "\(work)/certs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: "\(dir)/\(host)", withIntermediateDirectories: true)
        for file in files { try FileManager.default.copyItem(atPath: "\(work)/\(file)", toPath: "\(dir)/\(host)/\(file)") }
        return dir
    }

    func testVerifiedTLSWithCertsDirectoryCAAndClientCertificate() async throws {
        let (catalog, _) = try Catalog.load()
        let busybox = try catalog.fixture("busybox").tags[0].images[0]
        let client = makeClient(RegistryConfiguration(certsDirectory: try certsDirectory(["ca.crt", "client.cert", "client.key"]),
                                                      loopbackIsInsecure: false))
        let store = try makeStore()
        let result = try await ImagePuller(client: client, store: store).pull(try Reference(parsing: "\(host)/tls/busybox:latest"))
        try assertPulled(result, busybox, store: store)
        // Go's TLS server offers h2 by ALPN; curl takes it.
        let info = try await client.hostInfo(RegistryEndpoint(host: host, credentialKey: host))
        XCTAssertTrue(info.baseURL.hasPrefix("https://"))
        let response = try await client.perform(HTTPRequest(url: info.baseURL + "/v2/", tls: info.tls), step: "probe")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.httpVersion, 2)
    }

    func testUnknownCAIsRefused() async throws {
        let client = makeClient(RegistryConfiguration(certsDirectory: try certsDirectory(["client.cert", "client.key"]),
                                                      loopbackIsInsecure: false))
        let store = try makeStore()
        do {
            _ = try await ImagePuller(client: client, store: store).pull(try Reference(parsing: "\(host)/tls/busybox:latest"))
            XCTFail("pulled from a registry whose CA is unknown")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .transport, error.description)
            XCTAssertTrue(error.description.lowercased().contains("certificate"), error.description)
        }
        XCTAssertEqual(try store.list().count, 0)
    }

    func testMissingClientCertificateIsRefused() async throws {
        let client = makeClient(RegistryConfiguration(certsDirectory: try certsDirectory(["ca.crt"]), loopbackIsInsecure: false))
        do {
            _ = try await ImagePuller(client: client, store: try makeStore()).pull(try Reference(parsing: "\(host)/tls/busybox:latest"))
            XCTFail("pulled without the client certificate the registry requires")
        } catch let error as RegistryError {
            XCTAssertEqual(error.code, .transport, error.description)
        }
    }

    func testLoopbackIsInsecureByDefaultSoAnyCAIsAccepted() async throws {
        let (catalog, _) = try Catalog.load()
        // Client pair only: the server's CA is unknown, but 127.0.0.1 is insecure by default (Docker's rule).
        let client = makeClient(RegistryConfiguration(certsDirectory: try certsDirectory(["client.cert", "client.key"])))
        let store = try makeStore()
        let result = try await ImagePuller(client: client, store: store).pull(try Reference(parsing: "\(host)/tls/busybox:latest"))
        try assertPulled(result, try catalog.fixture("busybox").tags[0].images[0], store: store)
        let info = try await client.hostInfo(RegistryEndpoint(host: host, credentialKey: host))
        XCTAssertTrue(info.baseURL.hasPrefix("https://"))
    }
}
