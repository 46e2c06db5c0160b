import CSwdockSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// lstat(2) of `path`, nil when nothing is there.
func lstatOf(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

/// The value of xattr `name` on `path` (not followed), nil when absent.
func xattrOf(_ path: String, _ name: String) -> [UInt8]? {
    let size = lgetxattr(path, name, nil, 0)
    guard size >= 0 else { return nil }
    var value = [UInt8](repeating: 0, count: size)
    let got = lgetxattr(path, name, &value, size)
    return got >= 0 ? Array(value[0..<got]) : nil
}

func contentsOf(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func fileType(_ info: stat) -> mode_t { info.st_mode & S_IFMT }

func deviceNumbers(_ device: dev_t) -> (major: UInt32, minor: UInt32) {
    (UInt32((device >> 8) & 0xfff) | UInt32((device >> 32) & ~0xfff), UInt32(device & 0xff) | UInt32((device >> 12) & ~0xff))
}

func makeDevice(_ major: UInt64, _ minor: UInt64) -> dev_t {
    dev_t((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32))
}
