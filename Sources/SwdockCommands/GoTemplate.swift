import SwdockAPI

/// The part of Go's text/template that `--format` users write: literal text, `{{.Field.Field}}`,
/// `{{json .Field}}` and `{{.}}`. Field names match JSON keys exactly, then case-insensitively, so
/// Go field names (`.Server.APIVersion`) find JSON keys (`ApiVersion`). Anything else is a clear
/// "not supported" error rather than wrong output.
struct GoTemplate {
    enum Piece {
        case text(String)
        case field([String], json: Bool)
    }

    let pieces: [Piece]

    init(_ source: String) throws {
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw ValidationErrorText("template: unclosed action in \"\(source)\"")
            }
            var action = rest[open.upperBound..<close.lowerBound].trimmingCharacters()
            var json = false
            if action.hasPrefix("json ") {
                json = true
                action = String(action.dropFirst(5)).trimmingCharacters()
            }
            guard action.hasPrefix(".") else {
                throw ValidationErrorText("not supported: template action {{\(action)}} (only {{.Field}} and {{json .Field}})")
            }
            let path = action == "." ? [] : action.dropFirst().split(separator: ".").map(String.init)
            pieces.append(.field(path, json: json))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    func render(_ data: JSONValue) throws -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text): out += text.replacingEscapes()
            case .field(let path, let json):
                var value = data
                for name in path {
                    guard case .object(let map) = value else {
                        throw ValidationErrorText("template: can't evaluate field \(name) in a non-object")
                    }
                    guard let next = map[name] ?? map.first(where: { $0.key.lowercased() == name.lowercased() })?.value else {
                        throw ValidationErrorText("template: can't evaluate field \(name)")
                    }
                    value = next
                }
                out += json ? value.description : value.templateText
            }
        }
        return out
    }
}

struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }

    /// `\n` and `\t` typed in a shell argument, as docker's --format accepts them.
    func replacingEscapes() -> String {
        String(self).replacing("\\n", with: "\n").replacing("\\t", with: "\t")
    }
}
