import Foundation
import XCTest
import SwdockTestSupport

/// `docker pull -a` / `swdock pull -a` against swdockd: every tag of the repository, dockerd's
/// stream, one closing status line for the repository.
final class PullAllTagsTests: XCTestCase {
    static let cli = "/usr/local/bin/docker"

    func testDockerAndSwdockPullAllTags() throws {
        try TestEnvironment.requireRoot()
        let registry = try TestEnvironment.require("SWDOCK_TEST_REGISTRY")
        let catalog = try FixtureCatalog.fromEnvironment()
        let compression = try XCTUnwrap(catalog.fixture("compression"))
        let daemon = try PrivateDaemon()
        addTeardownBlock { daemon.stop() }
        let swdock = TestEnvironment.executable("swdock")
        func run(_ executable: String, _ arguments: [String]) throws -> CommandResult {
            let result = try runCommand(executable, ["-H", daemon.host] + arguments, timeout: 600)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stdout)\(result.stderr)\n\(daemon.log)")
            return result
        }
        let repository = "\(registry)/swdock-fixtures/compression"

        let first = try run(Self.cli, ["pull", "-a", repository]).stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(first.suffix(2), ["Status: Downloaded newer image for \(repository)", repository])
        for tag in compression.tags {
            XCTAssertTrue(first.contains("\(tag.tag): Pulling from swdock-fixtures/compression"), "\(tag.tag) in \(first)")
            XCTAssertTrue(first.contains("Digest: \(tag.digest)"), "digest of \(tag.tag) in \(first)")
        }
        let listed = try run(Self.cli, ["images", "--format", "{{.Tag}} {{.ID}}", repository]).stdout
        XCTAssertEqual(Set(listed.split(separator: "\n").map { String($0.split(separator: " ")[0]) }), Set(compression.tags.map(\.tag)))
        let inspected = try run(Self.cli, ["image", "inspect", "-f", "{{.Id}}"] + compression.tags.map { "\(repository):\($0.tag)" }).stdout
        XCTAssertEqual(inspected, compression.tags.map { $0.images[0].config.digest + "\n" }.joined())

        // Again: nothing new, one "up to date" line for the repository.
        let again = try run(swdock, ["pull", "-a", repository]).stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(again.suffix(2), ["Status: Image is up to date for \(repository)", repository])

        // A tag that comes back counts as newer (dockerd: "existing images were newly tagged").
        // Every compression tag is the same image, so this removes a tag, not the image.
        XCTAssertEqual(try run(swdock, ["rmi", "\(repository):oci-zstd"]).stdout, "Untagged: \(repository):oci-zstd\n")
        let third = try run(swdock, ["pull", "-a", repository]).stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(third.suffix(2), ["Status: Downloaded newer image for \(repository)", repository])

        // A repository the registry does not have: the registry's error, exit 1, nothing stored.
        let missing = try runCommand(Self.cli, ["-H", daemon.host, "pull", "-a", "\(registry)/swdock-fixtures/no-such-repo"], timeout: 120)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("repository \(registry)/swdock-fixtures/no-such-repo not found"), missing.stderr)
    }
}
