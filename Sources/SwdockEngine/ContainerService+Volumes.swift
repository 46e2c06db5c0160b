#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockOCI
import SwdockOS
import SwdockSnapshot

/// A volume a container mounts: which, where, and whether this create made it.
struct VolumeAttachment: Sendable {
    var name: String
    var destination: String
    var readOnly: Bool
    var noCopy: Bool
    var created: Bool
    var anonymous: Bool
    /// inspect's `Mode` (Docker: `z` for a named volume without a mode).
    var mode: String
}

/// Volumes at container create: `-v NAME:/path`, `-v /path`, `--mount type=volume` and the
/// image's `Volumes` become binds of the volumes' `_data` directories (a volume is created on
/// first use), a new (empty) volume is seeded with the image's content at its path unless
/// `nocopy`, and inspect's `Mounts` show them as Docker does (Type volume, Name, Driver local).
extension ContainerService {
    /// Rewrites the volume binds and mounts of `hostConfig` into binds of volume directories.
    /// Volumes created here are removed again when a later step fails.
    func attachVolumes(_ hostConfig: inout HostConfiguration) throws(EngineError) -> [VolumeAttachment] {
        var attachments: [VolumeAttachment] = []
        do {
            var binds: [String] = []
            for raw in hostConfig.binds {
                let spec = try BindSpec.parse(raw)
                guard spec.kind != .bind else { binds.append(raw); continue }
                let anonymous = spec.kind == .anonymousVolume
                let (volume, created) = try volumes.create(name: anonymous ? nil : spec.source, anonymous: anonymous)
                let options = spec.mode.split(separator: ",").map(String.init)
                attachments.append(VolumeAttachment(name: volume.name, destination: spec.destination, readOnly: spec.readOnly,
                                                    noCopy: options.contains("nocopy"), created: created, anonymous: anonymous,
                                                    mode: anonymous ? "" : (spec.mode.isEmpty ? "z" : spec.mode)))
                binds.append(volume.mountpoint + ":" + spec.destination + (spec.readOnly ? ":ro" : ""))
            }
            hostConfig.binds = binds
            for index in hostConfig.mounts.indices where hostConfig.mounts[index].type == "volume" {
                let request = hostConfig.mounts[index]
                guard request.bindOptions == nil, request.tmpfsOptions == nil else {
                    throw EngineError(.invalidArgument, "invalid mount config for type \"volume\": only VolumeOptions may be specified")
                }
                let anonymous = request.source.isEmpty
                let (volume, created) = try volumes.create(name: anonymous ? nil : request.source, anonymous: anonymous)
                attachments.append(VolumeAttachment(name: volume.name, destination: PathText.clean(request.target),
                                                    readOnly: request.readOnly, noCopy: request.volumeNoCopy, created: created,
                                                    anonymous: anonymous, mode: anonymous ? "" : "z"))
                hostConfig.mounts[index] = .init(type: "bind", source: volume.mountpoint, target: request.target,
                                                 readOnly: request.readOnly)
            }
        } catch let error as EngineError {
            detachVolumes(attachments)
            throw error
        } catch {
            detachVolumes(attachments)
            throw EngineError(.system, "attach volumes", cause: DescribedError(error))
        }
        return attachments
    }

    /// After the spec was built on the rewritten host config (the rootfs is mounted): anonymous
    /// volumes for the image's and the request's `Volumes` that no mount covers, then the
    /// seeding of empty volumes from the image. `plan.hostConfig` gets the request's Binds and
    /// Mounts back (inspect shows what the user asked for).
    func finishVolumes(_ plan: inout ContainerSpecPlan, _ attachments: inout [VolumeAttachment],
                       requested: HostConfiguration, rootfs: String) throws(EngineError) {
        let covered = Set((plan.spec.mounts ?? []).map(\.destination))
        var added: [RuntimeSpec.Mount] = []
        for destination in plan.anonymousVolumes.map(PathText.clean) where !covered.contains(destination) {
            let (volume, _) = try volumes.create(name: nil, anonymous: true)
            attachments.append(VolumeAttachment(name: volume.name, destination: destination, readOnly: false, noCopy: false,
                                                created: true, anonymous: true, mode: ""))
            added.append(.init(destination: destination, type: "bind", source: volume.mountpoint, options: ["rbind", "rprivate"]))
        }
        if !added.isEmpty {
            // Parents before children, as the builder orders mounts (stable otherwise).
            let all = (plan.spec.mounts ?? []) + added
            plan.spec.mounts = all.enumerated().sorted { lhs, rhs in
                let a = lhs.element.destination.split(separator: "/").count, b = rhs.element.destination.split(separator: "/").count
                return a != b ? a < b : lhs.offset < rhs.offset
            }.map(\.element)
        }
        plan.hostConfig.binds = requested.binds
        plan.hostConfig.mounts = requested.mounts
        for attachment in attachments where !attachment.noCopy {
            try seed(attachment, rootfs: rootfs)
        }
    }

    /// Docker's copy-up: an empty volume gets the image's files at its mount path. A path with
    /// a symlink in it is not followed (the copy could otherwise read a host path): no seeding.
    func seed(_ attachment: VolumeAttachment, rootfs: String) throws(EngineError) {
        let target = volumes.mountpoint(attachment.name)
        guard ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? ["?"]).isEmpty else { return }
        var path = rootfs
        for component in attachment.destination.split(separator: "/") {
            path += "/" + component
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { return }
        }
        do { try TreeCopy.copyContents(from: path, to: target) } catch {
            throw EngineError(.system, "copy the image's \(attachment.destination) into volume \(attachment.name)", cause: error)
        }
    }

    /// Removes the volumes a failed create made.
    func detachVolumes(_ attachments: [VolumeAttachment]) {
        for attachment in attachments where attachment.created {
            try? volumes.remove(attachment.name, force: true)
        }
    }

    /// inspect's `Mounts`: the binds of volume directories shown as volumes.
    func volumeMountPoints(_ points: [ContainerMountPoint], _ attachments: [VolumeAttachment]) -> [ContainerMountPoint] {
        points.map { point in
            guard let attachment = attachments.first(where: { $0.destination == point.Destination }),
                  point.Source == volumes.mountpoint(attachment.name) else { return point }
            var volume = point
            volume.Type = "volume"
            volume.Name = attachment.name
            volume.Driver = "local"
            volume.Mode = attachment.mode
            volume.RW = !attachment.readOnly
            volume.Propagation = ""
            volume.Anonymous = attachment.anonymous ? true : nil
            return volume
        }
    }

    /// `rm -v` and AutoRemove: the container's anonymous volumes go with it (named ones stay).
    func removeAnonymousVolumes(_ document: ContainerDocument) {
        for mount in document.Mounts where mount.Type == "volume" && mount.Anonymous == true {
            if let name = mount.Name { try? volumes.remove(name, force: true) }
        }
    }
}

extension ContainerService {
    /// For a spec rebuilt from the document (start after the exec root was cleared, update):
    /// the volume binds and mounts become binds of the volumes the container already has.
    func volumeHostConfigForRebuild(_ document: ContainerDocument) throws(EngineError) -> HostConfiguration {
        var hostConfig = document.HostConfig
        func volumeDirectory(_ destination: String) throws(EngineError) -> String {
            guard let name = document.Mounts.first(where: { $0.Type == "volume" && $0.Destination == destination })?.Name else {
                throw EngineError(.system, "the container's volume at \(destination) is not recorded")
            }
            return volumes.mountpoint(name)
        }
        var binds: [String] = []
        for raw in hostConfig.binds {
            let spec = try BindSpec.parse(raw)
            guard spec.kind != .bind else { binds.append(raw); continue }
            binds.append(try volumeDirectory(spec.destination) + ":" + spec.destination + (spec.readOnly ? ":ro" : ""))
        }
        hostConfig.binds = binds
        for index in hostConfig.mounts.indices where hostConfig.mounts[index].type == "volume" {
            let request = hostConfig.mounts[index]
            hostConfig.mounts[index] = .init(type: "bind", source: try volumeDirectory(PathText.clean(request.target)),
                                             target: request.target, readOnly: request.readOnly)
        }
        return hostConfig
    }

    /// The rebuilt spec gets the container's other volumes (image `Volumes`) back as binds.
    func addRecordedVolumes(_ plan: inout ContainerSpecPlan, _ document: ContainerDocument) {
        let covered = Set((plan.spec.mounts ?? []).map(\.destination))
        let missing = document.Mounts.filter { $0.Type == "volume" && !covered.contains($0.Destination) }
        guard !missing.isEmpty else { return }
        let added = missing.map { point in
            RuntimeSpec.Mount(destination: point.Destination, type: "bind", source: point.Source,
                              options: ["rbind", "rprivate"] + (point.RW ? [] : ["ro"]))
        }
        let all = (plan.spec.mounts ?? []) + added
        plan.spec.mounts = all.enumerated().sorted { lhs, rhs in
            let a = lhs.element.destination.split(separator: "/").count, b = rhs.element.destination.split(separator: "/").count
            return a != b ? a < b : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
