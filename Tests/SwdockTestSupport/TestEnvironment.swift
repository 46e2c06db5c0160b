import Foundation
import XCTest

/// Facts about the machine a test runs on, and the rule for what a missing prerequisite means.
///
/// A test that needs root or a service calls `require…`. Outside CI a missing prerequisite
/// skips the test with a message saying what is missing; with `SWDOCK_TEST_STRICT=1` (set by
/// `make test` and so by CI) it fails instead, so nothing is silently skipped there.
public enum TestEnvironment {
    public static var isRoot: Bool { geteuid() == 0 }

    public static var isStrict: Bool { ProcessInfo.processInfo.environment["SWDOCK_TEST_STRICT"] == "1" }

    /// Skips (or, when strict, fails) unless running as root.
    public static func requireRoot(file: StaticString = #filePath, line: UInt = #line) throws {
        if !isRoot { try missing("this test needs root", file: file, line: line) }
    }

    /// The value of an environment variable the test harness sets, or a skip/failure naming it.
    public static func require(_ variable: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
            try missing("\(variable) is not set (run the suite through `make test`)", file: file, line: line)
            return ""
        }
        return value
    }

    /// Skips or fails for a missing prerequisite, as described above.
    public static func missing(_ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if isStrict {
            XCTFail("prerequisite missing under SWDOCK_TEST_STRICT=1: \(what)", file: file, line: line)
            throw XCTSkip("failed above: \(what)")
        }
        throw XCTSkip(what)
    }

    /// The directory holding the package's built products (the test bundle sits beside them).
    public static var productsDirectory: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // swift test runs <products>/<Package>PackageTests.xctest as the binary itself on Linux.
        while dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        return dir
    }

    /// Path of one of the package's executables (`swdock`, `swdockd`, …) in the build being tested.
    public static func executable(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }

    /// The package's root directory (for fixtures and scripts).
    public static var packageRoot: URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }
}
