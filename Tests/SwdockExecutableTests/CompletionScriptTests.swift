import Foundation
import SwdockTestSupport
import XCTest

/// The committed completions/ scripts: what the built swdock generates from its ArgumentParser
/// definitions (else they are stale), valid for each shell, and completing swdock's commands.
final class CompletionScriptTests: XCTestCase {
    /// Shell → the committed file `make completions` writes.
    private let scripts = [("bash", "swdock.bash"), ("zsh", "_swdock"), ("fish", "swdock.fish")]

    private func committed(_ file: String) -> URL {
        TestEnvironment.packageRoot.appendingPathComponent("completions").appendingPathComponent(file)
    }

    func testCommittedScriptsAreWhatTheBuiltSwdockGenerates() throws {
        for (shell, file) in scripts {
            let generated = try runCommand(TestEnvironment.executable("swdock"), ["--generate-completion-script", shell])
            XCTAssertEqual(generated.status, 0, generated.stderr)
            XCTAssertTrue(generated.stdout.contains("swdock"), "\(shell) script names no swdock")
            let onDisk = try String(contentsOf: committed(file), encoding: .utf8)
            XCTAssertTrue(onDisk == generated.stdout,
                          "completions/\(file) is stale: it differs from `swdock --generate-completion-script \(shell)`;"
                          + " run `make completions` and commit the result")
        }
    }

    func testScriptsParseInTheirShells() throws {
        let checks: [(shell: String, arguments: [String], file: String)] = [
            ("/bin/bash", ["-n"], "swdock.bash"), ("/usr/bin/zsh", ["-n"], "_swdock"), ("/usr/bin/fish", ["--no-execute"], "swdock.fish"),
        ]
        for check in checks {
            guard FileManager.default.isExecutableFile(atPath: check.shell) else {
                try TestEnvironment.missing("\(check.shell) (apt-get install zsh fish)")
                continue
            }
            let result = try runCommand(check.shell, check.arguments + [committed(check.file).path])
            XCTAssertEqual(result.status, 0, "\(check.shell) \(check.arguments.joined(separator: " ")) \(check.file): \(result.stderr)")
            XCTAssertEqual(result.stderr, "", "\(check.shell) complains about \(check.file)")
        }
    }

    /// bash runs the completion function for `swdock i<TAB>` and `swdock info --f<TAB>`.
    func testBashCompletesSubcommandsAndOptions() throws {
        let script = committed("swdock.bash").path
        func complete(_ line: String) throws -> [String] {
            // COMP_WORDS[0] is what the script calls back for dynamic completions: the built swdock.
            // bash calls the function with the command, the word being completed and the one before.
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let program = """
                source '\(script)'
                COMP_WORDS=('\(TestEnvironment.executable("swdock"))' \(words.dropFirst().map { "'\($0)'" }.joined(separator: " ")))
                COMP_CWORD=\(words.count - 1)
                COMP_LINE='\(line)'
                COMP_POINT=\(line.utf8.count)
                _swdock swdock '\(words.last ?? "")' '\(words.count > 1 ? words[words.count - 2] : "")'
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try runCommand("/bin/bash", ["-c", program])
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(try complete("swdock inf"), ["info"])
        XCTAssertEqual(Set(try complete("swdock i")), ["info", "inspect", "images", "image", "import"])
        XCTAssertTrue(try complete("swdock ").contains("version"))
        XCTAssertEqual(try complete("swdock info --f"), ["--format"])
    }

    /// fish's own `complete -C` against the script.
    func testFishCompletesSubcommands() throws {
        let fish = "/usr/bin/fish"
        guard FileManager.default.isExecutableFile(atPath: fish) else { return try TestEnvironment.missing("\(fish) (apt-get install fish)") }
        let result = try runCommand(fish, ["--no-config", "-c", "source '\(committed("swdock.fish").path)'; complete -C 'swdock inf'"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let candidates = result.stdout.split(separator: "\n").map { String($0.split(separator: "\t").first ?? "") }
        XCTAssertEqual(candidates, ["info"], result.stdout)
    }
}
