import Foundation
import XCTest
import SwdockOCI
import SwdockSnapshot
import SwdockTestSupport

/// OCI image layout archives: what `swdock save --format oci` writes is read by skopeo and
/// umoci, and what skopeo writes (`oci-archive:`) loads into swdockd and runs.
final class OCIArchiveTests: XCTestCase {
    static let cli = "/usr/local/bin/docker"

    private func tool(_ executable: String, _ arguments: [String], timeout: TimeInterval = 300) throws -> CommandResult {
        let result = try runCommand(executable, arguments, timeout: timeout)
        XCTAssertEqual(result.status, 0, "\(executable) \(arguments): \(result.stdout)\(result.stderr)")
        return result
    }

    /// Mounts the top snapshot of `image` from a stopped daemon's data root and compares it with
    /// the fixture's expected tree.
    private func assertUnpacked(_ image: FixtureCatalog.Image, dataRoot: String, catalog: FixtureCatalog,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let snapshotter = try OverlaySnapshotter(root: dataRoot + "/snapshots/overlayfs")
        let diffIDs = try image.layers.map { try Digest(parsing: $0.diffID) }
        let top = try XCTUnwrap(ChainID.compute(diffIDs).last).description
        let key = "test-view-\(UUID().uuidString.prefix(8))"
        let mounts = try snapshotter.view(key, parent: top)
        defer { try? snapshotter.remove(key) }
        let target = dataRoot + "/" + key
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try mounts[0].perform(at: target)
        defer { try? Mount.unmount(target, detach: true); try? FileManager.default.removeItem(atPath: target) }
        XCTAssertEqual(TreeManifest.differences(expected: try catalog.tree(image.expected), actual: try TreeManifest.scan(root: target),
                                                ignoring: [.xattrPrefix("trusted.overlay.")]), [], file: file, line: line)
    }

    func testSwdockOCILayoutIsReadBySkopeoAndUmociAndLoadsBack() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let catalog = try FixtureCatalog.fromEnvironment()
        let multilayer = try XCTUnwrap(catalog.fixture("multilayer")?.tag("latest")).images[0]
        let busybox = try XCTUnwrap(catalog.fixture("busybox")?.tag("latest")).images[0]
        let daemon = try PrivateDaemon()
        addTeardownBlock { daemon.stop() }
        let swdock = TestEnvironment.executable("swdock")
        func sw(_ arguments: String...) throws -> CommandResult { try tool(swdock, ["-H", daemon.host] + arguments) }
        let multilayerRef = "\(registry)/swdock-fixtures/multilayer:latest"
        let busyboxRef = "\(registry)/swdock-fixtures/busybox:latest"
        try sw("pull", "-q", multilayerRef)
        try sw("pull", "-q", busyboxRef)
        let scratch = daemon.directory.path
        let single = scratch + "/multilayer-oci.tar"
        try sw("save", "--format", "oci", "-o", single, multilayerRef)

        // The layout's files, as Docker 25+ writes them (and a docker-archive manifest.json).
        let listing = try tool("/usr/bin/tar", ["-tf", single]).stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(listing.contains("oci-layout") && listing.contains("index.json") && listing.contains("manifest.json"), "\(listing)")
        for layer in multilayer.layers {
            XCTAssertTrue(listing.contains("blobs/sha256/" + layer.digest.dropFirst(7)), "layer \(layer.digest) stored as pulled")
        }
        let index = try JSONSerialization.jsonObject(with: Data(try tool("/usr/bin/tar", ["-xOf", single, "index.json"]).stdout.utf8)) as? [String: Any]
        let entry = try XCTUnwrap((index?["manifests"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["mediaType"] as? String, "application/vnd.oci.image.manifest.v1+json")
        XCTAssertEqual(entry["annotations"] as? [String: String],
                       ["org.opencontainers.image.ref.name": "latest", "io.containerd.image.name": multilayerRef])

        // skopeo reads it as an oci-archive and copies it into an OCI directory.
        let inspect = try JSONSerialization.jsonObject(with: Data(try tool("/usr/bin/skopeo", ["inspect", "oci-archive:" + single]).stdout.utf8)) as? [String: Any]
        XCTAssertEqual(inspect?["Layers"] as? [String], multilayer.layers.map(\.digest))
        let layoutDirectory = scratch + "/copied"
        try tool("/usr/bin/skopeo", ["copy", "oci-archive:\(single):latest", "oci:\(layoutDirectory):copied"])
        let copied = try JSONSerialization.jsonObject(with: Data(try tool("/usr/bin/skopeo", ["inspect", "--raw", "oci:\(layoutDirectory):copied"]).stdout.utf8)) as? [String: Any]
        XCTAssertEqual((copied?["config"] as? [String: Any])?["digest"] as? String, multilayer.config.digest)

        // umoci unpacks the layout itself (extracted) and skopeo's copy to the expected tree.
        let extracted = scratch + "/extracted"
        try FileManager.default.createDirectory(atPath: extracted, withIntermediateDirectories: true)
        try tool("/usr/bin/tar", ["-xf", single, "-C", extracted])
        for (layout, tag) in [(extracted, "latest"), (layoutDirectory, "copied")] {
            let bundle = scratch + "/bundle-\(tag)"
            try tool("/usr/bin/umoci", ["unpack", "--image", "\(layout):\(tag)", bundle])
            XCTAssertEqual(TreeManifest.differences(expected: try catalog.tree(multilayer.expected),
                                                    actual: try TreeManifest.scan(root: bundle + "/rootfs"),
                                                    ignoring: [.path("/")]), [], "umoci unpack of \(layout)")
        }

        // A Docker schema2 image (gzip and uncompressed layers) is written with OCI media types.
        let dockerMixed = try XCTUnwrap(catalog.fixture("compression")?.tag("docker-mixed")).images[0]
        let dockerMixedRef = "\(registry)/swdock-fixtures/compression:docker-mixed"
        try sw("pull", "-q", dockerMixedRef)
        let converted = scratch + "/docker-mixed-oci.tar"
        try sw("save", "--format", "oci", "-o", converted, dockerMixedRef)
        let convertedDirectory = scratch + "/docker-mixed"
        try FileManager.default.createDirectory(atPath: convertedDirectory, withIntermediateDirectories: true)
        try tool("/usr/bin/tar", ["-xf", converted, "-C", convertedDirectory])
        let raw = try JSONSerialization.jsonObject(with: Data(try tool("/usr/bin/skopeo", ["inspect", "--raw", "oci:\(convertedDirectory):docker-mixed"]).stdout.utf8)) as? [String: Any]
        XCTAssertEqual((raw?["layers"] as? [[String: Any]])?.compactMap { $0["mediaType"] as? String },
                       ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar",
                        "application/vnd.oci.image.layer.v1.tar+gzip"])
        XCTAssertEqual((raw?["config"] as? [String: Any])?["digest"] as? String, dockerMixed.config.digest, "same image ID")
        try tool("/usr/bin/umoci", ["unpack", "--image", "\(convertedDirectory):docker-mixed", scratch + "/bundle-docker-mixed"])
        XCTAssertEqual(TreeManifest.differences(expected: try catalog.tree(dockerMixed.expected),
                                                actual: try TreeManifest.scan(root: scratch + "/bundle-docker-mixed/rootfs"),
                                                ignoring: [.path("/")]), [], "umoci unpack of the converted layout")

        // The layout's manifest.json makes it a docker-archive too: a dockerd (20.10, no OCI
        // layout support) loads it.
        let dockerd = try PrivateDockerd(runtimes: [:])
        addTeardownBlock { dockerd.stop() }
        let loaded = try dockerd.docker(["load", "-i", single], timeout: 300)
        XCTAssertEqual(loaded.stdout, "Loaded image: \(multilayerRef)\n", loaded.stderr)
        XCTAssertEqual(try dockerd.docker(["image", "inspect", "-f", "{{.Id}}", multilayerRef], timeout: 60).stdout,
                       multilayer.config.digest + "\n")
        dockerd.stop()

        // Two images in one layout load back into a fresh daemon with their names and IDs.
        let both = scratch + "/both-oci.tar"
        try sw("save", "--format", "oci", "-o", both, multilayerRef, busyboxRef)
        let fresh = try PrivateDaemon(dataRoot: scratch + "/fresh-root")
        addTeardownBlock { fresh.stop() }
        XCTAssertEqual(try tool(swdock, ["-H", fresh.host, "load", "-i", both]).stdout,
                       "Loaded image: \(multilayerRef)\nLoaded image: \(busyboxRef)\n")
        XCTAssertEqual(try tool(Self.cli, ["-H", fresh.host, "image", "inspect", "-f", "{{.Id}}", multilayerRef, busyboxRef]).stdout,
                       multilayer.config.digest + "\n" + busybox.config.digest + "\n")
        fresh.stop()
        try assertUnpacked(multilayer, dataRoot: scratch + "/fresh-root", catalog: catalog)
    }

    func testSkopeoOCIArchivesLoadAndRun() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let catalog = try FixtureCatalog.fromEnvironment()
        let multilayer = try XCTUnwrap(catalog.fixture("multilayer")?.tag("latest")).images[0]
        let busybox = try XCTUnwrap(catalog.fixture("busybox")?.tag("latest")).images[0]
        let platforms = try XCTUnwrap(catalog.fixture("multiplatform")?.tag("latest")).images
        let amd64 = try XCTUnwrap(platforms.first { $0.platform.architecture == "amd64" })
        let dataRoot = "/tmp/swdock-ocil-\(UUID().uuidString.prefix(8))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dataRoot) }
        let daemon = try PrivateDaemon(dataRoot: dataRoot)
        addTeardownBlock { daemon.stop() }
        let swdock = TestEnvironment.executable("swdock")
        let scratch = daemon.directory.path
        func skopeoArchive(_ repository: String, _ file: String, _ name: String, all: Bool = false) throws {
            try tool("/usr/bin/skopeo", ["copy", "--src-tls-verify=false"] + (all ? ["--all"] : [])
                     + ["docker://\(registry)/swdock-fixtures/\(repository):latest", "oci-archive:\(scratch)/\(file):\(name)"])
        }
        try skopeoArchive("busybox", "busybox.tar", "localhost/skopeo/busybox:v1")
        try skopeoArchive("multilayer", "multilayer.tar", "localhost/skopeo/multilayer:v2")
        try skopeoArchive("multiplatform", "multiplatform.tar", "localhost/skopeo/multiplatform:v3", all: true)
        try skopeoArchive("busybox", "tag-only.tar", "just-a-tag")

        // Through the docker CLI and the swdock CLI: skopeo's ref names are whole references.
        XCTAssertEqual(try tool(Self.cli, ["-H", daemon.host, "load", "-i", scratch + "/busybox.tar"]).stdout,
                       "Loaded image: localhost/skopeo/busybox:v1\n")
        XCTAssertEqual(try tool(swdock, ["-H", daemon.host, "load", "-i", scratch + "/multilayer.tar"]).stdout,
                       "Loaded image: localhost/skopeo/multilayer:v2\n")
        XCTAssertEqual(try tool(swdock, ["-H", daemon.host, "load", "-i", scratch + "/multiplatform.tar"]).stdout,
                       "Loaded image: localhost/skopeo/multiplatform:v3\n")
        // A ref name that is only a tag names no repository: the image loads untagged.
        XCTAssertEqual(try tool(swdock, ["-H", daemon.host, "load", "-i", scratch + "/tag-only.tar"]).stdout,
                       "Loaded image ID: \(busybox.config.digest)\n")
        let ids = try tool(Self.cli, ["-H", daemon.host, "image", "inspect", "-f", "{{.Id}}", "localhost/skopeo/busybox:v1",
                                      "localhost/skopeo/multilayer:v2", "localhost/skopeo/multiplatform:v3"]).stdout
        XCTAssertEqual(ids, [busybox.config.digest, multilayer.config.digest, amd64.config.digest].joined(separator: "\n") + "\n")

        // The loaded busybox runs.
        let run = try tool(Self.cli, ["-H", daemon.host, "run", "--rm", "--network", "none", "localhost/skopeo/busybox:v1",
                                      "sh", "-c", "echo hello from busybox; grep ^app: /etc/passwd | cut -d: -f3"])
        XCTAssertEqual(run.stdout, "hello from busybox\n1000\n")
        let platform = try tool(Self.cli, ["-H", daemon.host, "run", "--rm", "--network", "none", "localhost/skopeo/multiplatform:v3",
                                           "cat", "/etc/swdock-platform"])
        XCTAssertEqual(platform.stdout, "linux/amd64\n")
        daemon.stop()
        try assertUnpacked(multilayer, dataRoot: dataRoot, catalog: catalog)
        try assertUnpacked(amd64, dataRoot: dataRoot, catalog: catalog)
    }
}
