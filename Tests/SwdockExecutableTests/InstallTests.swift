import Foundation
import SwdockTestSupport
import XCTest

/// `make install-files` (what `make install` runs after the release build) into a DESTDIR,
/// and `make uninstall` removing every file of it again.
final class InstallTests: XCTestCase {
    private func make(_ arguments: [String]) throws -> CommandResult {
        try runCommand("/usr/bin/make", ["-s", "-C", TestEnvironment.packageRoot.path] + arguments)
    }

    private func files(under root: URL) -> [String] {
        var found: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        for case let path as String in walker {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                found.append("/" + path)
            }
        }
        return found.sorted()
    }

    private func installAndUninstall(prefix: String) throws -> (installed: [String], service: String) {
        let destdir = URL(fileURLWithPath: "/tmp/swdock-install-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: destdir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: destdir) }

        let install = try make(["install-files", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)",
                                "BUILD_DIR=\(TestEnvironment.productsDirectory.path)"])
        XCTAssertEqual(install.status, 0, install.stdout + install.stderr)
        let installed = files(under: destdir)
        let service = (try? String(contentsOf: destdir.appendingPathComponent(prefix + "/lib/systemd/system/swdock.service"),
                                   encoding: .utf8)) ?? ""
        for binary in ["swdock", "swdockd", "swdock-shim", "swdock-runtime"] {
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: destdir.path + prefix + "/bin/" + binary), binary)
        }

        let uninstall = try make(["uninstall", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)"])
        XCTAssertEqual(uninstall.status, 0, uninstall.stdout + uninstall.stderr)
        XCTAssertEqual(files(under: destdir), [], "make uninstall left files behind")
        for owned in ["/etc/swdock", prefix + "/share/swdock", prefix + "/share/doc/swdock"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: destdir.path + owned), "\(owned) is left")
        }
        return (installed, service)
    }

    func testInstallFilesListsEveryFileAndUninstallRemovesThem() throws {
        let (installed, service) = try installAndUninstall(prefix: "/usr/local")
        XCTAssertEqual(installed, [
            "/etc/swdock/daemon.json.example",
            "/usr/local/bin/swdock", "/usr/local/bin/swdock-runtime", "/usr/local/bin/swdock-shim", "/usr/local/bin/swdockd",
            "/usr/local/lib/systemd/system/swdock.service", "/usr/local/lib/systemd/system/swdock.socket",
            "/usr/local/lib/sysusers.d/swdock.conf",
            "/usr/local/share/doc/swdock/README.md",
            "/usr/local/share/swdock/seccomp/default.json",
        ])
        XCTAssertTrue(service.contains("ExecStart=/usr/local/bin/swdockd -H fd://"), service)
    }

    func testUnitNamesTheInstalledDaemonUnderAnotherPrefix() throws {
        let (installed, service) = try installAndUninstall(prefix: "/opt/swdock")
        XCTAssertTrue(installed.contains("/opt/swdock/bin/swdockd"), "\(installed)")
        XCTAssertTrue(installed.contains("/opt/swdock/lib/systemd/system/swdock.service"), "\(installed)")
        XCTAssertTrue(service.contains("ExecStart=/opt/swdock/bin/swdockd -H fd://"), service)
        XCTAssertFalse(service.contains("/usr/local"), service)
    }
}
