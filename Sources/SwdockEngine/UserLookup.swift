/// The user a container process runs as, resolved from Docker's `User` field (`name`, `uid`,
/// `name:group`, `uid:gid`, …) against the container's /etc/passwd and /etc/group, with the
/// rules and error messages of runc's `user.GetExecUser` that Docker uses.
public struct ResolvedUser: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    /// The supplementary groups in the order Docker writes them: the primary gid, then the
    /// groups that list the user by name (only when no group was given), then `GroupAdd`.
    public var additionalGids: [UInt32]
    public var home: String
}

/// Parses passwd/group files and resolves `User` strings.
public enum UserLookup {
    /// One passwd line.
    struct PasswdEntry { var name: String; var uid: Int; var gid: Int; var home: String }
    /// One group line.
    struct GroupEntry { var name: String; var gid: Int; var members: [String] }

    static let maxID = Int(Int32.max)

    /// Resolves `spec` (may be empty: root) and `groupAdd` with the container's files.
    /// A missing passwd or group file is fine for numeric ids, as in runc.
    public static func resolve(_ spec: String, groupAdd: [String] = [],
                               files: any ContainerFileReader) throws(EngineError) -> ResolvedUser {
        let passwd = try files.contents(of: "/etc/passwd")
        let group = try files.contents(of: "/etc/group")
        return try resolve(spec, groupAdd: groupAdd, passwd: passwd, group: group)
    }

    /// The same with the file texts given (nil = file missing).
    public static func resolve(_ spec: String, groupAdd: [String] = [], passwd: String?,
                               group: String?) throws(EngineError) -> ResolvedUser {
        let (userArg, groupArg) = splitSpec(spec)
        let numericUID = Int(userArg)
        let numericGID = Int(groupArg)
        var uid = 0, gid = 0, home = "/"
        var matchedName: String?
        var supplementary: [Int] = []

        let users = parsePasswd(passwd ?? "").filter { entry in
            if userArg.isEmpty { return entry.uid == 0 }
            if let numericUID { return entry.uid == numericUID }
            return entry.name == userArg
        }
        if let first = users.first {
            matchedName = first.name
            uid = first.uid
            gid = first.gid
            home = first.home
        } else if !userArg.isEmpty {
            guard let numericUID else {
                throw EngineError(.notFound, "unable to find user \(userArg): no matching entries in passwd file")
            }
            guard (0...maxID).contains(numericUID) else {
                throw EngineError(.invalidArgument, "unable to find user \(userArg): uids and gids must be in range 0-\(maxID)")
            }
            uid = numericUID
        }

        if !groupArg.isEmpty || matchedName != nil {
            let groups = parseGroup(group ?? "").filter { entry in
                if groupArg.isEmpty { return entry.members.contains(matchedName!) }
                if let numericGID { return entry.gid == numericGID }
                return entry.name == groupArg
            }
            if !groupArg.isEmpty {
                if let first = groups.first {
                    gid = first.gid
                } else {
                    guard let numericGID else {
                        throw EngineError(.notFound, "unable to find group \(groupArg): no matching entries in group file")
                    }
                    guard (0...maxID).contains(numericGID) else {
                        throw EngineError(.invalidArgument, "unable to find group \(groupArg): uids and gids must be in range 0-\(maxID)")
                    }
                    gid = numericGID
                }
            } else {
                supplementary = groups.map(\.gid)
            }
        }

        let added = try additionalGroups(groupAdd, group: group)
        var gids: [UInt32] = []
        for value in [gid] + supplementary + added where !gids.contains(UInt32(value)) {
            gids.append(UInt32(value))
        }
        return ResolvedUser(uid: UInt32(uid), gid: UInt32(gid), additionalGids: gids, home: home)
    }

    /// `GroupAdd` entries (names or gids) as gids, as runc's GetAdditionalGroups: a name must
    /// exist in the group file, a number need not.
    static func additionalGroups(_ names: [String], group: String?) throws(EngineError) -> [Int] {
        guard !names.isEmpty else { return [] }
        let entries = parseGroup(group ?? "")
        var result: [Int] = []
        for name in names {
            if let entry = entries.first(where: { $0.name == name || String($0.gid) == name }) {
                if !result.contains(entry.gid) { result.append(entry.gid) }
                continue
            }
            guard let gid = Int(name) else {
                throw EngineError(.notFound, "Unable to find group \(name)")
            }
            guard (0...maxID).contains(gid) else {
                throw EngineError(.invalidArgument, "Unable to find group \(name): uids and gids must be in range 0-\(maxID)")
            }
            if !result.contains(gid) { result.append(gid) }
        }
        return result
    }

    /// `user:group` → (user, group); a missing part is empty.
    static func splitSpec(_ spec: String) -> (String, String) {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let user = parts.first.map(String.init) ?? ""
        let group = parts.count > 1 ? String(parts[1]) : ""
        return (user.trimmingSpaces, group.trimmingSpaces)
    }

    /// Lines of /etc/passwd (`name:pw:uid:gid:gecos:home:shell`); comments, blank and
    /// malformed lines are skipped, as runc does.
    static func parsePasswd(_ text: String) -> [PasswdEntry] {
        text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingSpaces
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else { return nil }
            return PasswdEntry(name: fields[0], uid: Int(fields[2]) ?? 0, gid: Int(fields[3]) ?? 0,
                               home: fields.count > 5 ? fields[5] : "")
        }
    }

    /// Lines of /etc/group (`name:pw:gid:member,member`).
    static func parseGroup(_ text: String) -> [GroupEntry] {
        text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingSpaces
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3 else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map { String($0) } : []
            return GroupEntry(name: fields[0], gid: Int(fields[2]) ?? 0, members: members)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
