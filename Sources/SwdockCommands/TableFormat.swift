/// docker's `--format` handling for list commands (ps, images, system df, history): `table …`
/// templates go through a tabwriter under a header row made by running the same template on
/// the column names; `json` is one `{{json .}}` line per row; other templates print a line per row.
struct TableFormat {
    let template: GoTemplate
    let isTable: Bool
    /// Field → column header (`ID` → `CONTAINER ID`).
    let headers: [String: String]

    /// `format` as the user gave it (nil/empty → `defaultTable`); `quiet` uses `quietFormat`.
    init(_ format: String?, defaultTable: String, quietFormat: String? = nil, quiet: Bool = false,
         headers: [String: String]) throws {
        var text = format ?? ""
        if quiet, let quietFormat, text.isEmpty { text = quietFormat }
        if text.isEmpty || text == "table" { text = defaultTable }
        if text == "json" { text = "{{json .}}" }
        text = text.trimmingCharacters()
        isTable = text.hasPrefix("table")
        if isTable { text = String(text.dropFirst(5)).trimmingCharacters() }
        template = try GoTemplate(text.replacingEscapes())
        self.headers = headers
    }

    /// Renders `rows` (each an object of the row's fields).
    func render(_ rows: [JSONNode]) throws -> String {
        var body = ""
        for row in rows { body += try template.render(row, rowEscapesHTML: true) + "\n" }
        guard isTable else { return body }
        let headerRow = JSONNode.object(headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        var writer = TabWriter()
        writer.write(try template.render(headerRow) + "\n")
        writer.write(body)
        return writer.flush()
    }

    /// True when the template uses `.Name` (docker asks for sizes only when `.Size` is shown).
    static func mentions(_ format: String?, _ field: String) -> Bool { format?.contains("." + field) ?? false }
}

/// Columns as Go's tabwriter lays them out for docker (minwidth 10, padding 3).
func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = Array(repeating: 0, count: first.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell + String(repeating: " ", count: max(widths[i] + 3, 10) - cell.count) }
            .joined()
    }.joined(separator: "\n") + "\n"
}
