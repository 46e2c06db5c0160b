#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI

/// The part of Go's text/template that `--format` users write, over a JSON tree:
/// text; `{{.A.B}}`, `{{.}}`, `{{$}}`, `{{$v.A}}`; pipelines (`{{.X | json}}`); `{{if}}`/`{{else if}}`/
/// `{{else}}`/`{{end}}`, `{{range}}` (with `$i, $e :=` and `{{else}}`), `{{with}}`; variables
/// (`{{$x := .A}}`); `{{- trim -}}` markers; string, number and bool literals; and the functions
/// docker's templates offer: `json`, `index`, `printf`, `print`, `println`, `len`, `eq`, `ne`, `lt`,
/// `le`, `gt`, `ge`, `and`, `or`, `not`, `join`, `split`, `lower`, `upper`, `title`, `pad`,
/// `truncate`. Field names match JSON keys exactly, then case-insensitively (Go field names such
/// as `.Server.APIVersion` find `ApiVersion`); a missing key prints `<no value>` as a map lookup
/// does. Anything else is a clear "not supported" error rather than wrong output.
struct GoTemplate {
    indirect enum Node {
        case text(String)
        case action(Pipeline)
        case conditional(kind: BlockKind, pipeline: Pipeline, body: [Node], otherwise: [Node])
    }

    enum BlockKind { case `if`, range, with }

    struct Pipeline {
        /// `$name :=` declarations (one or two for range).
        var declarations: [String] = []
        var commands: [[Operand]] = []
    }

    indirect enum Operand {
        /// `.A.B` on dot (empty path is `.`).
        case dotField([String])
        /// `$name.A.B` (`$` alone is the root).
        case variable(String, [String])
        case literal(JSONNode)
        case function(String)
        case parenthesized(Pipeline, [String])
    }

    let nodes: [Node]
    let source: String

    init(_ source: String) throws {
        self.source = source
        var parser = TemplateParser(source: source)
        nodes = try parser.parseAll()
    }

    /// Renders with `data` as dot. `rowEscapesHTML`: `{{json .}}` of a list row escapes `<>&`, as
    /// docker's list contexts marshal themselves with `json.Marshal`; other `json` output does not.
    func render(_ data: JSONNode, rowEscapesHTML: Bool = false) throws -> String {
        var state = TemplateState(root: data)
        state.rowEscapesHTML = rowEscapesHTML
        var out = ""
        try state.execute(nodes, dot: data, into: &out)
        return out
    }

    func render(_ data: JSONValue) throws -> String { try render(JSONNode(data)) }
}

struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

// MARK: - parsing

private struct TemplateParser {
    let source: String
    var tokensOfActions: [(text: String, action: String?)] = []

    init(source: String) { self.source = source }

    func fail(_ what: String) -> ValidationErrorText { ValidationErrorText("template: \(what) in \"\(source)\"") }

    /// Splits into text and action pieces, applying `{{-` / `-}}` trimming.
    func split() throws -> [(text: String, isAction: Bool)] {
        var pieces: [(String, Bool)] = []
        var rest = Substring(source)
        var trimNextText = false
        while let open = rest.firstRange(of: "{{") {
            var text = String(rest[..<open.lowerBound])
            if trimNextText { text = String(text.drop(while: \.isWhitespace)) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { throw fail("unclosed action") }
            var action = rest[open.upperBound..<close.lowerBound]
            if action.hasPrefix("- ") || action == "-" {
                text = String(text.reversed().drop(while: \.isWhitespace).reversed())
                action = action.dropFirst()
            }
            trimNextText = false
            if action.hasSuffix(" -") {
                trimNextText = true
                action = action.dropLast()
            }
            if !text.isEmpty { pieces.append((text, false)) }
            pieces.append((String(action), true))
            rest = rest[close.upperBound...]
        }
        var tail = String(rest)
        if trimNextText { tail = String(tail.drop(while: \.isWhitespace)) }
        if !tail.isEmpty { pieces.append((tail, false)) }
        return pieces
    }

    mutating func parseAll() throws -> [GoTemplate.Node] {
        let pieces = try split()
        var index = 0
        let (nodes, terminator) = try parseList(pieces, &index)
        if let terminator { throw fail("unexpected {{\(terminator)}}") }
        return nodes
    }

    /// Parses nodes until `{{end}}` / `{{else…}}` (returned as the terminator) or the end.
    func parseList(_ pieces: [(text: String, isAction: Bool)], _ index: inout Int) throws -> ([GoTemplate.Node], String?) {
        var nodes: [GoTemplate.Node] = []
        while index < pieces.count {
            let piece = pieces[index]
            index += 1
            guard piece.isAction else { nodes.append(.text(piece.text)); continue }
            var tokens = try tokenize(piece.text)
            if tokens.first == "/*" || piece.text.trimmingCharacters().hasPrefix("/*") { continue }
            guard let keyword = tokens.first else { throw fail("empty action") }
            switch keyword {
            case "end": return (nodes, "end")
            case "else": return (nodes, piece.text.trimmingCharacters())
            case "if", "range", "with":
                tokens.removeFirst()
                let kind: GoTemplate.BlockKind = keyword == "if" ? .if : keyword == "range" ? .range : .with
                nodes.append(try parseBlock(kind, tokens, pieces, &index))
            case "define", "template", "block", "break", "continue":
                throw ValidationErrorText("not supported: template action {{\(keyword)}}")
            default:
                nodes.append(.action(try parsePipeline(tokens)))
            }
        }
        return (nodes, nil)
    }

    func parseBlock(_ kind: GoTemplate.BlockKind, _ tokens: [String], _ pieces: [(text: String, isAction: Bool)],
                    _ index: inout Int) throws -> GoTemplate.Node {
        let pipeline = try parsePipeline(tokens)
        let (body, terminator) = try parseList(pieces, &index)
        guard let terminator else { throw fail("missing {{end}}") }
        if terminator == "end" { return .conditional(kind: kind, pipeline: pipeline, body: body, otherwise: []) }
        // `else`, `else if …`, `else with …`
        var elseTokens = try tokenize(terminator)
        elseTokens.removeFirst()
        if elseTokens.isEmpty {
            let (otherwise, end) = try parseList(pieces, &index)
            guard end == "end" else { throw fail("expected {{end}} after {{else}}") }
            return .conditional(kind: kind, pipeline: pipeline, body: body, otherwise: otherwise)
        }
        let nestedKeyword = elseTokens.removeFirst()
        guard nestedKeyword == "if" || nestedKeyword == "with" else { throw fail("unexpected {{\(terminator)}}") }
        // `{{else if X}}…{{end}}` shares the outer `{{end}}`.
        let nested = try parseBlock(nestedKeyword == "if" ? .if : .with, elseTokens, pieces, &index)
        return .conditional(kind: kind, pipeline: pipeline, body: body, otherwise: [nested])
    }

    func parsePipeline(_ tokens: [String]) throws -> GoTemplate.Pipeline {
        var pipeline = GoTemplate.Pipeline()
        var tokens = tokens[...]
        // Declarations: `$x :=` or `$i, $e :=` (also `=`).
        if let assign = tokens.firstIndex(where: { $0 == ":=" || $0 == "=" }) {
            let names = tokens[..<assign].filter { $0 != "," }
            if names.allSatisfy({ $0.hasPrefix("$") }) && !names.isEmpty {
                pipeline.declarations = names.map { String($0.dropFirst()) }
                tokens = tokens[(assign + 1)...]
            }
        }
        var command: [GoTemplate.Operand] = []
        var position = tokens.startIndex
        while position < tokens.endIndex {
            let token = tokens[position]
            position += 1
            if token == "|" {
                guard !command.isEmpty else { throw fail("missing command before |") }
                pipeline.commands.append(command)
                command = []
                continue
            }
            if token == "(" {
                var depth = 1
                let start = position
                while position < tokens.endIndex, depth > 0 {
                    if tokens[position] == "(" { depth += 1 } else if tokens[position] == ")" { depth -= 1 }
                    position += 1
                }
                guard depth == 0 else { throw fail("unclosed (") }
                let inner = try parsePipeline(Array(tokens[start..<(position - 1)]))
                var fields: [String] = []
                if position < tokens.endIndex, tokens[position].hasPrefix("."), tokens[position].count > 1 {
                    fields = tokens[position].dropFirst().split(separator: ".").map(String.init)
                    position += 1
                }
                command.append(.parenthesized(inner, fields))
                continue
            }
            command.append(try operand(token))
        }
        if !command.isEmpty { pipeline.commands.append(command) }
        guard !pipeline.commands.isEmpty else { throw fail("missing value in action") }
        return pipeline
    }

    func operand(_ token: String) throws -> GoTemplate.Operand {
        if token == "." { return .dotField([]) }
        if token.hasPrefix(".") { return .dotField(token.dropFirst().split(separator: ".").map(String.init)) }
        if token.hasPrefix("$") {
            let parts = token.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            return .variable(parts[0], Array(parts.dropFirst()))
        }
        if token.hasPrefix("\"") || token.hasPrefix("`") { return .literal(.string(try unquote(token))) }
        if token == "true" || token == "false" { return .literal(.bool(token == "true")) }
        if token == "nil" { return .literal(.null) }
        if let first = token.first, first.isNumber || first == "-" { return .literal(.number(token)) }
        if token.hasPrefix("'") {
            let inner = token.dropFirst().dropLast()
            return .literal(.number(String(inner.unicodeScalars.first.map { $0.value } ?? 0)))
        }
        guard token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw fail("bad token \(token)") }
        return .function(token)
    }

    func unquote(_ token: String) throws -> String {
        if token.hasPrefix("`") { return String(token.dropFirst().dropLast()) }
        var out = ""
        var iterator = token.dropFirst().dropLast().makeIterator()
        while let c = iterator.next() {
            guard c == "\\" else { out.append(c); continue }
            switch iterator.next() {
            case "n": out += "\n"
            case "t": out += "\t"
            case "\\": out += "\\"
            case "\"": out += "\""
            case let other?: out += "\\" + String(other)
            case nil: throw fail("bad escape in \(token)")
            }
        }
        return out
    }

    /// Splits an action into tokens: quoted strings, `(`, `)`, `|`, `,`, `:=`, words.
    func tokenize(_ action: String) throws -> [String] {
        var tokens: [String] = []
        var index = action.startIndex
        while index < action.endIndex {
            let c = action[index]
            if c.isWhitespace { index = action.index(after: index); continue }
            if c == "\"" || c == "`" || c == "'" {
                var end = action.index(after: index)
                while end < action.endIndex, action[end] != c {
                    if action[end] == "\\", c != "`" { end = action.index(after: end) }
                    if end < action.endIndex { end = action.index(after: end) }
                }
                guard end < action.endIndex else { throw fail("unterminated quoted string") }
                end = action.index(after: end)
                tokens.append(String(action[index..<end]))
                index = end
                continue
            }
            if "()|,".contains(c) {
                tokens.append(String(c))
                index = action.index(after: index)
                continue
            }
            var end = index
            while end < action.endIndex, !action[end].isWhitespace, !"()|,".contains(action[end]) { end = action.index(after: end) }
            // `.Field` directly after `)` belongs to the parenthesized value.
            tokens.append(String(action[index..<end]))
            index = end
        }
        return tokens
    }
}

// MARK: - execution

private struct TemplateState {
    let root: JSONNode
    var rowEscapesHTML = false
    var variables: [[(String, JSONNode)]] = []

    init(root: JSONNode) {
        self.root = root
        variables = [[("", root)]]
    }

    func lookup(_ name: String) throws -> JSONNode {
        for scope in variables.reversed() {
            if let hit = scope.last(where: { $0.0 == name }) { return hit.1 }
        }
        throw ValidationErrorText("template: undefined variable \"$\(name)\"")
    }

    mutating func execute(_ nodes: [GoTemplate.Node], dot: JSONNode, into out: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let text): out += text
            case .action(let pipeline):
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.declarations.isEmpty { out += Self.print(value) } else {
                    variables[variables.count - 1].append((pipeline.declarations[0], value))
                }
            case .conditional(let kind, let pipeline, let body, let otherwise):
                switch kind {
                case .if, .with:
                    let value = try evaluate(pipeline, dot: dot)
                    variables.append([])
                    defer { variables.removeLast() }
                    if let name = pipeline.declarations.first { variables[variables.count - 1].append((name, value)) }
                    if Self.truth(value) {
                        try execute(body, dot: kind == .with ? value : dot, into: &out)
                    } else {
                        try execute(otherwise, dot: dot, into: &out)
                    }
                case .range:
                    let value = try evaluate(pipeline, dot: dot)
                    var elements: [(JSONNode, JSONNode)] = []
                    switch value {
                    case .array(let items): elements = items.enumerated().map { (.number(String($0.offset)), $0.element) }
                    case .object(let members): elements = members.sorted { $0.0 < $1.0 }.map { (.string($0.0), $0.1) }
                    case .null: break
                    case .number(let text):
                        let count = Int(text) ?? 0
                        elements = (0..<max(count, 0)).map { (.number(String($0)), .number(String($0))) }
                    default: throw ValidationErrorText("template: range can't iterate over \(Self.print(value))")
                    }
                    if elements.isEmpty {
                        try execute(otherwise, dot: dot, into: &out)
                        continue
                    }
                    for (key, element) in elements {
                        variables.append([])
                        defer { variables.removeLast() }
                        switch pipeline.declarations.count {
                        case 1: variables[variables.count - 1].append((pipeline.declarations[0], element))
                        case 2:
                            variables[variables.count - 1].append((pipeline.declarations[0], key))
                            variables[variables.count - 1].append((pipeline.declarations[1], element))
                        default: break
                        }
                        try execute(body, dot: element, into: &out)
                    }
                }
            }
        }
    }

    func evaluate(_ pipeline: GoTemplate.Pipeline, dot: JSONNode) throws -> JSONNode {
        var previous: JSONNode?
        for command in pipeline.commands {
            previous = try evaluate(command, dot: dot, piped: previous)
        }
        return previous ?? .null
    }

    func evaluate(_ command: [GoTemplate.Operand], dot: JSONNode, piped: JSONNode?) throws -> JSONNode {
        guard let head = command.first else { return .null }
        if case .function(let name) = head {
            var arguments = try command.dropFirst().map { try value(of: $0, dot: dot) }
            if let piped { arguments.append(piped) }
            if name == "json", arguments.count == 1 {
                return .string(arguments[0].compactText(escapingHTML: rowEscapesHTML && arguments[0] == root))
            }
            return try TemplateFunctions.call(name, arguments)
        }
        guard command.count == 1, piped == nil else {
            throw ValidationErrorText("not supported: template command with arguments that is not a function call")
        }
        return try value(of: head, dot: dot)
    }

    func value(of operand: GoTemplate.Operand, dot: JSONNode) throws -> JSONNode {
        switch operand {
        case .dotField(let path): return try Self.walk(dot, path)
        case .variable(let name, let path): return try Self.walk(lookup(name), path)
        case .literal(let value): return value
        case .function(let name): return try TemplateFunctions.call(name, [])
        case .parenthesized(let pipeline, let path): return try Self.walk(evaluate(pipeline, dot: dot), path)
        }
    }

    /// Field lookup; a key missing from an object is Go's `<no value>` (a string here).
    static func walk(_ start: JSONNode, _ path: [String]) throws -> JSONNode {
        var value = start
        for name in path {
            switch value {
            case .object:
                guard let next = value[name] else { return .string("<no value>") }
                value = next
            case .null:
                throw ValidationErrorText("template: nil pointer evaluating .\(name)")
            default:
                throw ValidationErrorText("template: can't evaluate field \(name) in type \(typeName(value))")
            }
        }
        return value
    }

    static func typeName(_ value: JSONNode) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .number: return "float64"
        case .string: return "string"
        case .array: return "[]interface {}"
        case .object: return "map[string]interface {}"
        }
    }

    static func truth(_ value: JSONNode) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .number(let text): return (Double(text) ?? 0) != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    static func print(_ value: JSONNode) -> String { value.templateText }
}

/// The functions available in templates (Go's builtins and docker's additions).
enum TemplateFunctions {
    static func call(_ name: String, _ arguments: [JSONNode]) throws -> JSONNode {
        func need(_ count: Int) throws {
            guard arguments.count == count else {
                throw ValidationErrorText("template: wrong number of args for \(name): want \(count) got \(arguments.count)")
            }
        }
        func text(_ i: Int) -> String { arguments[i].templateText }
        switch name {
        case "json":
            try need(1)
            return .string(arguments[0].compactText)
        case "index":
            guard var value = arguments.first else { throw ValidationErrorText("template: index of nothing") }
            for key in arguments.dropFirst() {
                switch (value, key) {
                case (.object, _):
                    value = value.objectMember(exactly: key.templateText) ?? .null
                case (.array(let items), .number(let text)):
                    guard let i = Int(text), items.indices.contains(i) else {
                        throw ValidationErrorText("template: index out of range: \(text)")
                    }
                    value = items[i]
                case (.null, _): return .null
                default: throw ValidationErrorText("template: can't index item of type \(value)")
                }
            }
            // A typed map (docker's Labels) gives its zero value for a missing key.
            if case .null = value, arguments.count > 1, case .object = arguments[0] { return .string("") }
            return value
        case "printf":
            guard let format = arguments.first?.stringValue else { throw ValidationErrorText("template: printf needs a format string") }
            return .string(GoPrintf.format(format, Array(arguments.dropFirst())))
        case "print":
            return .string(GoPrintf.sprint(arguments))
        case "println":
            return .string(arguments.map(\.templateText).joined(separator: " ") + "\n")
        case "len":
            try need(1)
            switch arguments[0] {
            case .array(let a): return .number(String(a.count))
            case .object(let o): return .number(String(o.count))
            case .string(let s): return .number(String(s.utf8.count))
            default: throw ValidationErrorText("template: len of \(arguments[0].templateText)")
            }
        case "eq":
            guard arguments.count >= 2 else { throw ValidationErrorText("template: eq needs two arguments") }
            return .bool(arguments.dropFirst().contains { $0 == arguments[0] })
        case "ne":
            try need(2)
            return .bool(arguments[0] != arguments[1])
        case "lt", "le", "gt", "ge":
            try need(2)
            let ordered: Bool
            if let a = Double(arguments[0].templateText), let b = Double(arguments[1].templateText) {
                ordered = name == "lt" ? a < b : name == "le" ? a <= b : name == "gt" ? a > b : a >= b
            } else {
                let a = text(0), b = text(1)
                ordered = name == "lt" ? a < b : name == "le" ? a <= b : name == "gt" ? a > b : a >= b
            }
            return .bool(ordered)
        case "and":
            for argument in arguments where !truthy(argument) { return argument }
            return arguments.last ?? .null
        case "or":
            for argument in arguments where truthy(argument) { return argument }
            return arguments.last ?? .null
        case "not":
            try need(1)
            return .bool(!truthy(arguments[0]))
        case "join":
            try need(2)
            return .string(arguments[0].arrayValue.map(\.templateText).joined(separator: text(1)))
        case "split":
            try need(2)
            return .array(text(0).split(separator: text(1), omittingEmptySubsequences: false).map { .string(String($0)) })
        case "lower":
            try need(1)
            return .string(text(0).lowercased())
        case "upper":
            try need(1)
            return .string(text(0).uppercased())
        case "title":
            try need(1)
            return .string(text(0).split(separator: " ", omittingEmptySubsequences: false)
                .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case "pad":
            try need(3)
            let left = Int(text(1)) ?? 0, right = Int(text(2)) ?? 0
            return .string(String(repeating: " ", count: left) + text(0) + String(repeating: " ", count: right))
        case "truncate":
            try need(2)
            let n = Int(text(1)) ?? 0
            return .string(text(0).count > n ? String(text(0).prefix(n)) : text(0))
        default:
            throw ValidationErrorText("template: function \"\(name)\" not defined")
        }
    }

    static func truthy(_ value: JSONNode) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .number(let text): return (Double(text) ?? 0) != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }
}

extension JSONNode {
    /// The member named exactly `key` (`index` does no case folding).
    func objectMember(exactly key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%s %v %d %q %t %x %f %%` with width,
/// `-` and `0` flags and precision.
enum GoPrintf {
    static func format(_ format: String, _ arguments: [JSONNode]) -> String {
        var out = ""
        var next = 0
        let chars = Array(format)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            guard c == "%" else { out.append(c); continue }
            guard i < chars.count else { out += "%!(NOVERB)"; break }
            if chars[i] == "%" { out += "%"; i += 1; continue }
            var leftAlign = false, zeroPad = false, plus = false
            while i < chars.count, "-0+ #".contains(chars[i]) {
                if chars[i] == "-" { leftAlign = true } else if chars[i] == "0" { zeroPad = true } else if chars[i] == "+" { plus = true }
                i += 1
            }
            var width = 0
            while i < chars.count, let d = chars[i].wholeNumberValue { width = width * 10 + d; i += 1 }
            var precision: Int?
            if i < chars.count, chars[i] == "." {
                i += 1
                var p = 0
                while i < chars.count, let d = chars[i].wholeNumberValue { p = p * 10 + d; i += 1 }
                precision = p
            }
            guard i < chars.count else { out += "%!(NOVERB)"; break }
            let verb = chars[i]
            i += 1
            guard next < arguments.count else { out += "%!\(verb)(MISSING)"; continue }
            let argument = arguments[next]
            next += 1
            var text: String
            switch verb {
            case "s", "v":
                text = argument.templateText
                if let precision, verb == "s" { text = String(text.prefix(precision)) }
            case "q": text = JSONNode.string(argument.templateText).compactText
            case "t": text = argument.templateText
            case "d":
                if let n = argument.int64Value { text = (plus && n >= 0 ? "+" : "") + String(n) } else { text = "%!d(\(argument.templateText))" }
            case "x", "X":
                if let n = argument.int64Value { text = String(n, radix: 16, uppercase: verb == "X") } else {
                    text = argument.templateText.utf8.map { String($0, radix: 16, uppercase: verb == "X") }
                        .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
                }
            case "f":
                let value = Double(argument.templateText) ?? 0
                text = fixed(value, precision ?? 6)
            default:
                text = "%!\(verb)(\(argument.templateText))"
            }
            if text.count < width {
                let fill = String(repeating: zeroPad && !leftAlign ? "0" : " ", count: width - text.count)
                text = leftAlign ? text + fill : fill + text
            }
            out += text
        }
        if next < arguments.count {
            out += "%!(EXTRA " + arguments[next...].map { "\(goType($0))=\($0.templateText)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    static func goType(_ value: JSONNode) -> String {
        switch value {
        case .string: return "string"
        case .number(let t): return Int64(t) != nil ? "int" : "float64"
        case .bool: return "bool"
        default: return "interface {}"
        }
    }

    /// Go's `fmt.Sprint`: spaces only between operands when neither is a string.
    static func sprint(_ arguments: [JSONNode]) -> String {
        var out = ""
        for (i, argument) in arguments.enumerated() {
            if i > 0, argument.stringValue == nil, arguments[i - 1].stringValue == nil { out += " " }
            out += argument.templateText
        }
        return out
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        var fraction = String(Int64(scaled) - whole * Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return (value < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + fraction : "")
    }
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

/// Renders `value` with a Go template (`{{.Name}}`, `{{json .}}`).
func renderTemplate<T: Encodable>(_ format: String, _ value: T) throws -> String {
    let data = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    return try GoTemplate(format).render(data)
}
