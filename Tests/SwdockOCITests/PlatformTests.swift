import SwdockOCI
import XCTest

final class PlatformTests: XCTestCase {
    func testParsingNormalisesAsContainerd() throws {
        let cases: [(String, String)] = [
            ("linux/amd64", "linux/amd64"),
            ("linux/x86_64", "linux/amd64"),
            ("Linux/AMD64", "linux/amd64"),
            ("linux/amd64/v1", "linux/amd64"),
            ("linux/amd64/v3", "linux/amd64/v3"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/arm64/v8", "linux/arm64/v8"),
            ("linux/arm64/8", "linux/arm64/v8"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/armel", "linux/arm/v6"),
            ("linux/arm/6", "linux/arm/v6"),
            ("linux/i386", "linux/386"),
            ("macos/arm64", "darwin/arm64"),
            ("linux/ppc64le", "linux/ppc64le"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try Platform(parsing: input).description, expected, input)
        }
        XCTAssertEqual(try Platform(parsing: "arm64").architecture, "arm64")
        XCTAssertEqual(try Platform(parsing: "arm64").os, Platform.host.os)
        XCTAssertEqual(try Platform(parsing: "linux").architecture, Platform.host.architecture)
        for bad in ["", "linux/", "linux//amd64", "linux/arm64/v8/x", "linux/am d64", "nosuchthing"] {
            XCTAssertThrowsError(try Platform(parsing: bad), bad)
        }
    }

    func testNormalisedDropsArm64V8ForComparison() throws {
        XCTAssertEqual(try Platform(parsing: "linux/arm64/v8").normalized, Platform(os: "linux", architecture: "arm64"))
        XCTAssertEqual(Platform(os: "linux", architecture: "aarch64", variant: "8").normalized.description, "linux/arm64")
    }

    func testHostDefault() {
        #if arch(x86_64)
        XCTAssertEqual(Platform.host.description, "linux/amd64")
        #elseif arch(arm64)
        XCTAssertEqual(Platform.host.description, "linux/arm64/v8")
        #endif
    }

    func testMatcherFollowsContainerdOnly() throws {
        let arm64 = PlatformMatcher.only(try Platform(parsing: "linux/arm64/v8"))
        XCTAssertTrue(arm64.matches(Platform(os: "linux", architecture: "arm64")))
        XCTAssertTrue(arm64.matches(Platform(os: "linux", architecture: "arm64", variant: "v8")))
        XCTAssertTrue(arm64.matches(Platform(os: "linux", architecture: "arm", variant: "v7")))
        XCTAssertFalse(arm64.matches(Platform(os: "linux", architecture: "amd64")))
        XCTAssertFalse(arm64.matches(Platform(os: "windows", architecture: "arm64")))
        XCTAssertLessThan(arm64.rank(Platform(os: "linux", architecture: "arm64")),
                          arm64.rank(Platform(os: "linux", architecture: "arm", variant: "v7")))

        let amd64 = PlatformMatcher.only(Platform(os: "linux", architecture: "amd64"))
        XCTAssertTrue(amd64.matches(Platform(os: "linux", architecture: "386")))
        XCTAssertFalse(amd64.matches(Platform(os: "linux", architecture: "amd64", variant: "v2")))
        XCTAssertFalse(amd64.matches(Platform(os: "linux", architecture: "arm64")))

        let armv7 = PlatformMatcher.only(Platform(os: "linux", architecture: "arm", variant: "v7"))
        XCTAssertTrue(armv7.matches(Platform(os: "linux", architecture: "arm", variant: "v6")))
        XCTAssertTrue(armv7.matches(Platform(os: "linux", architecture: "arm")))  // arm means v7
        XCTAssertFalse(armv7.matches(Platform(os: "linux", architecture: "arm", variant: "v8")))

        XCTAssertFalse(PlatformMatcher.exactly(Platform(os: "linux", architecture: "amd64"))
            .matches(Platform(os: "linux", architecture: "386")))
    }

    func testIndexPicksBestMatchFirst() throws {
        let d = { (n: Int, p: Platform?) in
            Descriptor(mediaType: MediaType.ociManifest,
                       digest: Digest(sha256Hex: String(repeating: String(n), count: 64)), size: 1, platform: p)
        }
        let index = ImageIndex(manifests: [
            d(1, Platform(os: "linux", architecture: "arm", variant: "v7")),
            d(2, Platform(os: "linux", architecture: "amd64")),
            d(3, Platform(os: "linux", architecture: "arm64", variant: "v8")),
            d(4, nil),
            d(5, Platform(os: "unknown", architecture: "unknown")),
        ])
        let amd = index.manifests(matching: .only(Platform(os: "linux", architecture: "amd64")))
        XCTAssertEqual(amd.map(\.digest.encoded.first), ["2"])
        let arm = index.manifests(matching: .only(try Platform(parsing: "linux/arm64/v8")))
        XCTAssertEqual(arm.map(\.digest.encoded.first), ["3", "1"])
    }
}
