#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockClient
import SwdockOS
import SwdockOCI

/// Renders the daemon's JSON-lines progress (`POST /images/create`) as docker's
/// `jsonmessage.DisplayJSONMessagesStream` does. On a terminal, one line per layer ID is kept
/// and redrawn in place (cursor up/down, clear line) with the progress bar; otherwise each
/// message without a byte count becomes one `ID: Status` line and byte-count updates are left out.
struct PullProgress {
    let output: FileOutput
    let terminal: Bool
    let width: Int
    /// Layer ID → its line, counted from the first progress line of the current block.
    private var lines: [String: Int] = [:]

    init(fd: Int32) {
        output = FileOutput(fd: FileDescriptor(rawValue: fd))
        terminal = isTerminal(fd)
        width = terminalWidth(fd)
    }

    /// A message's error (`{"error": …, "errorDetail": {"message": …}}`) stops the stream.
    struct StreamError: Error, CustomStringConvertible { let description: String }

    /// Reads the whole stream, printing as it goes; throws the first error message.
    mutating func display(_ response: EngineClient.Response) throws {
        var reader = JSONLineReader(response)
        while let line = try reader.next() {
            let message = try JSONNode.parse(line)
            try display(message)
        }
    }

    mutating func display(_ message: JSONNode) throws {
        if let detail = message["errorDetail"], let text = detail["message"]?.stringValue, !text.isEmpty {
            throw StreamError(description: text)
        }
        if let text = message["error"]?.stringValue, !text.isEmpty { throw StreamError(description: text) }
        if message["aux"] != nil { return }
        let id = message["id"]?.stringValue ?? ""
        let status = message["status"]?.stringValue ?? ""
        let stream = message["stream"]?.stringValue ?? ""
        let progress = message["progressDetail"]
        var diff = 0
        if !id.isEmpty, progress != nil {
            let line: Int
            if let known = lines[id] {
                line = known
            } else {
                line = lines.count
                lines[id] = line
                if terminal { output.write("\n") }
            }
            diff = lines.count - line
            if terminal, diff > 0 { output.write("\u{1b}[\(diff)A") }
        } else {
            lines = [:]
        }
        var text = ""
        var end = ""
        let bar = progress.map { Self.bar($0, width: width) } ?? ""
        if terminal, stream.isEmpty, progress != nil {
            text += "\u{1b}[2K\r"
            end = "\r"
        } else if progress != nil, !bar.isEmpty {
            return // byte counts only on a terminal
        }
        if !id.isEmpty { text += id + ": " }
        if progress != nil, terminal {
            text += status + " " + bar + end
        } else if !stream.isEmpty {
            text += stream + end
        } else {
            text += status + end + "\n"
        }
        output.write(text)
        if terminal, !id.isEmpty, progress != nil, diff > 0 { output.write("\u{1b}[\(diff)B") }
    }

    /// docker's `JSONProgress.String()`: `[=====>     ]  1.5MB/3.2MB` (the bar only on terminals
    /// wider than 110 columns), empty when there is nothing to count.
    static func bar(_ detail: JSONNode, width: Int, now: Double = HumanUnits.now()) -> String {
        let current = detail["current"]?.int64Value ?? 0
        let total = detail["total"]?.int64Value ?? 0
        let start = detail["start"]?.int64Value ?? 0
        let units = detail["units"]?.stringValue ?? ""
        if current <= 0 && total <= 0 { return "" }
        if total <= 0 {
            if units.isEmpty {
                let size = HumanUnits.size(Double(current))
                return String(repeating: " ", count: max(8 - size.count, 0)) + size
            }
            return "\(current) \(units)"
        }
        var percentage = Int(Double(current) / Double(total) * 100) / 2
        if percentage > 50 { percentage = 50 }
        var box = ""
        if width > 110 {
            box = "[" + String(repeating: "=", count: percentage) + ">" + String(repeating: " ", count: max(50 - percentage, 0)) + "] "
        }
        var numbers: String
        if units.isEmpty {
            let currentText = HumanUnits.size(Double(current))
            let padded = String(repeating: " ", count: max(8 - currentText.count, 0)) + currentText
            numbers = current > total ? padded : padded + "/" + HumanUnits.size(Double(total))
        } else {
            numbers = "\(current)/\(total) \(units)"
        }
        if detail["hidecounts"]?.boolValue == true { numbers = "" }
        var left = ""
        if current > 0, start > 0, percentage < 50, width > 50 {
            let elapsed = now - Double(start)
            let remaining = Int(elapsed / Double(current) * Double(total - current))
            left = " " + Self.goDuration(seconds: remaining)
        }
        return box + numbers + left
    }

    /// Go's `time.Duration.String()` for whole seconds: `0s`, `45s`, `3m7s`, `1h2m3s`.
    static func goDuration(seconds: Int) -> String {
        if seconds <= 0 { return "0s" }
        let h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60
        if h > 0 { return "\(h)h\(m)m\(s)s" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }
}

/// Pulls an image through the daemon (`POST /images/create`), showing docker's progress on `fd`.
enum ImagePull {
    /// The `fromImage`/`tag` query docker's client builds: the full normalised name, and the
    /// tag (or digest) separately; with `all` no tag.
    static func query(_ reference: String, all: Bool, platform: String?) throws -> (query: [(String, String)], shown: String) {
        let parsed = try ImageName.parse(reference)
        var query: [(String, String)] = [("fromImage", parsed.name)]
        var shown = parsed.name
        if !all {
            let tag = parsed.digest ?? parsed.tag ?? "latest"
            query.append(("tag", tag))
            shown += (parsed.digest != nil ? "@" : ":") + tag
        }
        if let platform, !platform.isEmpty { query.append(("platform", platform)) }
        return (query, shown)
    }

    /// Runs the pull; `quiet` shows nothing. Throws the daemon's or the stream's error.
    static func pull(_ client: EngineClient, _ reference: String, all: Bool = false, platform: String?, quiet: Bool,
                     fd: Int32) throws -> String {
        let (query, shown) = try query(reference, all: all, platform: platform)
        let response = try client.open("POST", "/images/create", query: query, headers: [("X-Registry-Auth", "e30=")])
        var progress = PullProgress(fd: fd)
        if quiet {
            var reader = JSONLineReader(response)
            while let line = try reader.next() {
                let message = try JSONNode.parse(line)
                if let text = message["errorDetail"]?["message"]?.stringValue ?? message["error"]?.stringValue, !text.isEmpty {
                    throw PullProgress.StreamError(description: text)
                }
            }
        } else {
            try progress.display(response)
        }
        return shown
    }
}

/// Image references as docker's client normalises them (through SwdockOCI.Reference).
struct ImageName {
    let name: String
    let tag: String?
    let digest: String?

    static func parse(_ text: String) throws -> ImageName {
        let reference: Reference
        do { reference = try Reference(parsing: text) } catch { throw FlagError("invalid reference format: \(error.description)") }
        return ImageName(name: reference.name, tag: reference.tag, digest: reference.digest?.description)
    }

    /// `docker run`'s "Unable to find image 'X' locally": the familiar form with the default tag.
    static func familiarWithTag(_ text: String) -> String {
        guard let reference = try? Reference(parsing: text) else { return text }
        return reference.normalizedForPull.familiarString
    }
}
