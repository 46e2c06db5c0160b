import Foundation
import SwdockOCI
@testable import SwdockRuntime
import SwdockSeccomp
import XCTest

/// The runtime's cache of compiled seccomp programs: the entry format, the key, and that a
/// cached entry is what `create` and `exec` use.
final class SeccompCacheTests: XCTestCase {
    var root: String!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-seccomp-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let dir = root!
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    }

    func profile(denying name: String = "mount") -> RuntimeSpec.Seccomp {
        RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
                            syscalls: [RuntimeSpec.Syscall(names: [name, "no_such_syscall_here"], action: "SCMP_ACT_ERRNO", errnoRet: 1)])
    }

    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: SeccompCache(root: root).directory)
    }

    func testEntryRoundTripsAndMalformedEntriesAreRejected() {
        let program = SeccompProgram(filter: Array(0..<24), filterFlags: 5, skippedSyscalls: ["a", "bcd"])
        let bytes = SeccompCache.encode(program)
        XCTAssertEqual(SeccompCache.decode(bytes), program)
        XCTAssertNil(SeccompCache.decode(Array(bytes.dropLast())), "truncated")
        XCTAssertNil(SeccompCache.decode(bytes + [0]), "trailing bytes")
        XCTAssertNil(SeccompCache.decode(Array(bytes.dropFirst())), "no magic")
        XCTAssertNil(SeccompCache.decode(SeccompCache.encode(SeccompProgram(filter: Array(0..<12), filterFlags: 0))),
                     "a filter that is not whole instructions")
        var huge = SeccompCache.magic
        huge += [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]
        XCTAssertNil(SeccompCache.decode(huge), "an absurd count")
    }

    func testTheKeyFollowsTheProfileAndIsStable() throws {
        let key = try XCTUnwrap(SeccompCache.key(for: profile()))
        XCTAssertEqual(key.count, 64)
        XCTAssertEqual(SeccompCache.key(for: profile()), key)
        XCTAssertNotEqual(SeccompCache.key(for: profile(denying: "umount2")), key)
        var flagged = profile()
        flagged.flags = ["SECCOMP_FILTER_FLAG_LOG"]
        XCTAssertNotEqual(SeccompCache.key(for: flagged), key)
    }

    func testAMissEntryIsCompiledAndStoredAndAHitIsRead() throws {
        let cache = SeccompCache(root: root)
        let compiled = try SeccompCompiler.compile(profile())
        XCTAssertEqual(try cache.program(for: profile()), compiled)
        XCTAssertEqual(compiled.skippedSyscalls, ["no_such_syscall_here"])
        let names = try entries()
        XCTAssertEqual(names, [try XCTUnwrap(SeccompCache.key(for: profile()))], "one entry, no temporary file left")
        let path = cache.directory + "/" + names[0]
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(stat(cache.directory, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)

        // A hit is read, not compiled: a planted (valid) entry comes back as it is.
        let planted = SeccompProgram(filter: compiled.filter + compiled.filter.suffix(8), filterFlags: 1, skippedSyscalls: [])
        try Data(SeccompCache.encode(planted)).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try cache.program(for: profile()), planted)
    }

    func testAMalformedEntryIsCompiledAgainAndReplaced() throws {
        let cache = SeccompCache(root: root)
        _ = try cache.program(for: profile())
        let path = cache.directory + "/" + (try entries()[0])
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try cache.program(for: profile()), try SeccompCompiler.compile(profile()))
        XCTAssertEqual(SeccompCache.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path)))),
                       try SeccompCompiler.compile(profile()))
    }

    func testAnUnwritableCacheStillCompiles() throws {
        // A file where the cache directory should be: storing fails, the program is still right.
        try FileManager.default.createDirectory(atPath: root + "/@cache", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/@cache/seccomp", contents: Data()))
        XCTAssertEqual(try SeccompCache(root: root).program(for: profile()), try SeccompCompiler.compile(profile()))
    }

    func testAProfileTheCompilerRejectsIsNotCached() throws {
        var bad = profile()
        bad.defaultAction = "SCMP_ACT_NO_SUCH_ACTION"
        XCTAssertThrowsError(try SeccompCache(root: root).program(for: bad))
        XCTAssertEqual((try? entries()) ?? [], [])
    }
}
