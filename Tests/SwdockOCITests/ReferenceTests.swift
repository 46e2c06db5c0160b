import SwdockOCI
import XCTest

final class ReferenceTests: XCTestCase {
    static let hex = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"

    /// input → (normalised string, familiar string, domain, path, tag, digest)
    static let valid: [(String, String, String, String, String, String?, String?)] = [
        ("busybox", "docker.io/library/busybox", "busybox", "docker.io", "library/busybox", nil, nil),
        ("busybox:latest", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox", "latest", nil),
        ("library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io", "library/busybox", "1.36", nil),
        ("docker.io/busybox", "docker.io/library/busybox", "busybox", "docker.io", "library/busybox", nil, nil),
        ("index.docker.io/library/busybox", "docker.io/library/busybox", "busybox", "docker.io", "library/busybox", nil, nil),
        ("docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", "docker.io", "library/foo/bar", nil, nil),
        ("user/repo", "docker.io/user/repo", "user/repo", "docker.io", "user/repo", nil, nil),
        ("user/repo/sub:v1", "docker.io/user/repo/sub:v1", "user/repo/sub:v1", "docker.io", "user/repo/sub", "v1", nil),
        ("localhost/foo", "localhost/foo", "localhost/foo", "localhost", "foo", nil, nil),
        ("localhost:5000/foo/bar:tag", "localhost:5000/foo/bar:tag", "localhost:5000/foo/bar:tag", "localhost:5000", "foo/bar", "tag", nil),
        ("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000", "docker.io", "library/localhost", "5000", nil),
        ("127.0.0.1:5000/test@sha256:\(hex)", "127.0.0.1:5000/test@sha256:\(hex)", "127.0.0.1:5000/test@sha256:\(hex)", "127.0.0.1:5000", "test", nil, "sha256:\(hex)"),
        ("busybox@sha256:\(hex)", "docker.io/library/busybox@sha256:\(hex)", "busybox@sha256:\(hex)", "docker.io", "library/busybox", nil, "sha256:\(hex)"),
        ("example.com/a/b:v1@sha256:\(hex)", "example.com/a/b:v1@sha256:\(hex)", "example.com/a/b:v1@sha256:\(hex)", "example.com", "a/b", "v1", "sha256:\(hex)"),
        ("foo-bar.com:8080/x", "foo-bar.com:8080/x", "foo-bar.com:8080/x", "foo-bar.com:8080", "x", nil, nil),
        ("Foo.com/bar", "Foo.com/bar", "Foo.com/bar", "Foo.com", "bar", nil, nil),
        ("a.b-c.d/e__f/g-h---i.j", "a.b-c.d/e__f/g-h---i.j", "a.b-c.d/e__f/g-h---i.j", "a.b-c.d", "e__f/g-h---i.j", nil, nil),
        ("[::1]:5000/repo:tag", "[::1]:5000/repo:tag", "[::1]:5000/repo:tag", "[::1]:5000", "repo", "tag", nil),
        ("xn--n3h.com/myimage", "xn--n3h.com/myimage", "xn--n3h.com/myimage", "xn--n3h.com", "myimage", nil, nil),
        ("busybox:Tag_1.2-rc", "docker.io/library/busybox:Tag_1.2-rc", "busybox:Tag_1.2-rc", "docker.io", "library/busybox", "Tag_1.2-rc", nil),
        ("a" + ":" + String(repeating: "t", count: 128), "docker.io/library/a:" + String(repeating: "t", count: 128), "a:" + String(repeating: "t", count: 128), "docker.io", "library/a", String(repeating: "t", count: 128), nil),
    ]

    /// input → Docker's error message
    static let invalid: [(String, String)] = [
        ("", "invalid reference format"),
        ("Busybox", "invalid reference format: repository name must be lowercase"),
        ("user/Repo", "invalid reference format: repository name must be lowercase"),
        ("UPPER:tag", "invalid reference format: repository name must be lowercase"),
        ("busybox:", "invalid reference format"),
        (":tag", "invalid reference format"),
        ("busybox@", "invalid reference format"),
        ("busybox@sha256:abc", "invalid reference format"),
        ("busybox@sha256:" + String(repeating: "a", count: 40), "invalid checksum digest length"),
        ("busybox@sha256:" + hex.uppercased(), "invalid checksum digest format"),
        (hex, "invalid repository name (\(hex)), cannot specify 64-byte hexadecimal strings"),
        ("foo/../bar", "invalid reference format"),
        ("-foo", "invalid reference format"),
        ("foo-", "invalid reference format"),
        ("foo___bar", "invalid reference format"),
        ("foo:bar:baz", "invalid reference format"),
        ("http://foo/bar", "invalid reference format"),
        ("foo bar", "invalid reference format"),
        ("a:" + String(repeating: "t", count: 129), "invalid reference format"),
        ("foo//bar", "invalid reference format"),
        ("foo_bar.com:8080/x", "invalid reference format"),  // '_' is not allowed in a domain
        ("-host.com/x", "invalid reference format"),
        ("example.com:port/foo", "invalid reference format"),
        (String(repeating: "a/", count: 128) + "a:tag", "repository name must not be more than 255 characters"),
    ]

    func testValidReferencesNormaliseAsDocker() throws {
        for (input, full, familiar, domain, path, tag, digest) in Self.valid {
            let reference: Reference
            do { reference = try Reference(parsing: input) } catch {
                XCTFail("\(input): unexpected error \(error)")
                continue
            }
            XCTAssertEqual(reference.description, full, input)
            XCTAssertEqual(reference.familiarString, familiar, input)
            XCTAssertEqual(reference.domain, domain, input)
            XCTAssertEqual(reference.path, path, input)
            XCTAssertEqual(reference.tag, tag, input)
            XCTAssertEqual(reference.digest?.description, digest, input)
            // Normalised text parses back to itself.
            XCTAssertEqual(try Reference(parsing: full), reference, input)
        }
    }

    func testInvalidReferencesGiveDockersMessage() {
        for (input, message) in Self.invalid {
            XCTAssertThrowsError(try Reference(parsing: input), input) { error in
                XCTAssertEqual((error as? ReferenceError)?.message, message, "input \"\(input)\"")
            }
        }
    }

    func testDefaultTagAndDockerRef() throws {
        XCTAssertEqual(try Reference(parsing: "busybox").normalizedForPull.description, "docker.io/library/busybox:latest")
        XCTAssertEqual(try Reference(parsing: "busybox").normalizedForPull.familiarString, "busybox:latest")
        XCTAssertEqual(try Reference.parseDockerRef("busybox").description, "docker.io/library/busybox:latest")
        XCTAssertEqual(try Reference.parseDockerRef("busybox:1@sha256:\(Self.hex)").description,
                       "docker.io/library/busybox@sha256:\(Self.hex)")
        let pinned = try Reference(parsing: "busybox:1@sha256:\(Self.hex)")
        XCTAssertEqual(pinned.manifestReference, "sha256:\(Self.hex)")
        XCTAssertEqual(try Reference(parsing: "busybox:1").manifestReference, "1")
        XCTAssertEqual(try Reference(parsing: "busybox").manifestReference, "latest")
        XCTAssertEqual(try Reference(parsing: "busybox").familiarName, "busybox")
    }
}
