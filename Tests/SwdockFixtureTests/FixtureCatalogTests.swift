import CSwdockSys
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS
import SwdockTestSupport
import XCTest

/// The built fixtures agree with their catalog, and real extractors (GNU tar, libarchive's
/// bsdtar) unpack their layers to exactly the trees the catalog promises.
final class FixtureCatalogTests: XCTestCase {
    private func catalog() throws -> FixtureCatalog { try FixtureCatalog.fromEnvironment() }

    /// Bytes of a blob the fixture ships (OCI layout, or a `dir:` copy).
    private func blob(_ catalog: FixtureCatalog, _ fixture: FixtureCatalog.Fixture, _ tag: FixtureCatalog.Tag,
                      _ digest: String) throws -> Data {
        let hex = String(digest.dropFirst("sha256:".count))
        if tag.source.hasPrefix("dir:") {
            let dir = catalog.url(String(tag.source.dropFirst(4)))
            if digest == tag.digest { return try Data(contentsOf: dir.appendingPathComponent("manifest.json")) }
            return try Data(contentsOf: dir.appendingPathComponent(hex))
        }
        let url = try XCTUnwrap(catalog.layoutBlob(fixture: fixture, digest: digest), "\(fixture.name): no blob \(digest)")
        return try Data(contentsOf: url)
    }

    /// sha256 of the uncompressed stream, decompressing with the tool the bytes call for.
    private func diffID(of url: URL, compression: String) throws -> String {
        let decompress = ["gzip": "gzip -dc", "zstd": "zstd -dcq", "none": "cat"][compression]!
        let result = try runCommand("/bin/sh", ["-c", "\(decompress) < \"$1\" | sha256sum", "sh", url.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return "sha256:" + (result.stdout.split(separator: " ").first.map(String.init) ?? "")
    }

    func testCatalogListsEveryFixtureOfTheIssue() throws {
        let catalog = try catalog()
        XCTAssertEqual(catalog.fixtures.map(\.name), ["busybox", "multilayer", "multiplatform", "compression", "bench"])
        let index = try XCTUnwrap(catalog.fixture("multiplatform")?.tag("latest"))
        XCTAssertTrue(index.isIndex)
        XCTAssertEqual(index.images.map(\.platform.description), ["linux/amd64", "linux/arm64/v8"])
        let compression = try XCTUnwrap(catalog.fixture("compression"))
        let mediaTypes = Set(compression.tags.flatMap { $0.images[0].layers.map(\.mediaType) })
        XCTAssertEqual(mediaTypes, [
            "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.docker.image.rootfs.diff.tar",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        ])
        let mislabelled = try XCTUnwrap(compression.tag("mislabelled-zstd-as-gzip"))
        XCTAssertEqual(mislabelled.mislabelled, true)
        XCTAssertTrue(mislabelled.images[0].layers.allSatisfy {
            $0.compression == "zstd" && $0.mediaType.hasSuffix("+gzip")
        })
        let bench = try XCTUnwrap(catalog.fixture("bench")?.tag("latest")?.images.first)
        XCTAssertGreaterThanOrEqual(bench.layers.count, 5)
        XCTAssertGreaterThanOrEqual(bench.layers.map(\.size).reduce(0, +), 100_000_000)
        XCTAssertGreaterThanOrEqual(try catalog.tree(bench.expected).entries.filter { $0.type == .file }.count, 20_000)
        let multilayer = try XCTUnwrap(catalog.fixture("multilayer")?.tag("latest")?.images.first)
        XCTAssertTrue(multilayer.layers.contains { $0.entries == 0 }, "an empty layer")
        XCTAssertEqual(multilayer.historyCount, multilayer.layers.count + 1, "one empty_layer history entry")
    }

    func testEveryManifestConfigAndLayerMatchesTheCatalog() throws {
        let catalog = try catalog()
        for fixture in catalog.fixtures {
            for tag in fixture.tags {
                let what = "\(fixture.name):\(tag.tag)"
                let root = try blob(catalog, fixture, tag, tag.digest)
                XCTAssertEqual(Digest.sha256(of: root).description, tag.digest, what)
                XCTAssertEqual(Int64(root.count), tag.size, what)
                if tag.isIndex {
                    let index = try JSONSerialization.jsonObject(with: root) as? [String: Any]
                    let manifests = try XCTUnwrap(index?["manifests"] as? [[String: Any]], what)
                    XCTAssertEqual(manifests.map { $0["digest"] as? String }, tag.images.map(\.manifest.digest), what)
                }
                for image in tag.images {
                    try checkImage(catalog, fixture, tag, image)
                }
            }
        }
    }

    private func checkImage(_ catalog: FixtureCatalog, _ fixture: FixtureCatalog.Fixture, _ tag: FixtureCatalog.Tag,
                            _ image: FixtureCatalog.Image) throws {
        let what = "\(fixture.name):\(tag.tag) \(image.platform)"
        let manifestBytes = try blob(catalog, fixture, tag, image.manifest.digest)
        XCTAssertEqual(Digest.sha256(of: manifestBytes).description, image.manifest.digest, what)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: manifestBytes) as? [String: Any], what)
        XCTAssertEqual(manifest["mediaType"] as? String, image.manifest.mediaType, what)
        let config = try XCTUnwrap(manifest["config"] as? [String: Any], what)
        XCTAssertEqual(config["digest"] as? String, image.config.digest, what)
        XCTAssertEqual(config["mediaType"] as? String, image.config.mediaType, what)
        let layers = try XCTUnwrap(manifest["layers"] as? [[String: Any]], what)
        XCTAssertEqual(layers.map { $0["digest"] as? String }, image.layers.map(\.digest), what)
        XCTAssertEqual(layers.map { $0["mediaType"] as? String }, image.layers.map(\.mediaType), what)
        XCTAssertEqual(layers.map { ($0["size"] as? NSNumber)?.int64Value }, image.layers.map(\.size), what)

        let configBytes = try blob(catalog, fixture, tag, image.config.digest)
        XCTAssertEqual(Digest.sha256(of: configBytes).description, image.config.digest, what)
        let configJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: configBytes) as? [String: Any], what)
        XCTAssertEqual(configJSON["architecture"] as? String, image.platform.architecture, what)
        XCTAssertEqual(configJSON["os"] as? String, image.platform.os, what)
        XCTAssertEqual(configJSON["variant"] as? String, image.platform.variant, what)
        let rootfs = try XCTUnwrap(configJSON["rootfs"] as? [String: Any], what)
        XCTAssertEqual(rootfs["diff_ids"] as? [String], image.layers.map(\.diffID), what)
        let history = try XCTUnwrap(configJSON["history"] as? [[String: Any]], what)
        XCTAssertEqual(history.count, image.historyCount, what)
        XCTAssertEqual(history.filter { $0["empty_layer"] as? Bool != true }.count, image.layers.count, what)

        XCTAssertNoThrow(try catalog.tree(image.expected), what)
        for layer in image.layers {
            let bytes = try blob(catalog, fixture, tag, layer.digest)
            XCTAssertEqual(Digest.sha256(of: bytes).description, layer.digest, what)
            XCTAssertEqual(Int64(bytes.count), layer.size, what)
            let magic = Array(bytes.prefix(4))
            switch layer.compression {
            case "gzip": XCTAssertEqual(Array(magic.prefix(2)), [0x1f, 0x8b], what)
            case "zstd": XCTAssertEqual(magic, [0x28, 0xb5, 0x2f, 0xfd], what)
            default: XCTAssertNotEqual(Array(magic.prefix(2)), [0x1f, 0x8b], what)
            }
            XCTAssertNoThrow(try catalog.tree(layer.tree), what)
            if fixture.name != "bench" || layer.size < 10_000_000 {
                let url = tag.source.hasPrefix("dir:")
                    ? catalog.url(String(tag.source.dropFirst(4))).appendingPathComponent(String(layer.digest.dropFirst(7)))
                    : try XCTUnwrap(catalog.layoutBlob(fixture: fixture, digest: layer.digest))
                XCTAssertEqual(try diffID(of: url, compression: layer.compression), layer.diffID, "\(what) \(layer.digest)")
            }
        }
    }

    func testExpectedTreesSayWhatTheImagesHold() throws {
        let catalog = try catalog()
        let busybox = try catalog.tree(try XCTUnwrap(catalog.fixture("busybox")?.tag("latest")?.images.first).expected)
        let binary = try Data(contentsOf: URL(fileURLWithPath: "/bin/busybox"))
        let entry = try XCTUnwrap(busybox["bin/busybox"])
        XCTAssertEqual(entry.sha256, Digest.sha256(of: binary).encoded)
        XCTAssertEqual(entry.mode, "0755")
        XCTAssertNotNil(entry.hardlinkGroup)
        XCTAssertEqual(busybox["bin/sh"]?.hardlinkGroup, entry.hardlinkGroup)
        XCTAssertEqual(busybox["tmp"]?.mode, "1777")
        XCTAssertEqual(busybox["home/app"]?.uid, 1000)
        for dir in ["proc", "sys", "dev", "root", "etc"] { XCTAssertEqual(busybox[dir]?.type, .dir, dir) }

        for image in try XCTUnwrap(catalog.fixture("multiplatform")?.tag("latest")).images {
            let tree = try catalog.tree(image.expected)
            let marker = Data("\(image.platform)\n".utf8)
            XCTAssertEqual(tree["etc/swdock-platform"]?.sha256, Digest.sha256(of: marker).encoded, "\(image.platform)")
        }

        let multilayer = try XCTUnwrap(catalog.fixture("multilayer")?.tag("latest")?.images.first)
        let merged = try catalog.tree(multilayer.expected)
        XCTAssertNil(merged["to-be-whiteout"], "whited-out directory")
        XCTAssertNil(merged["usr/lib/passwd-up"], "whited-out symlink")
        XCTAssertEqual(merged.paths.filter { $0.hasPrefix("opaque-dir/") }, ["opaque-dir/new1"])
        XCTAssertEqual(merged["file-becomes-dir"]?.type, .dir)
        XCTAssertEqual(merged["dir-becomes-file"]?.type, .file)
        XCTAssertNil(merged["usr/bin/tool"]?.hardlinkGroup, "replaced in layer 1: the link is broken")
        XCTAssertEqual(merged["etc/app.conf"]?.hardlinkGroup, merged["opt/app/app.conf"]?.hardlinkGroup)
        XCTAssertNotNil(merged["etc/app.conf"]?.hardlinkGroup)
        XCTAssertEqual(merged["usr/bin/setuid-tool"]?.mode, "4755")
        XCTAssertEqual(merged["data/fifo"]?.type, .fifo)
        XCTAssertEqual(merged["data/owned-123-456"].map { "\($0.uid):\($0.gid)" }, "123:456")
        XCTAssertNotNil(merged["usr/bin/cap-tool"]?.xattrs?["security.capability"])
        XCTAssertEqual(merged["usr/local/bin/sh-absolute"]?.target, "/bin/busybox")
        XCTAssertEqual(merged["données/日本語.txt"]?.type, .file)
        XCTAssertTrue(merged.paths.contains { $0.utf8.count > 200 }, "a deep path")
        XCTAssertFalse(merged.paths.contains { $0.split(separator: "/").last?.hasPrefix(".wh.") == true })
        XCTAssertFalse(merged.entries.contains { $0.xattrs?["trusted.overlay.opaque"] != nil })

        let layer1 = try catalog.tree(multilayer.layers[1].tree)
        XCTAssertEqual(layer1["whiteout-me.txt"].map { "\($0.type) \($0.mode) \($0.devmajor ?? 9):\($0.devminor ?? 9)" },
                       "char 0000 0:0")
        XCTAssertEqual(layer1["opaque-dir"]?.xattrs?["trusted.overlay.opaque"], "eQ==")
        XCTAssertEqual(try catalog.tree(multilayer.layers[2].tree).entries, [], "the empty layer")
    }

    // MARK: - real extractors

    private func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-extract-\(UUID().uuidString)").path
        try sys("mkdir", path) { mkdir(path, 0o755) }
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private enum Extractor: String, CaseIterable {
        case gnuTar = "tar", bsdtar

        var executable: String { self == .gnuTar ? "/bin/tar" : "/usr/bin/bsdtar" }

        func arguments(blob: String, into directory: String) -> [String] {
            switch self {
            case .gnuTar:
                return ["--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", blob, "-C", directory]
            case .bsdtar:
                return ["-xpf", blob, "-C", directory, "--numeric-owner"]
            }
        }
    }

    private func removeTree(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
            try FileManager.default.removeItem(atPath: path)
        }
    }

    /// Turns extracted `.wh.*` files into what an overlayfs upper directory holds.
    private func convertWhiteoutsToOverlay(in root: String) throws {
        for entry in try TreeManifest.scan(root: root).entries.reversed() {
            let name = entry.path.split(separator: "/").last.map(String.init) ?? entry.path
            guard name.hasPrefix(".wh.") else { continue }
            let parent = entry.path.contains("/") ? root + "/" + entry.path[..<entry.path.lastIndex(of: "/")!] : root
            try sys("unlink", entry.path) { unlink(root + "/" + entry.path) }
            if name == ".wh..wh..opq" {
                try sys("lsetxattr", parent) { lsetxattr(parent, "trusted.overlay.opaque", "y", 1, 0) }
            } else {
                let victim = parent + "/" + name.dropFirst(4)
                try sys("mknod", victim) { mknod(victim, S_IFCHR, 0) }
                try sys("lchown", victim) { lchown(victim, entry.uid, entry.gid) }
            }
        }
    }

    /// Each layer extracted alone and converted must equal its `layers/N.json`; all layers
    /// extracted in order with whiteouts applied must equal `expected.json`.
    func testGNUTarAndBsdtarUnpackTheLayersToTheExpectedTrees() throws {
        try TestEnvironment.requireRoot()
        let catalog = try catalog()
        for extractor in Extractor.allCases {
            guard FileManager.default.isExecutableFile(atPath: extractor.executable) else {
                try TestEnvironment.missing("\(extractor.executable) (apt packages tar, libarchive-tools)")
                continue
            }
            for name in ["busybox", "multilayer", "multiplatform", "compression"] {
                let fixture = try XCTUnwrap(catalog.fixture(name))
                var checkedLayers = Set<String>()
                for tag in fixture.tags where !tag.source.hasPrefix("dir:") {
                    for image in tag.images {
                        let merged = try makeTemporaryDirectory()
                        for layer in image.layers {
                            let blob = try XCTUnwrap(catalog.layoutBlob(fixture: fixture, digest: layer.digest)).path
                            let tree = try catalog.tree(layer.tree)
                            let what = "\(extractor.rawValue) \(name):\(tag.tag) \(image.platform) \(layer.tree)"
                            if checkedLayers.insert(layer.digest).inserted {
                                let alone = try makeTemporaryDirectory()
                                let result = try runCommand(extractor.executable,
                                                            extractor.arguments(blob: blob, into: alone))
                                XCTAssertEqual(result.status, 0, "\(what): \(result.stderr)")
                                try convertWhiteoutsToOverlay(in: alone)
                                let lines = TreeManifest.differences(expected: tree, actual: try TreeManifest.scan(root: alone))
                                XCTAssertEqual(lines, [], what)
                            }
                            // Whiteouts remove what the layers below left, an entry of another kind
                            // (file ↔ directory) replaces what was there, then the layer is laid over it.
                            let below = Dictionary(uniqueKeysWithValues: try TreeManifest.scan(root: merged).entries.map { ($0.path, $0) })
                            for entry in tree.entries {
                                if let old = below[entry.path], (old.type == .dir) != (entry.type == .dir) {
                                    try removeTree(merged + "/" + entry.path)
                                }
                                if entry.type == .char && entry.devmajor == 0 && entry.devminor == 0 {
                                    try removeTree(merged + "/" + entry.path)
                                } else if entry.xattrs?["trusted.overlay.opaque"] != nil,
                                          let children = try? FileManager.default.contentsOfDirectory(atPath: merged + "/" + entry.path) {
                                    for child in children { try removeTree(merged + "/" + entry.path + "/" + child) }
                                }
                            }
                            let result = try runCommand(extractor.executable,
                                                        extractor.arguments(blob: blob, into: merged))
                            XCTAssertEqual(result.status, 0, "\(what): \(result.stderr)")
                            for entry in try TreeManifest.scan(root: merged).entries
                            where entry.path.split(separator: "/").last?.hasPrefix(".wh.") == true {
                                try sys("unlink", entry.path) { unlink(merged + "/" + entry.path) }
                            }
                        }
                        let lines = TreeManifest.differences(expected: try catalog.tree(image.expected),
                                                             actual: try TreeManifest.scan(root: merged))
                        XCTAssertEqual(lines, [], "\(extractor.rawValue) \(name):\(tag.tag) \(image.platform) merged")
                    }
                }
            }
        }
    }
}
