import Foundation
import SwdockArchive
import SwdockTestSupport
import XCTest

/// One entry of a tar built for a test (written by Python's tarfile in PAX format).
struct TarEntry: Encodable {
    enum Kind: String, Encodable { case file, dir, symlink, hardlink, char, block, fifo }
    var name: String
    var type: Kind = .file
    var data: String = ""
    var mode: Int?
    var uid = 0
    var gid = 0
    var mtime = 1_700_000_000
    var linkname = ""
    var major = 0
    var minor = 0
    /// Extra PAX records, e.g. `SCHILY.xattr.user.x` or `LIBARCHIVE.xattr.security.capability` (base64).
    var pax: [String: String] = [:]

    static func file(_ name: String, _ data: String = "", mode: Int = 0o644, uid: Int = 0, gid: Int = 0,
                     mtime: Int = 1_700_000_000, pax: [String: String] = [:]) -> TarEntry {
        TarEntry(name: name, type: .file, data: data, mode: mode, uid: uid, gid: gid, mtime: mtime, pax: pax)
    }
    static func dir(_ name: String, mode: Int = 0o755, uid: Int = 0, gid: Int = 0, mtime: Int = 1_700_000_000,
                    pax: [String: String] = [:]) -> TarEntry {
        TarEntry(name: name, type: .dir, mode: mode, uid: uid, gid: gid, mtime: mtime, pax: pax)
    }
    static func symlink(_ name: String, to target: String) -> TarEntry {
        TarEntry(name: name, type: .symlink, mode: 0o777, linkname: target)
    }
    static func hardlink(_ name: String, to target: String) -> TarEntry {
        TarEntry(name: name, type: .hardlink, linkname: target)
    }
    static func device(_ name: String, _ kind: Kind, major: Int, minor: Int, mode: Int = 0o660) -> TarEntry {
        TarEntry(name: name, type: kind, mode: mode, major: major, minor: minor)
    }
}

private struct TarSpec: Encodable {
    var entries: [TarEntry]
    var compression: String
    var trailing: Int
}

private let tarScript = #"""
import gzip, io, json, subprocess, sys, tarfile
spec = json.load(sys.stdin)
kinds = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
         'char': tarfile.CHRTYPE, 'block': tarfile.BLKTYPE, 'fifo': tarfile.FIFOTYPE}
out = io.BytesIO()
with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as tar:
    for e in spec['entries']:
        info = tarfile.TarInfo(e['name'])
        info.type = kinds[e['type']]
        info.mode = e['mode'] if e.get('mode') is not None else (0o755 if e['type'] == 'dir' else 0o644)
        info.uid, info.gid, info.mtime = e['uid'], e['gid'], e['mtime']
        info.linkname = e['linkname']
        info.devmajor, info.devminor = e['major'], e['minor']
        info.pax_headers = e['pax']
        data = e['data'].encode()
        info.size = len(data) if e['type'] == 'file' else 0
        tar.addfile(info, io.BytesIO(data) if e['type'] == 'file' else None)
raw = out.getvalue() + b'\0' * spec['trailing']
if spec['compression'] == 'gzip':
    raw = gzip.compress(raw)
elif spec['compression'] == 'zstd':
    raw = subprocess.run(['zstd', '-q', '-c'], input=raw, check=True, stdout=subprocess.PIPE).stdout
open(sys.argv[1], 'wb').write(raw)
"""#

/// Writes a tar of `entries` to `path`, compressed as asked, with `trailing` extra zero bytes
/// after the archive (inside the compression).
func writeTar(_ entries: [TarEntry], to path: String, compression: LayerCompression = .none, trailing: Int = 0) throws {
    let spec = TarSpec(entries: entries, compression: compression.rawValue, trailing: trailing)
    let result = try runCommand("/usr/bin/python3", ["-c", tarScript, path], input: try JSONEncoder().encode(spec))
    guard result.status == 0 else { throw TestFailure("building tar \(path): \(result.stderr)") }
}

/// The uncompressed bytes `writeTar` produced (to compute the expected diffID independently).
func uncompressedBytes(of path: String, compression: LayerCompression) throws -> Data {
    switch compression {
    case .none: return try Data(contentsOf: URL(fileURLWithPath: path))
    case .gzip: return try Data(runCommandOutput("/bin/gzip", ["-dc", path]))
    case .zstd: return try Data(runCommandOutput("/usr/bin/zstd", ["-q", "-dc", path]))
    }
}

private func runCommandOutput(_ executable: String, _ arguments: [String]) throws -> [UInt8] {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-out-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: output) }
    let result = try runCommand("/bin/sh", ["-c", "\"$0\" \"$@\" > '\(output)'", executable] + arguments)
    guard result.status == 0 else { throw TestFailure("\(executable) failed: \(result.stderr)") }
    return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh directory under /tmp removed (recursively, whatever modes are inside) at teardown.
func makeTemporaryDirectory(_ test: XCTestCase, _ label: String) throws -> String {
    var template = Array("/tmp/swdock-\(label)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
    let path = String(cString: made)
    test.addTeardownBlock { _ = try? runCommand("/bin/rm", ["-rf", "--one-file-system", path]) }
    return path
}
