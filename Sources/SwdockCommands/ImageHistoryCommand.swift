import ArgumentParser
import SwdockClient
import SwdockOCI

/// `swdock image history [--no-trunc] [-q] [--format] IMAGE`.
struct ImageHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Flag(name: [.customShort("q"), .long], help: "Only show image IDs") var quiet = false
    @Flag(name: .long, inversion: .prefixedNo, help: "Print sizes and dates in human readable format") var human = true
    @Option(name: .long, help: "Format output using a custom template") var format: String?
    @Argument(help: "Image", completion: .imageReferences) var image: String

    static let headers = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
                          "Size": "SIZE", "Comment": "COMMENT"]

    func run() throws {
        reportingErrors {
            let table = try TableFormat(quiet ? nil : format,
                                        defaultTable: "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                                        quietFormat: "{{.ID}}", quiet: quiet, headers: Self.headers)
            let list = try global.client().getNode("/images/\(image)/history")
            let now = HumanUnits.now()
            let rows: [JSONNode] = list.arrayValue.map { entry in
                let id = entry["Id"]?.stringValue ?? ""
                let created = entry["Created"]?.int64Value ?? 0
                let size = entry["Size"]?.int64Value ?? 0
                var createdBy = (entry["CreatedBy"]?.stringValue ?? "").replacing("\t", with: " ")
                if !noTrunc { createdBy = HumanUnits.ellipsis(createdBy, 45) }
                let shownID = id == "<missing>" ? id : (noTrunc ? id : HumanUnits.truncateID(id))
                return .object([
                    ("Comment", .string(entry["Comment"]?.stringValue ?? "")),
                    ("CreatedAt", .string(HumanUnits.goTimeString(unixSeconds: created))),
                    ("CreatedBy", .string(createdBy)),
                    ("CreatedSince", .string(human ? HumanUnits.duration(seconds: now - Double(created)) + " ago"
                                                   : HumanUnits.goTimeString(unixSeconds: created))),
                    ("ID", .string(shownID)),
                    ("Size", .string(human ? HumanUnits.size(Double(size), precision: 3) : String(size))),
                ])
            }
            writeOut(try table.render(rows))
        }
    }
}
