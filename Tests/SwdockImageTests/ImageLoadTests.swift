import Foundation
import XCTest
import SwdockTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `docker load` / `swdock load` of archives of any size through the upload route: memory stays
/// flat, broken archives fail with a message and leave nothing stored, spools are cleaned.
final class ImageLoadTests: XCTestCase {
    static let cli = "/usr/local/bin/docker"

    /// Peak resident memory of `pid` since the last `resetPeak` (kB, from /proc).
    static func peakKilobytes(_ pid: Int32) throws -> Int { try statusField("VmHWM:", pid) }

    /// Resident memory of `pid` now (kB).
    static func residentKilobytes(_ pid: Int32) throws -> Int { try statusField("VmRSS:", pid) }

    static func statusField(_ name: String, _ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix(name) })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    /// Resets the peak RSS of `pid` to its current RSS (`clear_refs` 5).
    static func resetPeak(_ pid: Int32) throws {
        try "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    func testArchiveOver100MBLoadsThroughDockerCLIAndSwdockWithFlatMemory() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let catalog = try FixtureCatalog.fromEnvironment()
        let bench = try XCTUnwrap(catalog.fixture("bench")?.tag("latest")).images[0]
        let daemon = try PrivateDaemon()
        addTeardownBlock { daemon.stop() }
        let swdock = TestEnvironment.executable("swdock")
        func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
            let result = try runCommand(executable, ["-H", daemon.host] + arguments, timeout: 600)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stdout)\(result.stderr)\n\(daemon.log)")
            return result
        }
        let reference = "\(registry)/swdock-fixtures/bench:latest"
        _ = try run(swdock, ["pull", "-q", reference])
        let archive = daemon.directory.path + "/bench.tar"
        _ = try run(swdock, ["save", "-o", archive, reference])
        let archiveSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
        XCTAssertGreaterThan(archiveSize, 100 << 20, "the bench archive is the > 100 MB case")

        // dockerd's own `docker save` of the same image (its legacy layout, uncompressed layers).
        let dockerd = try PrivateDockerd(runtimes: [:])
        addTeardownBlock { dockerd.stop() }
        let dockerdArchive = daemon.directory.path + "/bench-dockerd.tar"
        for arguments in [["pull", "-q", reference], ["save", "-o", dockerdArchive, reference]] {
            let result = try dockerd.docker(arguments, timeout: 600)
            XCTAssertEqual(result.status, 0, "dockerd \(arguments): \(result.stdout)\(result.stderr)")
        }
        dockerd.stop()

        for (name, executable, file) in [("docker CLI", Self.cli, archive), ("swdock", swdock, archive),
                                         ("docker CLI, dockerd's archive", Self.cli, dockerdArchive)] {
            let archive = file
            let archiveSize = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
            XCTAssertGreaterThan(archiveSize, 100 << 20, "the bench archive is the > 100 MB case")
            _ = try run(swdock, ["rmi", reference])
            XCTAssertEqual(try run(swdock, ["images", "-q"]).stdout, "")
            try Self.resetPeak(daemon.pid)
            let before = try Self.residentKilobytes(daemon.pid)
            XCTAssertEqual(try run(executable, ["load", "-i", archive]).stdout, "Loaded image: \(reference)\n", name)
            let peak = try Self.peakKilobytes(daemon.pid)
            print("load of a \(archiveSize >> 20) MiB archive through \(name): daemon peak RSS \(peak >> 10) MiB (before \(before >> 10) MiB)")
            // The archive is spooled and read in 1 MiB pieces: the daemon grows by the upload
            // window (4 MiB) and a few buffers, not by the archive's 150 MB.
            XCTAssertLessThan(peak - before, 48 << 10, "\(name): daemon RSS grew by \((peak - before) >> 10) MiB")
            XCTAssertEqual(try run(swdock, ["image", "inspect", "-f", "{{.Id}}", reference]).stdout, bench.config.digest + "\n")
            XCTAssertEqual(Self.files(in: daemon.dataRoot + "/tmp"), [], "the spool is removed")
        }
    }

    func testTruncatedCorruptAndForeignArchivesFailAndStoreNothing() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let daemon = try PrivateDaemon()
        addTeardownBlock { daemon.stop() }
        let swdock = TestEnvironment.executable("swdock")
        func sw(_ arguments: String...) throws -> CommandResult {
            try runCommand(swdock, ["-H", daemon.host] + arguments, timeout: 300)
        }
        let reference = "\(registry)/swdock-fixtures/multilayer:latest"
        XCTAssertEqual(try sw("pull", "-q", reference).status, 0)
        let good = daemon.directory.path + "/good.tar"
        XCTAssertEqual(try sw("save", "-o", good, reference).status, 0)
        XCTAssertEqual(try sw("rmi", reference).status, 0)
        let blobs = daemon.dataRoot + "/content/blobs/sha256"
        let snapshots = daemon.dataRoot + "/snapshots/overlayfs/snapshots"
        XCTAssertEqual(Self.files(in: blobs), [])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))

        // The archive ends in the middle of a member.
        let truncated = daemon.directory.path + "/truncated.tar"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        // The last layer's content changed (its diffID no longer matches): found only after
        // earlier layers were stored and unpacked, which must go again.
        let corrupt = daemon.directory.path + "/corrupt.tar"
        var flipped = bytes
        let layerStart = try lastLayerDataOffset(bytes)
        flipped[layerStart + 600] ^= 0xff
        try flipped.write(to: URL(fileURLWithPath: corrupt))
        // Not a tar at all.
        let foreign = daemon.directory.path + "/foreign.tar"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }).write(to: URL(fileURLWithPath: foreign))

        for (file, expected) in [(truncated, "invalid image archive: truncated in"),
                                 (corrupt, "invalid image archive: layer sha256:"),
                                 (foreign, "invalid image archive: bad tar header at offset 0")] {
            for executable in [Self.cli, swdock] {
                let result = try runCommand(executable, ["-H", daemon.host, "load", "-i", file], timeout: 300)
                XCTAssertEqual(result.status, 1, "\(file): \(result.stdout)\(result.stderr)")
                XCTAssertTrue(result.stderr.contains(expected), "\(file) with \(executable): \(result.stderr)")
                XCTAssertEqual(Self.files(in: blobs), [], "\(file): nothing half-stored")
                XCTAssertEqual(Self.files(in: snapshots), [], "\(file): no snapshot left")
                XCTAssertEqual(Self.files(in: daemon.dataRoot + "/tmp"), [], "\(file): the spool is removed")
                XCTAssertEqual(try sw("images", "-q").stdout, "")
                XCTAssertEqual(try runCommand(Self.cli, ["-H", daemon.host, "version", "-f", "{{.Server.Version}}"], timeout: 60).status, 0, "the daemon is up")
            }
        }
        // The good archive still loads afterwards.
        XCTAssertEqual(try sw("load", "-i", good).stdout, "Loaded image: \(reference)\n")
    }

    /// Offset of the first data byte of the last `*/layer.tar` member of a ustar archive.
    private func lastLayerDataOffset(_ bytes: Data) throws -> Int {
        var offset = 0
        var found: Int?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            let name = String(decoding: header.prefix(100).prefix { $0 != 0 }, as: UTF8.self)
            let sizeText = String(decoding: header.dropFirst(124).prefix(12).prefix { $0 != 0 && $0 != 32 }, as: UTF8.self)
            let size = try XCTUnwrap(Int(sizeText, radix: 8), "size of \(name)")
            if name.hasSuffix("/layer.tar"), size > 4096 { found = offset + 512 }
            offset += 512 + (size + 511) / 512 * 512
        }
        return try XCTUnwrap(found, "a layer in the archive")
    }

    func testInterruptedUploadAndCrashLeftSpoolsAreRemoved() throws {
        try TestEnvironment.requireRoot()
        let dataRoot = "/tmp/swdock-spool-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dataRoot) }
        // A spool a crashed daemon left behind goes at the next start.
        try FileManager.default.createDirectory(atPath: dataRoot + "/tmp", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dataRoot + "/tmp/load-0123.tar", contents: Data(repeating: 1, count: 4096))
        let daemon = try PrivateDaemon(dataRoot: dataRoot)
        addTeardownBlock { daemon.stop() }
        XCTAssertEqual(Self.files(in: dataRoot + "/tmp"), [])

        // A client killed in the middle of an upload: the daemon drops the spool.
        let swdock = TestEnvironment.executable("swdock")
        let pipe = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: swdock)
        process.arguments = ["-H", daemon.host, "load"]
        process.standardInput = pipe.fileHandleForReading
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        addTeardownBlock { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let block = Data(repeating: 0x41, count: 1 << 20)
        var spooled = false
        for _ in 0..<200 {
            try pipe.fileHandleForWriting.write(contentsOf: block)
            if !Self.files(in: dataRoot + "/tmp").isEmpty { spooled = true; break }
        }
        XCTAssertTrue(spooled, "the upload is spooled under <data-root>/tmp while it arrives")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        var left = Self.files(in: dataRoot + "/tmp")
        for _ in 0..<100 where !left.isEmpty {
            usleep(100_000)
            left = Self.files(in: dataRoot + "/tmp")
        }
        XCTAssertEqual(left, [], "the spool of an upload cut short is removed")
        XCTAssertTrue(daemon.isRunning)
    }
}
