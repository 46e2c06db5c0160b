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

    /// The man pages generate-manual writes: `swdock.1`, `swdock.<command>[.<sub>].1` for every
    /// subcommand the built swdock declares (from its --experimental-dump-help), and `swdockd.1`.
    private func expectedManPages() throws -> [String] {
        let dump = try runCommand(TestEnvironment.executable("swdock"), ["--experimental-dump-help"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var pages: [String] = ["swdockd.1"]
        func walk(_ command: [String: Any], path: [String]) {
            let name = path + [command["commandName"] as? String ?? "?"]
            pages.append(name.joined(separator: ".") + ".1")
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path: name) }
        }
        walk(try XCTUnwrap(root["command"] as? [String: Any]), path: [])
        XCTAssertTrue(pages.contains("swdock.info.1"), "\(pages)")
        return pages
    }

    private func installAndUninstall(prefix: String) throws -> (installed: [String], service: String) {
        let destdir = URL(fileURLWithPath: "/tmp/swdock-install-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: destdir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: destdir) }
        // Man pages are generated into a directory of this test's own, not the products directory.
        let manBuild = destdir.path + "-man"
        defer { try? FileManager.default.removeItem(atPath: manBuild) }

        let install = try make(["install-files", "DESTDIR=\(destdir.path)", "PREFIX=\(prefix)",
                                "BUILD_DIR=\(TestEnvironment.productsDirectory.path)", "MAN_BUILD_DIR=\(manBuild)"])
        XCTAssertEqual(install.status, 0, install.stdout + install.stderr)
        let installed = files(under: destdir)
        let service = (try? String(contentsOf: destdir.appendingPathComponent(prefix + "/lib/systemd/system/swdock.service"),
                                   encoding: .utf8)) ?? ""
        for binary in ["swdock", "swdockd", "swdock-shim", "swdock-runtime", "swdock-init"] {
            XCTAssertTrue(FileManager.default.isExecutableFile(atPath: destdir.path + prefix + "/bin/" + binary), binary)
        }
        // Each man page is mdoc that groff formats without a warning, titled by its command.
        for page in installed where page.hasPrefix(prefix + "/share/man/man1/") {
            let path = destdir.path + page
            let title = URL(fileURLWithPath: page).deletingPathExtension().lastPathComponent.uppercased()
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            XCTAssertTrue(text.contains(".Dt \(title) 1"), "\(page) is not the page of \(title)")
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") {
                let format = try runCommand("/usr/bin/groff", ["-mdoc", "-Tutf8", "-ww", "-z", path])
                XCTAssertEqual(format.status, 0, "\(page): \(format.stderr)")
                XCTAssertEqual(format.stderr, "", "groff warns about \(page)")
            }
        }
        // The completions are the committed scripts.
        for (installedPath, committed) in [("/share/bash-completion/completions/swdock", "swdock.bash"),
                                           ("/share/zsh/site-functions/_swdock", "_swdock"),
                                           ("/share/fish/vendor_completions.d/swdock.fish", "swdock.fish")] {
            XCTAssertEqual(FileManager.default.contents(atPath: destdir.path + prefix + installedPath),
                           FileManager.default.contents(atPath: TestEnvironment.packageRoot.path + "/completions/" + committed),
                           installedPath)
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
        XCTAssertEqual(installed, ([
            "/etc/swdock/daemon.json.example",
            "/usr/local/bin/swdock", "/usr/local/bin/swdock-init", "/usr/local/bin/swdock-runtime", "/usr/local/bin/swdock-shim", "/usr/local/bin/swdockd",
            "/usr/local/lib/systemd/system/swdock.service", "/usr/local/lib/systemd/system/swdock.socket",
            "/usr/local/lib/sysusers.d/swdock.conf",
            "/usr/local/share/bash-completion/completions/swdock",
            "/usr/local/share/doc/swdock/README.md",
            "/usr/local/share/fish/vendor_completions.d/swdock.fish",
            "/usr/local/share/swdock/seccomp/default.json",
            "/usr/local/share/zsh/site-functions/_swdock",
        ] + (try expectedManPages()).map { "/usr/local/share/man/man1/" + $0 }).sorted())
        XCTAssertTrue(service.contains("ExecStart=/usr/local/bin/swdockd -H fd://"), service)
    }

    func testUnitNamesTheInstalledDaemonUnderAnotherPrefix() throws {
        let (installed, service) = try installAndUninstall(prefix: "/opt/swdock")
        XCTAssertTrue(installed.contains("/opt/swdock/bin/swdockd"), "\(installed)")
        XCTAssertTrue(installed.contains("/opt/swdock/lib/systemd/system/swdock.service"), "\(installed)")
        XCTAssertTrue(installed.contains("/opt/swdock/share/man/man1/swdock.info.1"), "\(installed)")
        XCTAssertTrue(installed.contains("/opt/swdock/share/zsh/site-functions/_swdock"), "\(installed)")
        XCTAssertTrue(service.contains("ExecStart=/opt/swdock/bin/swdockd -H fd://"), service)
        XCTAssertFalse(service.contains("/usr/local"), service)
    }
}
