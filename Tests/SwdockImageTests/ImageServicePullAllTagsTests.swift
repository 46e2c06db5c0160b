import Foundation
import XCTest
import SwdockEngine
import SwdockOCI
import SwdockOS
import SwdockRegistry
import SwdockTestSupport

/// `ImageService.pullAllTags` against the token-auth registry: every tag, dockerd's message
/// order, credentials used for the tag list too.
final class ImageServicePullAllTagsTests: XCTestCase {
    func testAllTagsWithTokenAuthAndWrongCredentials() async throws {
        try TestEnvironment.requireRoot()
        let host = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN")
        let user = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_USER")
        let password = try TestEnvironment.require("SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD")
        let catalog = try FixtureCatalog.fromEnvironment()
        let compression = try XCTUnwrap(catalog.fixture("compression"))
        let repository = "\(host)/swdock-fixtures/compression"

        let refused = try ImageStoreFixture()
        addTeardownBlock { refused.remove() }
        do {
            _ = try await refused.service.pullAllTags(repository, credential: RegistryCredential(username: user, password: password + "-wrong"))
            XCTFail("a wrong password listed and pulled tags")
        } catch {
            XCTAssertTrue(error.message.lowercased().contains("unauthorized"), "\(error)")
        }
        XCTAssertEqual(refused.blobNames, [])
        XCTAssertEqual(try refused.service.list().count, 0)

        let store = try ImageStoreFixture()
        addTeardownBlock { store.remove() }
        let messages = Locked<[PullProgress]>([])
        let record: @Sendable (PullProgress) -> Void = { message in messages.withLock { $0.append(message) } }
        let outcomes = try await store.service.pullAllTags(repository, credential: RegistryCredential(username: user, password: password),
                                                           progress: record)
        let all = messages.withLock { $0 }
        XCTAssertEqual(Set(outcomes.map(\.reference)), Set(compression.tags.map { "\(repository):\($0.tag)" }))
        let starts = all.filter { $0.status == "Pulling from swdock-fixtures/compression" }.compactMap(\.id)
        XCTAssertEqual(Set(starts), Set(compression.tags.map(\.tag)))
        XCTAssertEqual(starts.count, compression.tags.count, "one start per tag")
        XCTAssertEqual(all.filter { $0.status.hasPrefix("Digest: ") }.count, compression.tags.count)
        XCTAssertEqual(all.filter { $0.status.hasPrefix("Status: ") }.map(\.status), ["Status: Downloaded newer image for \(repository)"])
        XCTAssertEqual(all.last?.status, "Status: Downloaded newer image for \(repository)")
        for tag in compression.tags {
            XCTAssertEqual(try store.service.resolveImage("\(repository):\(tag.tag)").id, tag.images[0].config.digest)
        }

        // A tag given is refused, as the docker CLI refuses it.
        do {
            _ = try await store.service.pullAllTags(repository + ":oci-gzip")
            XCTFail("pullAllTags took a tag")
        } catch {
            XCTAssertEqual(error.message, "tag can't be used with --all-tags/-a")
        }
    }
}
