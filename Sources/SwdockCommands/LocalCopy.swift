#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI
import SwdockOS
#if canImport(Glibc)
import Glibc
#endif

/// The host side of `cp`: Docker's `pkg/archive` copy rules (`CopyInfo`, `SplitPathDirEntry`,
/// `PrepareArchiveCopy`, `CopyInfoSourcePath`, `CopyInfoDestinationPath`) and the docker CLI's
/// argument handling, with Go's path semantics.
enum LocalCopy {
    /// Docker's `CopyInfo`.
    struct Info {
        var path: String
        var exists = false
        var isDirectory = false
        var rebaseName = ""
    }

    /// The CLI's `splitCpArg`: `CONTAINER:PATH`, unless the argument is an absolute path or
    /// starts with `.` before its colon (`./file:name`).
    static func splitArgument(_ argument: String) -> (container: String?, path: String) {
        if argument.hasPrefix("/") { return (nil, argument) }
        guard let colon = argument.firstIndex(of: ":") else { return (nil, argument) }
        let container = String(argument[..<colon])
        if container.hasPrefix(".") { return (nil, argument) }
        return (container, String(argument[argument.index(after: colon)...]))
    }


    static func join(_ a: String, _ b: String) -> String { PathText.clean(a + "/" + b) }


    static func specifiesCurrentDir(_ path: String) -> Bool { PathText.base(path) == "." }
    static func hasTrailingSeparator(_ path: String) -> Bool { path.hasSuffix("/") }
    static func assertsDirectory(_ path: String) -> Bool { hasTrailingSeparator(path) || specifiesCurrentDir(path) }

    /// `archive.SplitPathDirEntry`.
    static func splitPathDirEntry(_ path: String) -> (dir: String, base: String) {
        var cleaned = PathText.clean(path)
        if specifiesCurrentDir(path) { cleaned += "/." }
        return (PathText.dir(cleaned), PathText.base(cleaned))
    }

    /// `archive.PreserveTrailingDotOrSeparator`.
    static func preserveTrailing(_ cleaned: String, original: String) -> String {
        var out = cleaned
        if !specifiesCurrentDir(out) && specifiesCurrentDir(original) {
            if !hasTrailingSeparator(out) { out += "/" }
            out += "."
        }
        if !hasTrailingSeparator(out) && hasTrailingSeparator(original) { out += "/" }
        return out
    }

    /// The CLI's `resolveLocalPath`: absolute, trailing `/` or `/.` kept.
    static func resolveLocalPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? PathText.clean(path) : join(FileManager.default.currentDirectoryPath, path)
        return preserveTrailing(absolute, original: path)
    }

    /// Go's `*PathError` text: `op path: reason` (lower-case reason, as Go's errno strings).
    static func pathError(_ op: String, _ path: String, _ code: Int32) -> CopyError {
        var reason = String(cString: strerror(code))
        if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
        return CopyError("\(op) \(path): \(reason)")
    }

    static func lstatPath(_ path: String) -> (stat?, Int32) {
        var info = Glibc.stat()
        if fstatat(AT_FDCWD, path, &info, AT_SYMLINK_NOFOLLOW) == 0 { return (info, 0) }
        return (nil, errno)
    }

    static func statPath(_ path: String) -> (stat?, Int32) {
        var info = Glibc.stat()
        if fstatat(AT_FDCWD, path, &info, 0) == 0 { return (info, 0) }
        return (nil, errno)
    }

    static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }

    /// `command.ValidateOutputPath`.
    static func validateOutputPath(_ path: String) throws {
        let directory = PathText.dir(PathText.clean(path))
        if directory != "" && directory != "." {
            if case (nil, ENOENT) = statPath(directory) {
                throw CopyError("invalid output path: directory \"\(directory)\" does not exist")
            }
        }
        let (info, code) = statPath(path)
        if code == ENOENT { return }
        guard let info else { throw pathError("stat", path, code) }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR || type == S_IFREG { return }
        let why = (type == S_IFCHR || type == S_IFBLK) ? "got a device" : "got an irregular file"
        throw CopyError("invalid output path: \"\(path)\" must be a directory or a regular file: \(why)")
    }

    /// `command.ValidateOutputPathFileMode` on a Go FileMode: the reason a mode is refused.
    static func irregular(_ mode: UInt32) -> String? {
        if mode & ContainerPathStatResponse.modeDevice != 0 { return "got a device" }
        if mode & ContainerPathStatResponse.modeIrregular != 0 { return "got an irregular file" }
        return nil
    }

    /// `filepath.EvalSymlinks` (the path must exist).
    static func evalSymlinks(_ path: String) throws -> String {
        if path.isEmpty { return "" }
        guard let resolved = realpath(path, nil) else {
            let code = errno
            throw pathError("lstat", PathText.clean(path), code)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `archive.GetRebaseName`.
    static func rebaseName(path: String, resolved: String) -> (String, String) {
        var resolved = resolved
        var rebase = ""
        if specifiesCurrentDir(path) && !specifiesCurrentDir(resolved) { resolved += "/." }
        if hasTrailingSeparator(path) && !hasTrailingSeparator(resolved) { resolved += "/" }
        if PathText.base(path) != PathText.base(resolved) { rebase = PathText.base(path) }
        return (resolved, rebase)
    }

    /// `archive.CopyInfoSourcePath`.
    static func sourceInfo(_ path: String, followLink: Bool) throws -> Info {
        var resolved: String
        var rebase = ""
        if followLink {
            (resolved, rebase) = rebaseName(path: path, resolved: try evalSymlinks(path))
        } else {
            let slash = path.lastIndex(of: "/")
            let dirPart = slash.map { String(path[...$0]) } ?? ""
            let basePart = slash.map { String(path[path.index(after: $0)...]) } ?? path
            resolved = try evalSymlinks(dirPart) + "/" + basePart
            if hasTrailingSeparator(path) && PathText.base(path) != PathText.base(resolved) { rebase = PathText.base(path) }
        }
        let (info, code) = lstatPath(resolved)
        guard let info else { throw pathError("lstat", resolved, code) }
        return Info(path: resolved, exists: true, isDirectory: isDirectory(info), rebaseName: rebase)
    }

    /// `archive.CopyInfoDestinationPath`: a final symlink is followed (up to 10 times); a
    /// missing path is fine when its parent is a directory.
    static func destinationInfo(_ path: String) throws -> Info {
        var path = path
        let original = path
        var (info, code) = lstatPath(path)
        if let found = info, found.st_mode & S_IFMT != S_IFLNK {
            return Info(path: path, exists: true, isDirectory: isDirectory(found))
        }
        var hops = 0
        while let found = info, found.st_mode & S_IFMT == S_IFLNK {
            if hops > 10 { throw CopyError("too many symlinks in \(original)") }
            hops += 1
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(path, &buffer, buffer.count - 1)
            guard length >= 0 else { throw pathError("readlink", path, errno) }
            var target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !target.hasPrefix("/") { target = join(splitPathDirEntry(path).dir, target) }
            path = target
            (info, code) = lstatPath(path)
        }
        guard let found = info else {
            guard code == ENOENT else { throw pathError("lstat", path, code) }
            let parent = splitPathDirEntry(path).dir
            let (parentInfo, parentCode) = statPath(parent)
            guard let parentInfo else { throw pathError("stat", parent, parentCode) }
            guard isDirectory(parentInfo) else { throw CopyError("not a directory") }
            return Info(path: path)
        }
        return Info(path: path, exists: true, isDirectory: isDirectory(found))
    }

    /// `archive.PrepareArchiveCopy`: where to extract, and the name the source's base entry
    /// must take there (nil: as it is).
    static func prepareArchiveCopy(source: Info, destination: Info) throws -> (directory: String, rebase: String?) {
        let (destinationDir, destinationBase) = splitPathDirEntry(destination.path)
        if destination.exists && destination.isDirectory { return (destination.path, nil) }
        if destination.exists && source.isDirectory { throw CopyError("cannot copy directory") }
        if destination.exists || source.isDirectory { return (destinationDir, destinationBase) }
        if assertsDirectory(destination.path) { throw CopyError("no such directory") }
        return (destinationDir, destinationBase)
    }
}
