@testable import SwdockCommands
import XCTest

final class GoTemplateTests: XCTestCase {
    let container = try! JSONNode.parse("""
        {"Id":"abc","Name":"/t1","State":{"Status":"running","Running":true,"Pid":42,"ExitCode":0},
         "Config":{"Cmd":["sleep","300"],"Entrypoint":null,"Env":["A=1","B=<2>"],"Labels":{"k":"v","a":"b"}},
         "NetworkSettings":{"IPAddress":""},"Mounts":[{"Source":"/s1","Destination":"/d1"},{"Source":"/s2","Destination":"/d2"}]}
        """)

    func render(_ source: String) throws -> String { try GoTemplate(source).render(container) }

    func testFieldsAndPrinting() throws {
        XCTAssertEqual(try render("{{.State.Status}}"), "running")
        XCTAssertEqual(try render("{{.Name}} {{.State.Pid}} {{.State.Running}}"), "/t1 42 true")
        XCTAssertEqual(try render("{{.NetworkSettings.IPAddress}}|"), "|")
        XCTAssertEqual(try render("{{.Config.Cmd}}"), "[sleep 300]")
        XCTAssertEqual(try render("{{.Config.Labels}}"), "map[a:b k:v]")
        XCTAssertEqual(try render("{{.Config.Entrypoint}}"), "[]")
        XCTAssertEqual(try render("{{.Nope}}"), "<no value>")
        XCTAssertEqual(try render("{{.state.status}}"), "running", "Go field names match JSON keys case-insensitively")
    }

    func testJSONKeepsOrderAndEscapesHTML() throws {
        XCTAssertEqual(try render("{{json .Config.Cmd}}"), #"["sleep","300"]"#)
        XCTAssertEqual(try render("{{json .Config.Labels}}"), #"{"k":"v","a":"b"}"#)
        XCTAssertEqual(try render("{{json .Config.Env}}"), #"["A=1","B=<2>"]"#, "docker's json func does not escape HTML")
        XCTAssertEqual(try GoTemplate("{{json .}}").render(.object([("D", .string("<none>"))]), rowEscapesHTML: true),
                       #"{"D":"\u003cnone\u003e"}"#, "a list row marshals itself with json.Marshal")
        XCTAssertEqual(try render("{{.Config.Cmd | json}}"), #"["sleep","300"]"#)
    }

    func testRangeIfWithIndexPrintf() throws {
        XCTAssertEqual(try render("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}"), "/s1:/d1 /s2:/d2 ")
        XCTAssertEqual(try render("{{range $i, $m := .Mounts}}{{$i}}={{$m.Source}};{{end}}"), "0=/s1;1=/s2;")
        XCTAssertEqual(try render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}"), "a=b,k=v,")
        XCTAssertEqual(try render("{{range .Config.Entrypoint}}x{{else}}none{{end}}"), "none")
        XCTAssertEqual(try render(#"{{index .Config.Labels "k"}}|{{index .Config.Labels "missing"}}|"#), "v||")
        XCTAssertEqual(try render("{{index .Config.Cmd 1}}"), "300")
        XCTAssertEqual(try render("{{if .State.Running}}up{{else}}down{{end}}"), "up")
        XCTAssertEqual(try render("{{if eq .State.ExitCode 1}}one{{else if eq .State.ExitCode 0}}zero{{end}}"), "zero")
        XCTAssertEqual(try render("{{if and .State.Running (not .Config.Entrypoint)}}ok{{end}}"), "ok")
        XCTAssertEqual(try render("{{with .State}}{{.Status}}{{end}}"), "running")
        XCTAssertEqual(try render(#"{{printf "%s has pid %d" .Name .State.Pid}}"#), "/t1 has pid 42")
        XCTAssertEqual(try render(#"{{printf "%-6s|%5d|" .State.Status .State.Pid}}"#), "running|   42|")
        XCTAssertEqual(try render(#"{{join .Config.Cmd ","}} {{upper .State.Status}} {{len .Mounts}}"#), "sleep,300 RUNNING 2")
        XCTAssertEqual(try render("{{$s := .State}}{{$s.Status}}"), "running")
        XCTAssertEqual(try render("a {{- .Name -}} b"), "a/t1b")
    }

    func testErrorsAreClear() {
        XCTAssertThrowsError(try GoTemplate("{{.Name")) { XCTAssertTrue("\($0)".contains("unclosed action")) }
        XCTAssertThrowsError(try GoTemplate("{{if .Name}}x")) { XCTAssertTrue("\($0)".contains("missing {{end}}")) }
        XCTAssertThrowsError(try GoTemplate("{{template \"x\"}}")) { XCTAssertTrue("\($0)".contains("not supported")) }
        XCTAssertThrowsError(try render("{{nosuchfunc .Name}}")) { XCTAssertTrue("\($0)".contains("not defined")) }
        XCTAssertThrowsError(try render("{{.Name.Deeper}}")) { XCTAssertTrue("\($0)".contains("can't evaluate field Deeper")) }
    }

    func testIndentMatchesGoJSONIndent() {
        let raw = Array(#"[{"A":[],"B":{},"C":[1,{"D":"x,y:{"}],"E":null}]"#.utf8)
        XCTAssertEqual(indentJSON(raw), """
            [
                {
                    "A": [],
                    "B": {},
                    "C": [
                        1,
                        {
                            "D": "x,y:{"
                        }
                    ],
                    "E": null
                }
            ]
            """)
    }
}
