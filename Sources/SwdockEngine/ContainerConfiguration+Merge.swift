import SwdockOCI

extension ContainerConfiguration {
    /// This request's config completed from the image's, as moby's `merge` does at create:
    /// the request wins field by field; Env adds the image's variables whose names the request
    /// does not set (after the request's); Labels and ExposedPorts are unions; an Entrypoint in
    /// the request drops the image's Cmd unless the request has a Cmd of its own; `[""]` (the
    /// CLI's `--entrypoint ""`) means no entrypoint at all.
    public func merged(withImage image: ContainerConfig?) -> ContainerConfiguration {
        var result = self
        let clearsEntrypoint = entrypoint == [""]
        guard let image else {
            if clearsEntrypoint { result.entrypoint = [] }
            return result
        }
        if result.user.isEmpty { result.user = image.user ?? "" }

        let imagePorts = (image.exposedPorts ?? [:]).keys.sorted()
        if (result.exposedPorts ?? []).isEmpty {
            result.exposedPorts = imagePorts.isEmpty ? result.exposedPorts : imagePorts
        } else {
            for port in imagePorts where !result.exposedPorts!.contains(port) { result.exposedPorts!.append(port) }
        }

        if (result.env ?? []).isEmpty {
            result.env = image.env ?? result.env
        } else {
            let requested = Set(result.env!.map(Self.envName))
            for variable in image.env ?? [] where !requested.contains(Self.envName(variable)) {
                result.env!.append(variable)
            }
        }

        var labels = result.labels ?? [:]
        for (key, value) in image.labels ?? [:] where labels[key] == nil { labels[key] = value }
        result.labels = labels

        if (result.entrypoint ?? []).isEmpty {
            if (result.cmd ?? []).isEmpty { result.cmd = image.cmd }
            if result.entrypoint == nil { result.entrypoint = image.entrypoint }
        }
        if clearsEntrypoint { result.entrypoint = [] }

        if result.workingDir.isEmpty { result.workingDir = image.workingDir ?? "" }
        let imageVolumes = (image.volumes ?? [:]).keys.sorted()
        if (result.volumes ?? []).isEmpty {
            result.volumes = imageVolumes.isEmpty ? result.volumes : imageVolumes
        } else {
            for volume in imageVolumes where !result.volumes!.contains(volume) { result.volumes!.append(volume) }
        }
        if result.stopSignal.isEmpty { result.stopSignal = image.stopSignal ?? "" }
        return result
    }

    /// `NAME` of `NAME=value` (the whole string when there is no `=`).
    static func envName(_ variable: String) -> Substring {
        variable.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }
}

/// Environment rules of moby's `ReplaceOrAppendEnvValues`.
enum EnvironmentList {
    /// `defaults` with each override applied: `NAME=value` replaces the default of that name in
    /// place or is appended; a bare `NAME` removes the default of that name.
    static func replaceOrAppend(_ defaults: [String], _ overrides: [String]) -> [String] {
        var result: [String?] = defaults
        var index: [Substring: Int] = [:]
        for (position, variable) in defaults.enumerated() {
            index[ContainerConfiguration.envName(variable)] = position
        }
        for variable in overrides {
            guard variable.contains("=") else {
                if let position = index[Substring(variable)] { result[position] = nil }
                continue
            }
            if let position = index[ContainerConfiguration.envName(variable)] {
                result[position] = variable
            } else {
                result.append(variable)
            }
        }
        return result.compactMap { $0 }
    }
}
