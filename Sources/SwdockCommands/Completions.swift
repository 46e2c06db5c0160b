import ArgumentParser
import SwdockClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Dynamic shell completions: the shell calls `swdock ---completion …` on TAB and these ask the
/// daemon for the names it knows. Attach them to arguments with `completion: .containerNames` etc.
extension CompletionKind {
    /// The names of every container, running or not (`GET /containers/json?all=1`, without the leading `/`).
    public static var containerNames: CompletionKind {
        .custom { words, _, prefix in DaemonCompletions.containerNames(client: DaemonCompletions.client(words: words), prefix: prefix) }
    }

    /// The `repository:tag` references of the local images (`GET /images/json`'s RepoTags).
    public static var imageReferences: CompletionKind {
        .custom { words, _, prefix in DaemonCompletions.imageReferences(client: DaemonCompletions.client(words: words), prefix: prefix) }
    }

    /// The names of the networks (`GET /networks`).
    public static var networkNames: CompletionKind {
        .custom { words, _, prefix in DaemonCompletions.networkNames(client: DaemonCompletions.client(words: words), prefix: prefix) }
    }

    /// The names of the volumes (`GET /volumes`).
    public static var volumeNames: CompletionKind {
        .custom { words, _, prefix in DaemonCompletions.volumeNames(client: DaemonCompletions.client(words: words), prefix: prefix) }
    }
}

/// The daemon queries behind the completion kinds. A completion must never print an error or make
/// the shell wait: an unreachable, slow or failing daemon (a route it does not serve answers 501)
/// and an answer that does not decode all yield no candidates.
public enum DaemonCompletions {
    /// How long a TAB may wait for the daemon.
    public static let timeout: Duration = .seconds(1)

    /// The client for the daemon the command line being completed names (`-H X`, `--host X`,
    /// `--host=X`, before or after the verb), else `SWDOCK_HOST`/`DOCKER_HOST`, else the default
    /// socket. Nil when the named host is not one swdock can talk to.
    public static func client(words: [String], timeout: Duration = DaemonCompletions.timeout) -> EngineClient? {
        var flag: String?
        var index = 0
        while index < words.count {
            let word = unquoted(words[index])
            if word == "--" { break }
            if (word == "-H" || word == "--host"), index + 1 < words.count {
                flag = unquoted(words[index + 1])
                index += 1
            } else if word.hasPrefix("--host=") {
                flag = String(word.dropFirst("--host=".count))
            }
            index += 1
        }
        guard let address = try? DaemonAddress.resolve(flag: flag) else { return nil }
        return EngineClient(address: address, timeout: timeout)
    }

    public static func containerNames(client: EngineClient?, prefix: String) -> [String] {
        let containers = fetch([ContainerEntry].self, "/containers/json", query: [("all", "1")], from: client) ?? []
        // Names are "/name"; "/other/alias" entries are legacy link aliases, not names one can type.
        let names = containers.flatMap { $0.Names ?? [] }.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        return matching(names.filter { !$0.contains("/") }, prefix)
    }

    public static func imageReferences(client: EngineClient?, prefix: String) -> [String] {
        let images = fetch([ImageEntry].self, "/images/json", from: client) ?? []
        return matching(images.flatMap { $0.RepoTags ?? [] }.filter { $0 != "<none>:<none>" }, prefix)
    }

    public static func networkNames(client: EngineClient?, prefix: String) -> [String] {
        matching((fetch([NamedEntry].self, "/networks", from: client) ?? []).map(\.Name), prefix)
    }

    public static func volumeNames(client: EngineClient?, prefix: String) -> [String] {
        matching((fetch(VolumeList.self, "/volumes", from: client)?.Volumes ?? []).map(\.Name), prefix)
    }

    /// `GET path` decoded, or nil on any failure (the reason is deliberately dropped: see the type's doc).
    private static func fetch<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String)] = [],
                                            from client: EngineClient?) -> T? {
        guard let client else { return nil }
        return try? client.get(path, query: query, as: T.self)
    }

    /// Sorted, each once, starting with what is typed.
    private static func matching(_ candidates: [String], _ prefix: String) -> [String] {
        let typed = unquoted(prefix)
        return Set(candidates.filter { !$0.isEmpty && $0.hasPrefix(typed) }).sorted()
    }

    /// Shells pass words verbatim: drop one pair of surrounding quotes (or a leading one while typing).
    static func unquoted(_ word: String) -> String {
        guard let first = word.first, first == "'" || first == "\"" else { return word }
        var text = word.dropFirst()
        if text.last == first { text = text.dropLast() }
        return String(text)
    }

    // The few fields completion needs of the Engine API's list answers.
    private struct ContainerEntry: Decodable { var Names: [String]? }
    private struct ImageEntry: Decodable { var RepoTags: [String]? }
    private struct NamedEntry: Decodable { var Name: String }
    private struct VolumeList: Decodable { var Volumes: [NamedEntry]? }
}
