import SwdockAPI
import XCTest

final class FiltersTests: XCTestCase {
    func testMapFormOfTheCLI() throws {
        let filters = try Filters(json: #"{"name":{"t1":true},"status":{"running":true,"exited":false}}"#)
        XCTAssertEqual(filters.values("name"), ["t1"])
        XCTAssertEqual(filters.values("status"), ["running"], "false entries are not values")
    }

    func testListFormOfDockerPy() throws {
        let query = QueryParameters("filters=%7B%22name%22%3A+%5B%22trace-t5%22%5D%7D&all=0")
        let filters = try Filters(query: query)
        XCTAssertEqual(filters.values("name"), ["trace-t5"])
        XCTAssertFalse(query.bool("all"))
    }

    func testEmptyAndMalformed() throws {
        XCTAssertTrue(try Filters(json: "").isEmpty)
        XCTAssertTrue(try Filters(query: QueryParameters("all=1")).isEmpty)
        XCTAssertThrowsError(try Filters(json: "{nope")) { XCTAssertEqual(($0 as? APIError)?.status, 400) }
        XCTAssertThrowsError(try Filters(json: #"{"name":"x"}"#)) { XCTAssertEqual(($0 as? APIError)?.status, 400) }
        XCTAssertThrowsError(try Filters(json: #"["name"]"#))
    }

    func testValidateAndMatching() throws {
        let filters = try Filters(json: #"{"name":["^/t[0-9]$"],"id":["7e83"],"label":["a=b"]}"#)
        XCTAssertThrowsError(try filters.validate(accepted: ["name", "id"])) {
            XCTAssertEqual(($0 as? APIError)?.message, "invalid filter 'label'")
        }
        XCTAssertNoThrow(try filters.validate(accepted: ["name", "id", "label"]))
        XCTAssertTrue(filters.match("name", "/t1"))
        XCTAssertFalse(filters.match("name", "/t10"))
        XCTAssertTrue(filters.match("nosuch", "anything"), "an absent filter matches everything")
        XCTAssertTrue(filters.prefixMatch("id", "7e83abcd"))
        XCTAssertFalse(filters.prefixMatch("id", "abcd"))
        XCTAssertTrue(filters.exactMatch("label", "a=b"))
        XCTAssertFalse(filters.exactMatch("label", "a=c"))
    }

    func testBooleanFilter() throws {
        XCTAssertEqual(try Filters(json: #"{"dangling":["true"]}"#).bool("dangling"), true)
        XCTAssertEqual(try Filters(json: #"{"dangling":{"0":true}}"#).bool("dangling"), false)
        XCTAssertNil(try Filters(json: "{}").bool("dangling"))
        XCTAssertThrowsError(try Filters(json: #"{"dangling":["maybe"]}"#).bool("dangling"))
    }

    func testQueryBooleansFollowDockerd() {
        let query = QueryParameters("a=1&b=True&c=False&d=0&e=no&f=none&g=&h=yes&i=%20false%20")
        XCTAssertTrue(query.bool("a"))
        XCTAssertTrue(query.bool("b"))
        XCTAssertFalse(query.bool("c"))
        XCTAssertFalse(query.bool("d"))
        XCTAssertFalse(query.bool("e"))
        XCTAssertFalse(query.bool("f"))
        XCTAssertFalse(query.bool("g"))
        XCTAssertTrue(query.bool("h"))
        XCTAssertFalse(query.bool("i"))
        XCTAssertFalse(query.bool("missing"))
        XCTAssertTrue(query.bool("missing", default: true))
        XCTAssertFalse(query.bool("c", default: true))
    }

    func testQueryDecodingAndIntegers() throws {
        let query = QueryParameters("repo=localhost%3A5000%2Fbusybox&tag=tracetag&t=10&bad=x&v=1&v=2&odd=%zz")
        XCTAssertEqual(query["repo"], "localhost:5000/busybox")
        XCTAssertEqual(try query.int("t", default: 0), 10)
        XCTAssertEqual(try query.int("missing", default: -1), -1)
        XCTAssertThrowsError(try query.int("bad", default: 0)) { XCTAssertEqual(($0 as? APIError)?.status, 400) }
        XCTAssertEqual(query.values("v"), ["1", "2"])
        XCTAssertEqual(query["odd"], "%zz")
    }

    func testAPIVersionOrdering() {
        XCTAssertLessThan(APIVersion("1.9")!, APIVersion("1.12")!)
        XCTAssertGreaterThan(APIVersion("1.50")!, APIVersion.current)
        XCTAssertEqual(APIVersion("1.41.0"), APIVersion("1.41"))
        XCTAssertNil(APIVersion("abc"))
        XCTAssertNil(APIVersion("1..2"))
    }
}
