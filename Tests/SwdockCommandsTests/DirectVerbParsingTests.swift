@testable import SwdockCommands
import XCTest

/// The CLI parses a plain verb with its own command first and falls back to the whole command
/// tree for everything else, so help, errors and groups read as before.
final class DirectVerbParsingTests: XCTestCase {
    func testAPlainVerbIsParsedByItsOwnCommand() throws {
        let ps = try XCTUnwrap(SwdockCommand.directlyParsed(["ps", "-a", "--no-trunc"]) as? PsCommand)
        XCTAssertTrue(ps.options.all)
        XCTAssertTrue(ps.options.noTrunc)
        let run = try XCTUnwrap(SwdockCommand.directlyParsed(["run", "--rm", "--hostname", "box", "bb", "echo", "hi"]) as? RunCommand)
        XCTAssertTrue(run.remove)
        XCTAssertEqual(run.image, "bb")
        XCTAssertEqual(run.command, ["echo", "hi"])
        XCTAssertNil(SwdockCommand.directlyParsed(["run", "--rm", "bb", "ls", "--help"]),
                     "anything that looks like help goes the full way, even in the container's command")
        XCTAssertNil(SwdockCommand.directlyParsed(["run", "-h", "box", "bb"]), "run's -h (hostname) too: slower, still right")
    }

    func testHelpErrorsAndGroupsGoTheFullWay() {
        XCTAssertNil(SwdockCommand.directlyParsed(["ps", "--help"]))
        XCTAssertNil(SwdockCommand.directlyParsed(["ps", "-h"]))
        XCTAssertNil(SwdockCommand.directlyParsed(["ps", "--no-such-flag"]))
        XCTAssertNil(SwdockCommand.directlyParsed(["container", "ls"]), "a group has subcommands")
        XCTAssertNil(SwdockCommand.directlyParsed(["--version"]))
        XCTAssertNil(SwdockCommand.directlyParsed([]))
    }

    func testEveryLeafVerbIsListedOnce() {
        for verb in ["run", "ps", "rm", "exec", "start", "stop", "create", "kill", "logs", "inspect", "pull", "images"] {
            XCTAssertNotNil(SwdockCommand.verbs[verb], verb)
        }
        XCTAssertNil(SwdockCommand.verbs["container"])
        XCTAssertNil(SwdockCommand.verbs["network"])
    }
}
