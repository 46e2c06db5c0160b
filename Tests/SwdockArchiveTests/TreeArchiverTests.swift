import Foundation
import SwdockArchive
import SwdockOS
import SwdockTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The `docker cp` halves of the archive layer: `TreeArchiver` (names, types, links, order, as
/// Docker's archiver writes them; checked with GNU tar) and the applier's plain-archive options
/// (no whiteouts, a destination that `..` cannot leave, no dir/non-dir replacement, owners, rebase).
final class TreeArchiverTests: XCTestCase {
    private var work = ""

    override func setUpWithError() throws {
        try TestEnvironment.requireRoot()
        work = try makeTemporaryDirectory(self, "treearchiver")
    }

    private func shell(_ script: String) throws -> CommandResult {
        try runCommand("/bin/sh", ["-c", script], timeout: 60)
    }

    /// Archives `leaf` of `directory` as `name` into a file and returns `tar -tv` of it.
    private func archive(_ directory: String, _ leaf: String, as name: String) throws -> [String] {
        let output = work + "/out-\(UUID().uuidString.prefix(6)).tar"
        let fd = try FileDescriptor.open(output, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        let parent = try FileDescriptor.open(directory, O_RDONLY | O_DIRECTORY)
        defer { parent.close() }
        let archiver = try TreeArchiver(output: fd)
        try archiver.add(parent: parent.rawValue, leaf: leaf, as: name)
        try archiver.finish()
        fd.close()
        let listing = try shell("tar -tvf \(output) --numeric-owner --full-time")
        XCTAssertEqual(listing.status, 0, listing.stderr)
        return listing.stdout.split(separator: "\n").map(String.init)
    }

    private func makeTree() throws -> String {
        let tree = work + "/tree"
        XCTAssertEqual(try shell("""
            mkdir -p \(tree)/dir/sub && printf a > \(tree)/dir/a && chown 7:8 \(tree)/dir/a && chmod 4750 \(tree)/dir/a \
            && touch -d '2022-01-02 03:04:05.678' \(tree)/dir/a && printf b > \(tree)/dir/sub/b && ln \(tree)/dir/a \(tree)/dir/hard \
            && ln -s /etc/passwd \(tree)/dir/link && mkfifo \(tree)/dir/fifo && printf w > \(tree)/dir/.wh.kept
            """).status, 0)
        return tree
    }

    func testNamesTypesLinksAndOrderAsDocker() throws {
        let tree = try makeTree()
        let rows = try archive(tree, "dir", as: "renamed")
        let names = rows.map { row in String(row.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)[5]) }
        XCTAssertEqual(names, ["renamed/", "renamed/.wh.kept", "renamed/a", "renamed/fifo", "renamed/hard link to renamed/a",
                               "renamed/link -> /etc/passwd", "renamed/sub/", "renamed/sub/b"])
        let a = try XCTUnwrap(rows.first { $0.hasSuffix(" renamed/a") })
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        XCTAssertEqual(a, "-rwsr-x--- 7/8 1 2022-01-02 03:04:05 renamed/a", "mode, owner, size, mtime in whole seconds")
        XCTAssertTrue(rows.contains { $0.hasPrefix("p") && $0.hasSuffix("renamed/fifo") })
        // `dir/.` is ./…, the root `/` is /…
        let dotted = try archive(tree + "/dir", ".", as: ".").map { String($0.split(separator: " ", omittingEmptySubsequences: true).last!) }
        XCTAssertEqual(dotted.first, "./")
        XCTAssertTrue(dotted.contains("./a"), "\(dotted)")
        let rooted = try archive(tree, "dir", as: "/")
        XCTAssertTrue(rooted.contains { $0.hasSuffix(" /sub/b") }, "\(rooted)")
        // A symlink as the leaf is the link itself, never what it names.
        let link = try archive(tree + "/dir", "link", as: "link")
        XCTAssertEqual(link.count, 1)
        XCTAssertTrue(link[0].hasPrefix("lrwxrwxrwx") && link[0].hasSuffix("link -> /etc/passwd"), link[0])
    }

    /// Applies `entries` with plain-archive options into `root`.
    private func extract(_ entries: [TarEntry], into root: String, _ configure: (inout LayerApplyOptions) -> Void) throws {
        let blob = work + "/in-\(UUID().uuidString.prefix(6)).tar"
        try writeTar(entries, to: blob)
        var options = LayerApplyOptions(target: .mergedTree)
        options.whiteouts = false
        configure(&options)
        _ = try LayerApplier.apply(file: blob, into: root, options: options)
    }

    func testPlainArchiveOptions() throws {
        let root = work + "/root"
        XCTAssertEqual(try shell("mkdir -p \(root)/dest/existing-dir \(root)/outside && printf x > \(root)/dest/existing-file").status, 0)
        // `.wh.` is a name like any other; entries go below the destination; owners can be forced.
        try extract([.file(".wh.gone", "w", uid: 5, gid: 6), .dir("d/"), .file("d/f", "f", uid: 5, gid: 6)], into: root) {
            $0.destination = "/dest"
            $0.owner = ArchiveOwner(uid: 11, gid: 12)
        }
        XCTAssertEqual(contentsOf(root + "/dest/.wh.gone"), "w")
        XCTAssertEqual(contentsOf(root + "/dest/d/f"), "f")
        XCTAssertEqual(lstatOf(root + "/dest/d/f")?.st_uid, 11)
        XCTAssertEqual(lstatOf(root + "/dest/d/f")?.st_gid, 12)
        // `..` out of the destination is refused, even when it stays inside the root.
        XCTAssertThrowsError(try extract([.file("../outside/evil", "e")], into: root) { $0.destination = "/dest" }) { error in
            XCTAssertEqual("\(error)", "\"../outside/evil\" is outside of \"/dest\"")
        }
        XCTAssertNil(lstatOf(root + "/outside/evil"))
        // No directory replaced by a file, nor the reverse, with noOverwriteDirNonDir.
        XCTAssertThrowsError(try extract([.file("existing-dir", "z")], into: root) {
            $0.destination = "/dest"
            $0.noOverwriteDirNonDir = true
        }) { error in
            XCTAssertEqual("\(error)", "cannot overwrite directory \"/dest/existing-dir\" with non-directory \"/dest\"")
        }
        XCTAssertThrowsError(try extract([.dir("existing-file/")], into: root) {
            $0.destination = "/dest"
            $0.noOverwriteDirNonDir = true
        }) { error in
            XCTAssertEqual("\(error)", "cannot overwrite non-directory \"/dest/existing-file\" with directory \"/dest\"")
        }
        XCTAssertEqual(contentsOf(root + "/dest/existing-file"), "x")
        // Without it, the file replaces the directory (Docker's default).
        try extract([.file("existing-dir", "z")], into: root) { $0.destination = "/dest" }
        XCTAssertEqual(contentsOf(root + "/dest/existing-dir"), "z")
        // Rebase: the first occurrence of the old base name becomes the new one, link targets too.
        try extract([.dir("old/"), .file("old/f", "r"), .hardlink("old/h", to: "old/f")], into: root) {
            $0.destination = "/dest"
            $0.rebase = ArchiveRebase(from: "old", to: "new")
        }
        XCTAssertEqual(contentsOf(root + "/dest/new/h"), "r")
        XCTAssertEqual(lstatOf(root + "/dest/new/f")?.st_nlink, 2)
        XCTAssertNil(lstatOf(root + "/dest/old"))
    }
}
