#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockOCI
import SwdockOS
import SwdockSeccomp

/// Compiled seccomp programs kept under the runtime's state root, so a container whose profile
/// was compiled before (Docker's default profile, on every `create` and `exec`) skips
/// libseccomp. Compiling that profile with the binary-tree layout was most of the CPU time of
/// `create` (perf record of the runtime, 2026-12-02).
///
/// An entry is named by the sha256 of everything the output depends on: the profile (encoded
/// with sorted keys), this runtime binary (device, inode, size, mtime of /proc/self/exe), the
/// libseccomp version and the kernel release. The directory is the root's (mode 0700, root's
/// own), so whoever can change an entry can change the runtime's state anyway. A missing,
/// unreadable or malformed entry is compiled again and rewritten; a cache that cannot be
/// written only costs the compile.
struct SeccompCache {
    /// `<root>/@cache/seccomp`: `@` is not allowed in a container ID, so no container's state
    /// directory can be named like it.
    let directory: String

    init(root: String) { directory = root + "/@cache/seccomp" }

    static let magic = Array("swdock-seccomp 1\n".utf8)

    func program(for seccomp: RuntimeSpec.Seccomp) throws(SeccompError) -> SeccompProgram {
        guard let key = Self.key(for: seccomp) else { return try SeccompCompiler.compile(seccomp) }
        let path = directory + "/" + key
        if let bytes = try? HostFiles.read(path), let cached = Self.decode(bytes) { return cached }
        let program = try SeccompCompiler.compile(seccomp)
        store(program, at: path)
        return program
    }

    /// Nil when the binary cannot be identified (no cache then).
    static func key(for seccomp: RuntimeSpec.Seccomp) -> String? {
        var st = stat()
        guard stat("/proc/self/exe", &st) == 0 else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let profile = try? encoder.encode(seccomp) else { return nil }
        var names = utsname()
        uname(&names)
        let release = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let identity = "\(st.st_dev) \(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)\n"
            + "libseccomp \(SeccompLibrary.version)\nkernel \(release)\n"
        return Digest.sha256(of: magic + Array(identity.utf8) + Array(profile)).encoded
    }

    /// Written under a name of this process, then renamed: concurrent creates never see half an entry.
    func store(_ program: SeccompProgram, at path: String) {
        let temporary = path + ".tmp-\(getpid())"
        do {
            try HostFiles.mkdirAll(directory, mode: 0o700)
            try HostFiles.write(temporary, Self.encode(program), mode: 0o600)
            try sys("rename", "\"\(temporary)\"") { rename(temporary, path) }
        } catch {
            _ = unlink(temporary)
            RuntimeLog.shared.debugMessage("seccomp cache: not stored (\(error))")
        }
    }

    // MARK: entry format: magic, flags, skipped syscall names, the BPF program (little-endian u32 lengths)

    static func encode(_ program: SeccompProgram) -> [UInt8] {
        var bytes = magic
        func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append(program.filterFlags)
        append(UInt32(program.skippedSyscalls.count))
        for name in program.skippedSyscalls {
            append(UInt32(name.utf8.count))
            bytes.append(contentsOf: name.utf8)
        }
        append(UInt32(program.filter.count))
        bytes.append(contentsOf: program.filter)
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> SeccompProgram? {
        guard bytes.starts(with: magic) else { return nil }
        var offset = magic.count
        func next() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        func take(_ count: UInt32) -> ArraySlice<UInt8>? {
            guard count <= bytes.count - offset else { return nil }
            defer { offset += Int(count) }
            return bytes[offset..<offset + Int(count)]
        }
        guard let flags = next(), let skippedCount = next(), skippedCount <= 4096 else { return nil }
        var skipped: [String] = []
        for _ in 0..<skippedCount {
            guard let length = next(), let name = take(length) else { return nil }
            skipped.append(String(decoding: name, as: UTF8.self))
        }
        guard let length = next(), length > 0, length % 8 == 0, let filter = take(length), offset == bytes.count else { return nil }
        return SeccompProgram(filter: Array(filter), filterFlags: flags, skippedSyscalls: skipped)
    }
}
