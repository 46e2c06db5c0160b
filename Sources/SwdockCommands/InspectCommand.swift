import ArgumentParser
import SwdockClient

/// `swdock inspect [-f FORMAT] [--type container|image] NAME…`: the daemon's JSON as docker
/// prints it (an indented array), or a Go template per object. Without `--type` it tries a
/// container, then an image, as docker does on each 404.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Return low-level information on Docker objects")
    @OptionGroup var options: InspectOptions
    @Option(name: .long, help: "Return JSON for specified type (container, image)") var type: String?
    func run() throws { options.execute(types: try InspectOptions.types(type)) }
}

/// `swdock container inspect`.
struct ContainerInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more containers")
    @OptionGroup var options: InspectOptions
    func run() throws { options.execute(types: [.container]) }
}

/// `swdock image inspect`.
struct ImageInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more images")
    @OptionGroup var options: InspectOptions
    func run() throws { options.execute(types: [.image]) }
}

struct InspectOptions: ParsableArguments {
    enum ObjectType: String { case container, image }

    @OptionGroup var global: GlobalOptions
    @Option(name: [.customShort("f"), .long], help: "Format output using a custom template ('json' or a Go template)") var format: String?
    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes if the type is container") var size = false
    @Argument(help: "Objects") var names: [String]

    static func types(_ type: String?) throws -> [ObjectType] {
        guard let type, !type.isEmpty else { return [.container, .image] }
        guard let known = ObjectType(rawValue: type) else {
            throw FlagError("\"\(type)\" is not a valid value for --type")
        }
        return [known]
    }

    func execute(types: [ObjectType]) {
        reportingErrors {
            let client = try global.client()
            var template: GoTemplate?
            if let format, !format.isEmpty, format != "json" { template = try GoTemplate(format) }
            var raws: [[UInt8]] = []
            var rendered = ""
            var errors: [String] = []
            for name in names {
                var found: [UInt8]?
                var notFound: ClientError?
                for type in types {
                    let path = type == .container ? "/containers/\(name)/json" : "/images/\(name)/json"
                    let query = type == .container && size ? [("size", "1")] : []
                    do {
                        found = try client.call("GET", path, query: query).body
                    } catch {
                        guard let clientError = error as? ClientError, clientError.status == 404 else { throw error }
                        notFound = clientError
                    }
                    if found != nil { break }
                }
                guard let body = found else {
                    // With one type docker shows the daemon's 404; after trying several, "No such object".
                    if types.count == 1, let notFound { errors.append(notFound.description) } else {
                        errors.append("Error: No such object: \(name)")
                    }
                    continue
                }
                if let template {
                    rendered += try template.render(try JSONNode.parse(body)) + "\n"
                } else {
                    var trimmed = body
                    while let last = trimmed.last, last == 0x0a || last == 0x20 || last == 0x0d { trimmed.removeLast() }
                    raws.append(trimmed)
                }
            }
            if template != nil {
                writeOut(rendered)
            } else {
                var joined: [UInt8] = [UInt8(ascii: "[")]
                for (i, raw) in raws.enumerated() {
                    if i > 0 { joined.append(UInt8(ascii: ",")) }
                    joined += raw
                }
                joined.append(UInt8(ascii: "]"))
                writeOut(indentJSON(joined) + "\n")
            }
            if !errors.isEmpty {
                writeErr(errors.joined(separator: "\n") + "\n")
                throw CommandExit(1)
            }
        }
    }
}
