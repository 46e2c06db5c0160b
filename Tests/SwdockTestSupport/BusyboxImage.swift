import Foundation
import SwdockOCI

/// The busybox image for engines, made offline (no registry): the rootfs of `BusyboxBundle`
/// as a plain tar (for `docker import` / `podman import`) or as an OCI image-layout archive
/// (for `ctr image import`).
public enum BusyboxImage {
    /// Writes the busybox rootfs as an uncompressed tar (numeric owners, root-relative paths).
    public static func writeRootfsTar(to tarFile: URL) throws {
        let work = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("swdock-image-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: work) }
        let rootfs = work.appendingPathComponent("rootfs")
        try BusyboxBundle.makeRootfs(at: rootfs)
        let tar = try runCommand("/bin/tar", ["--numeric-owner", "--owner=0", "--group=0", "-C", rootfs.path,
                                              "-cf", tarFile.path, "."], timeout: 120)
        guard tar.status == 0 else { throw FixtureError("tar busybox rootfs to \(tarFile.path)", tar.stderr) }
    }

    /// Writes an OCI image-layout tar holding one linux/amd64 image named `name` (e.g.
    /// `docker.io/library/swdock-busybox:latest`) with the rootfs as its single layer.
    public static func writeOCIArchive(to archive: URL, name: String) throws {
        let layout = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("swdock-oci-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: layout) }
        let blobs = layout.appendingPathComponent("blobs/sha256")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)

        let layerTar = layout.appendingPathComponent("layer.tar")
        try writeRootfsTar(to: layerTar)
        let layer = try Data(contentsOf: layerTar)
        try FileManager.default.removeItem(at: layerTar)
        let layerDigest = try store(layer, in: blobs)

        let config: [String: Any] = [
            "architecture": "amd64", "os": "linux",
            "config": ["Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]],
            "rootfs": ["type": "layers", "diff_ids": [layerDigest.description]],
        ]
        let configData = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        let configDigest = try store(configData, in: blobs)

        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": configDigest.description, "size": configData.count],
            "layers": [["mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": layerDigest.description, "size": layer.count]],
        ]
        let manifestData = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
        let manifestDigest = try store(manifestData, in: blobs)

        let tag = name.split(separator: ":").last.map(String.init) ?? "latest"
        let index: [String: Any] = [
            "schemaVersion": 2,
            "manifests": [[
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifestDigest.description, "size": manifestData.count,
                "platform": ["architecture": "amd64", "os": "linux"],
                "annotations": ["io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag],
            ]],
        ]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys])
            .write(to: layout.appendingPathComponent("index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: layout.appendingPathComponent("oci-layout"))
        let tar = try runCommand("/bin/tar", ["--numeric-owner", "-C", layout.path, "-cf", archive.path,
                                              "oci-layout", "index.json", "blobs"], timeout: 120)
        guard tar.status == 0 else { throw FixtureError("tar OCI layout to \(archive.path)", tar.stderr) }
    }

    private static func store(_ data: Data, in blobs: URL) throws -> Digest {
        let digest = Digest.sha256(of: data)
        try data.write(to: blobs.appendingPathComponent(digest.encoded))
        return digest
    }
}
