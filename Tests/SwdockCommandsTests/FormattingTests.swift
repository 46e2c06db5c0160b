@testable import SwdockCommands
import XCTest

/// go-units and text/tabwriter behaviour as docker's tables print it.
final class FormattingTests: XCTestCase {
    func testHumanDuration() {
        XCTAssertEqual(HumanUnits.duration(seconds: 0.4), "Less than a second")
        XCTAssertEqual(HumanUnits.duration(seconds: 1), "1 second")
        XCTAssertEqual(HumanUnits.duration(seconds: 59.9), "59 seconds")
        XCTAssertEqual(HumanUnits.duration(seconds: 60), "About a minute")
        XCTAssertEqual(HumanUnits.duration(seconds: 119), "About a minute")
        XCTAssertEqual(HumanUnits.duration(seconds: 120), "2 minutes")
        XCTAssertEqual(HumanUnits.duration(seconds: 3599), "59 minutes")
        XCTAssertEqual(HumanUnits.duration(seconds: 3600), "About an hour")
        XCTAssertEqual(HumanUnits.duration(seconds: 5400), "2 hours")
        XCTAssertEqual(HumanUnits.duration(seconds: 47 * 3600), "47 hours")
        XCTAssertEqual(HumanUnits.duration(seconds: 3 * 86400), "3 days")
        XCTAssertEqual(HumanUnits.duration(seconds: 20 * 86400), "2 weeks")
        XCTAssertEqual(HumanUnits.duration(seconds: 90 * 86400), "3 months")
        XCTAssertEqual(HumanUnits.duration(seconds: 800 * 86400), "2 years")
    }

    func testHumanSizeAsGoUnits() {
        XCTAssertEqual(HumanUnits.size(1_982_347, precision: 3), "1.98MB")
        XCTAssertEqual(HumanUnits.size(1_982_347), "1.982MB")
        XCTAssertEqual(HumanUnits.size(4_260_000, precision: 3), "4.26MB")
        XCTAssertEqual(HumanUnits.size(0, precision: 3), "0B")
        XCTAssertEqual(HumanUnits.size(999, precision: 3), "999B")
        XCTAssertEqual(HumanUnits.size(1000, precision: 3), "1kB")
        XCTAssertEqual(HumanUnits.size(999_999, precision: 3), "1e+03kB", "Go's %.3g switches to an exponent")
        XCTAssertEqual(HumanUnits.size(1_064_748), "1.065MB")
        XCTAssertEqual(HumanUnits.size(36_445), "36.45kB")
        XCTAssertEqual(HumanUnits.binarySize(25_275_000_000), "23.54GiB")
    }

    func testIDsAndEllipsis() {
        XCTAssertEqual(HumanUnits.truncateID("sha256:0e0946a7f31ed1f43180f5b1431f9f12"), "0e0946a7f31e")
        XCTAssertEqual(HumanUnits.ellipsis("sh -c 'while true; do sleep 1; done'", 20), "sh -c 'while true; …")
        XCTAssertEqual(HumanUnits.ellipsis("sleep 300", 20), "sleep 300")
    }

    func testTabWriterAsDockersTables() {
        var writer = TabWriter()
        writer.write("CONTAINER ID\tIMAGE\tNAMES\n")
        writer.write("b8de0348fa28\tbusybox\tt1\n")
        XCTAssertEqual(writer.flush(), """
            CONTAINER ID   IMAGE     NAMES
            b8de0348fa28   busybox   t1

            """)
    }

    func testPsRowAndTable() throws {
        let entry = try JSONNode.parse("""
            {"Id":"b8de0348fa280e862c1e70b641ff2a6ed4ef985a3e3b19949c28fe577230b010","Names":["/t1"],"Image":"busybox",
             "ImageID":"sha256:0e09","Command":"sh -c 'while true; do sleep 1; done'","Created":1000,"Ports":[
             {"IP":"0.0.0.0","PrivatePort":80,"PublicPort":18081,"Type":"tcp"},{"IP":"::","PrivatePort":80,"PublicPort":18081,"Type":"tcp"}],
             "Labels":{"b":"2","a":"1"},"State":"exited","Status":"Exited (3) 2 seconds ago","SizeRw":0,"SizeRootFs":1982347,
             "NetworkSettings":{"Networks":{"none":{}}},"Mounts":[]}
            """)
        let row = PsOptions.row(entry, truncate: true, now: 1062)
        XCTAssertEqual(row["ID"]?.stringValue, "b8de0348fa28")
        XCTAssertEqual(row["Command"]?.stringValue, "\"sh -c 'while true; …\"")
        XCTAssertEqual(row["RunningFor"]?.stringValue, "About a minute ago")
        XCTAssertEqual(row["Ports"]?.stringValue, "0.0.0.0:18081->80/tcp, [::]:18081->80/tcp")
        XCTAssertEqual(row["Labels"]?.stringValue, "a=1,b=2")
        XCTAssertEqual(row["Size"]?.stringValue, "0B (virtual 1.98MB)")
        XCTAssertEqual(row["Networks"]?.stringValue, "none")
        let table = try TableFormat("table {{.ID}}\t{{.Status}}\t{{.Names}}", defaultTable: "", headers: PsOptions.headers)
        XCTAssertEqual(try table.render([row]), """
            CONTAINER ID   STATUS                     NAMES
            b8de0348fa28   Exited (3) 2 seconds ago   t1

            """)
        let json = try TableFormat("json", defaultTable: "", headers: PsOptions.headers)
        XCTAssertTrue(try json.render([row]).hasPrefix(#"{"Command":"\"sh -c 'while true; …\"","CreatedAt":"#))
    }

    func testImageRowsPerTagAndDigest() throws {
        let image = try JSONNode.parse("""
            {"Id":"sha256:0e0946a7f31ed1f43180f5b1431f9f12ab9c06aebf1c1979c67df2cf684a3939","Created":0,"Size":1982347,
             "SharedSize":-1,"Containers":-1,"RepoTags":["127.0.0.1:5000/busybox:latest","127.0.0.1:5000/busybox:v1","busybox:latest"],
             "RepoDigests":["127.0.0.1:5000/busybox@sha256:b3d0a27d6169df13b1094be40bc1c738827903e3b902db15bcfd2751e2d88dae"]}
            """)
        let rows = ImageListOptions.rows(image, truncate: true, showDigests: true, now: 0)
        XCTAssertEqual(rows.map { "\($0["Repository"]!.templateText) \($0["Tag"]!.templateText) \($0["Digest"]!.templateText.prefix(14))" },
                       ["127.0.0.1:5000/busybox latest sha256:b3d0a27", "127.0.0.1:5000/busybox v1 sha256:b3d0a27",
                        "busybox latest <none>"])
        XCTAssertEqual(rows[0]["Size"]?.stringValue, "1.98MB")
        XCTAssertEqual(rows[0]["ID"]?.stringValue, "0e0946a7f31e")
        let dangling = try JSONNode.parse(#"{"Id":"sha256:aa","Created":0,"Size":0,"RepoTags":[],"RepoDigests":[]}"#)
        XCTAssertEqual(ImageListOptions.rows(dangling, truncate: true, showDigests: false, now: 0).first?["Tag"]?.stringValue, "<none>")
    }

    func testSystemDfRows() throws {
        let usage = try JSONNode.parse("""
            {"LayersSize":1982347,"Images":[{"Containers":1,"Size":1982347,"SharedSize":0}],
             "Containers":[{"State":"running","SizeRw":0},{"State":"exited","SizeRw":2000}],"Volumes":[],"BuildCache":null}
            """)
        let table = try TableFormat(nil, defaultTable: "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                                    headers: SystemDfCommand.headers)
        XCTAssertEqual(try table.render(SystemDfCommand.rows(usage)), """
            TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE
            Images          1         1         1.982MB   0B (0%)
            Containers      2         1         2kB       2kB (100%)
            Local Volumes   0         0         0B        0B
            Build Cache     0         0         0B        0B

            """)
    }

    func testPullProgressLines() throws {
        XCTAssertEqual(PullProgress.bar(try JSONNode.parse(#"{"current":36445,"total":1064748}"#), width: 80), " 36.45kB/1.065MB")
        XCTAssertEqual(PullProgress.bar(try JSONNode.parse(#"{"current":532374,"total":1064748}"#), width: 120),
                       "[=========================>                         ]  532.4kB/1.065MB")
        XCTAssertEqual(PullProgress.bar(try JSONNode.parse(#"{}"#), width: 120), "")
        XCTAssertEqual(PullProgress.goDuration(seconds: 187), "3m7s")
    }

    func testLogsTimestamps() throws {
        XCTAssertEqual(LogsCommand.goDurationSeconds("42m"), 2520)
        XCTAssertEqual(LogsCommand.goDurationSeconds("1h30m10s"), 5410)
        XCTAssertNil(LogsCommand.goDurationSeconds("2013-01-02"))
        XCTAssertEqual(try LogsCommand.timestamp("10s", now: 100.5, flag: "since"), "90.500000000")
        XCTAssertEqual(try LogsCommand.timestamp("2013-01-02T13:23:37Z", now: 0, flag: "since"), "1357133017.000000000")
        XCTAssertEqual(try LogsCommand.timestamp("1357133017", now: 0, flag: "since"), "1357133017")
    }

    func testDemultiplexerSplitsFramesAcrossReads() throws {
        var demultiplexer = StreamDemultiplexerProbe()
        let frames = try demultiplexer.feed([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69]) + demultiplexer.feed([0x0a, 2, 0, 0, 0, 0, 0, 0, 1, 0x21])
        XCTAssertEqual(frames.map(\.0), [1, 2])
        XCTAssertEqual(frames.map(\.1), [Array("hi\n".utf8), Array("!".utf8)])
    }
}

import SwdockClient
/// Wraps the client's demultiplexer with raw stream numbers for comparison.
struct StreamDemultiplexerProbe {
    var inner = StreamDemultiplexer()
    mutating func feed(_ bytes: [UInt8]) throws -> [(UInt8, [UInt8])] {
        try inner.feed(bytes).map { ($0.0.rawValue, $0.1) }
    }
}
