import Foundation
import SwdockArchive
import SwdockOS
import SwdockTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// SLOW (minutes on a busy machine): a layer of ten million tar entries, generated as a stream
/// into a pipe, must apply with flat memory — nothing is kept per entry.
///
/// The entries have distinct names but leave few inodes behind (the disk here has ~16M): in a
/// merged tree one file per hundred entries is made and then deleted by its whiteout, one directory per thousand entries stays
/// (so directory times are spilled and set at the end), and the rest whiteout absent names.
final class LayerBombTests: XCTestCase {
    func testTenMillionEntriesStreamWithFlatMemory_SLOW() throws {
        try TestEnvironment.requireRoot()
        let root = try makeTemporaryDirectory(self, "bomb")
        // SWDOCK_BOMB_ENTRIES makes it smaller for a quick run; ten million is the check.
        let entryCount = ProcessInfo.processInfo.environment["SWDOCK_BOMB_ENTRIES"].flatMap { Int($0) } ?? 10_000_000
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        generator.arguments = ["-c", tarStreamScript, String(entryCount)]
        generator.standardOutput = FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)
        defer { close(fds[0]) }

        let baseline = try residentKilobytes("VmRSS")
        // Reset the peak-RSS counter (VmHWM) so it measures this apply only.
        try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        try generator.run()
        close(fds[1])  // the generator holds the write end now
        let result: LayerApplyResult
        do {
            result = try LayerApplier.apply(from: FileDescriptor(rawValue: fds[0]), into: root,
                                            options: LayerApplyOptions(target: .mergedTree))
        } catch {
            generator.terminate()
            generator.waitUntilExit()
            throw error
        }
        generator.waitUntilExit()
        let peak = try residentKilobytes("VmHWM")
        XCTAssertEqual(generator.terminationStatus, 0)

        XCTAssertEqual(result.entryCount, entryCount)
        XCTAssertEqual(result.uncompressedSize, Int64(entryCount) * 512 + 1024)
        let left = try FileManager.default.contentsOfDirectory(atPath: root)
        XCTAssertEqual(left.count, entryCount / 1000, "only the directories stay")
        XCTAssertEqual(try XCTUnwrap(lstatOf(root + "/d2")).st_mtim.tv_sec, 1_234_567_890, "spilled directory times were set")
        let growthMB = Double(peak - baseline) / 1024
        print("10M-entry apply: peak RSS \(peak / 1024) MB, baseline \(baseline / 1024) MB, growth \(growthMB) MB, \(result.uncompressedSize >> 20) MiB of tar")
        XCTAssertLessThan(growthMB, 64, "memory must not grow with the number of entries")
    }

    private func residentKilobytes(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let value = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else {
            throw TestFailure("no \(field) in /proc/self/status")
        }
        return value
    }
}

/// Writes a ustar stream of N header-only entries to stdout: per 100 entries a file and its
/// whiteout, a directory every 1000 (mtime 1234567890), whiteouts of absent names otherwise;
/// then the two zero end blocks. Headers are patched from a template to keep Python fast.
private let tarStreamScript = #"""
import os, sys
n = int(sys.argv[1])
def template(kind):
    h = bytearray(512)
    h[100:108] = b'0000755\0' if kind == b'5' else b'0000644\0'
    h[108:116] = b'0000000\0'; h[116:124] = b'0000000\0'
    h[124:136] = b'00000000000\0'
    h[136:148] = b'%011o\0' % 1234567890
    h[148:156] = b'        '
    h[156:157] = kind
    h[257:263] = b'ustar\0'; h[263:265] = b'00'
    return bytes(h[100:148]), bytes(h[156:]), sum(h)
F = template(b'0'); D = template(b'5')
out = os.fdopen(1, 'wb', buffering=1 << 20)
write = out.write
for i in range(n):
    if i % 1000 == 2: name = b'd%d' % i; t = D
    elif i % 100 == 0: name = b'f%d' % i; t = F
    elif i % 100 == 1: name = b'.wh.f%d' % (i - 1); t = F
    else: name = b'.wh.absent%d' % i; t = F
    write(name.ljust(100, b'\0') + t[0] + b'%06o\0 ' % (t[2] + sum(name)) + t[1])
write(b'\0' * 1024)
out.flush()
"""#
